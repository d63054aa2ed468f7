import CMRKit

/// `cmr reidentify`: the key holder looks a pseudonym up in the re-identification table.
enum ReidentifyCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "reidentify",
            abstract: "Look pseudonyms up in the site's re-identification table",
            discussion: """
                Prints, for each pseudonym written by cmr deidentify --mode pseudonymous, the \
                patient it stands for (Patient ID and issuer, or the study when the data had no \
                Patient ID) and the date shift, from the re-identification table kept beside the \
                key. Only entries made under the given key are shown, so the key must be present: \
                the table alone re-identifies no one by this command. Every lookup is an audit \
                event (Patient Record, 110110, read).
                """,
            examples: [
                UsageExample("cmr reidentify --key-file site.key ANONK3QX7LZ2M4PA5RB",
                             "Who is this pseudonym?"),
            ],
            options: [
                .value("key-file", valueName: "FILE", help: "The site key the pseudonyms were made with.", completion: .file),
                .value("reid-table", valueName: "FILE", help: "The table (default: the key file's path + .reid.jsonl).", completion: .file),
                .json("Print one JSON object per entry found."),
                .auditLog,
            ],
            positionals: [PositionalSpec("PSEUDONYM", help: "Patient pseudonyms to look up.", arity: .oneOrMore)],
            category: .privacy,
            exitStatuses: [
                ExitStatusNote(0, "Every pseudonym was found."),
                ExitStatusNote(1, "Some pseudonyms are not in the table under this key."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(66, "The table cannot be read."),
                ExitStatusNote(77, "The key file can be read by others."),
                ExitStatusNote(78, "The key file is missing or too short."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let keyPath = inv.value("key-file") else {
            throw CMRError(.usage, "--key-file is required", hint: "the key the pseudonyms were made with")
        }
        let key = try SiteKey.load(keyPath)
        let table = ReidentificationTable(path: inv.value("reid-table") ?? keyPath + ".reid.jsonl")
        let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
        var missing = 0
        var found: [ReidentificationTable.Entry] = []
        for pseudonym in inv.positionals {
            let entries = try table.lookup(pseudonym, keyFingerprint: key.fingerprint)
            if entries.isEmpty {
                missing += 1
                inv.diagnostics.error("\(pseudonym): not in \(table.path) under key \(key.fingerprint)")
            }
            found += entries
        }
        try audit.append([try audit.reidentifyDraft(found: found, missing: missing, lookedUp: inv.positionals.count, keyFingerprint: key.fingerprint)])
        for entry in found {
            if inv.wantsJSON {
                if let line = ReidentifyOutput.json(entry) { inv.output.line(line) }
            } else {
                let who = entry.patientID.map { "patient \($0)" + (entry.issuer.map { " (issuer \($0))" } ?? "") }
                    ?? entry.studyUID.map { "study \($0)" } ?? "?"
                inv.output.line("\(entry.pseudonym)\t\(who)\tdate shift \(entry.dateShiftDays.map(String.init) ?? "none") days")
            }
        }
        return missing == 0 ? 0 : 1
    }
}
