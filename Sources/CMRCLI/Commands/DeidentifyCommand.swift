import Foundation
import CMRKit
import DICOMDeidentify

/// `cmr deidentify`: PS3.15 Annex E on files and folders, in one of the four data modes.
enum DeidentifyCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "deidentify",
            abstract: "De-identify DICOM files (PS3.15 Annex E, keyed pseudonyms)",
            discussion: """
                Applies the Basic Application Level Confidentiality Profile of PS3.15 Annex E, with \
                the options asked for, to every file and writes the results under --out, mirroring \
                the input tree (a folder argument keeps its own name; --name-by uids names files \
                STUDY/SERIES/INSTANCE.dcm by their new UIDs). Inputs are never modified; outputs are \
                written whole or not at all; an existing output is left alone (so a rerun resumes) \
                unless --overwrite is given.

                Modes: identified (no change, still checked and audited), pseudonymous (keyed \
                pseudonyms and per-patient date shifts under --key-file; the link back is a \
                re-identification table kept at the site), deidentified (the profile with the \
                options named by --option or a --recipe; keyed, consistent UIDs), anonymous (the \
                profile with the clean options, no private attributes, a random key never written).

                UIDs become 2.25 UIDs from HMAC-SHA256 under the site key, so references between \
                instances still resolve and the same key gives byte-identical output on any machine, \
                in any order, with any --jobs; --shard i/N takes a deterministic share of the files \
                for one machine of N. Files whose pixels may show patient details (Burned In \
                Annotation YES; ultrasound, secondary capture, screen saves) are quarantined unless \
                --accept-burned-in. --verify (on in deidentified and anonymous modes) fails any \
                output in which a name, ID, date, UID or other identifying value of its input survives.
                """,
            examples: [
                UsageExample("cmr deidentify --mode deidentified --key-file site.key --out clean/ study/",
                             "The Basic Profile on a folder, with consistent keyed UIDs."),
                UsageExample("cmr deidentify --mode pseudonymous --key-file site.key --out pseudo/ study/",
                             "Keyed pseudonyms and shifted dates; the re-identification table goes to site.key.reid.jsonl."),
                UsageExample("cmr deidentify --mode deidentified --key-file site.key --option modified-dates --option clean-descriptors --out clean/ study/",
                             "The profile with two of the standard's options."),
                UsageExample("cmr deidentify --mode anonymous --out anon/ --report report.jsonl study/",
                             "No link back at all, with a per-file JSON Lines report."),
                UsageExample("cmr deidentify --mode deidentified --key-file site.key --shard 3/8 --out part3/ /data/trial",
                             "The third of eight deterministic shares (a Slurm array task or Kubernetes indexed job)."),
                UsageExample("cmr deidentify --mode deidentified --key-file site.key --dry-run --json scan.dcm",
                             "What would change in one file, as JSON."),
            ],
            options: [
                .value("mode", short: "m", valueName: "MODE",
                       help: "Data mode (see above).",
                       completion: .choices(DeidentifyMode.allCases.map(\.rawValue))),
                .value("out", short: "o", valueName: "DIR", help: "Folder to write the de-identified files under (created when missing).",
                       completion: .directory),
                .repeatable("option", valueName: "NAME",
                            help: "A profile option of PS3.15 E.3 (docs/deidentify.md lists what each keeps or cleans).",
                            completion: .choices(ProfileOption.allCases.map(\.rawValue))),
                .value("recipe", valueName: "FILE", help: "JSON recipe: named options and per-attribute overrides (see docs/deidentify.md).",
                       completion: .file),
                .value("key-file", valueName: "FILE", help: "The site key (at least 32 bytes, mode 0600; make one with cmr key new).",
                       completion: .file),
                .value("reid-table", valueName: "FILE",
                       help: "Pseudonymous mode: where the re-identification table is kept (default: the key file's path + .reid.jsonl).",
                       completion: .file),
                .value("name-by", valueName: "SCHEME", help: "Output names: tree (mirror the input) or uids (STUDY/SERIES/INSTANCE.dcm).",
                       completion: .choices(["tree", "uids"]), default: "tree"),
                .value("jobs", short: "j", valueName: "N", help: "Files processed at once (default: one per core).",
                       type: .integer(minimum: 1)),
                .value("shard", valueName: "I/N", help: "Process only share I of N (1-based), chosen by a hash of each file's path."),
                .flag("dry-run", short: "n", help: "Write nothing; report per file what would change."),
                .flag("verify", help: "Check each output for identifying values of its input before writing it (on by default in deidentified and anonymous modes)."),
                .flag("no-verify", help: "Skip that check."),
                .flag("digest", help: "Record the SHA-256 of each output in the report and the audit log (about doubles the CPU time)."),
                .repeatable("blank", valueName: "X,Y,W,H",
                            help: "Blank this rectangle of the pixels (native pixel data) in every file: Clean Pixel Data; such files are not quarantined."),
                .flag("accept-burned-in", help: "De-identify files whose pixels may show identifying text instead of quarantining them."),
                .value("report", valueName: "FILE", help: "Write a JSON Lines report, one line per file, to FILE.", completion: .file),
                .flag("overwrite", help: "Replace outputs that exist already (otherwise they are left and reported as existing)."),
                .flag("print-paths", help: "Print the path of each file written, one per line (for a pipeline into cmr send)."),
                .flag("null", short: "0", help: "Paths on standard input are separated by NUL characters, not newlines."),
                .json("Print one JSON object per file (JSON Lines) and a summary object last."),
                .auditLog,
            ],
            positionals: [
                PositionalSpec("FILE|DIR|-", help: "DICOM files or folders; '-' reads paths from standard input.", arity: .oneOrMore, completion: .file),
            ],
            category: .privacy,
            exitStatuses: [
                ExitStatusNote(0, "Every file was de-identified (or existed already)."),
                ExitStatusNote(1, "Some files failed, were quarantined or failed the leak check; the others were written."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(65, "The only input is not DICOM, is incomplete, or failed the leak check."),
                ExitStatusNote(66, "An input does not exist."),
                ExitStatusNote(73, "An output cannot be created."),
                ExitStatusNote(74, "A write failed, or the audit record could not be appended."),
                ExitStatusNote(77, "The only input was quarantined, or the key file is readable by others."),
                ExitStatusNote(78, "The key file or recipe is wrong, or no audit log location is set."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let modeName = inv.value("mode") else {
            throw CMRError(.usage, "--mode is required", hint: "choose identified, pseudonymous, deidentified or anonymous")
        }
        guard let mode = DeidentifyMode(rawValue: modeName) else {
            throw CMRError(.usage, "unknown mode '\(modeName)'", hint: "choose identified, pseudonymous, deidentified or anonymous")
        }
        guard !inv.positionals.isEmpty else {
            throw CMRError(.usage, "no input given", hint: "name files or folders, or '-' to read paths from standard input")
        }
        var request = DeidentifyRequest(inputs: inv.positionals, outputFolder: inv.value("out"), mode: mode)
        for name in inv.values("option") {
            guard let option = ProfileOption(rawValue: name) else {
                throw CMRError(.usage, "unknown option '\(name)'", hint: "options: " + ProfileOption.allCases.map(\.rawValue).joined(separator: ", "))
            }
            request.options.insert(option)
        }
        request.recipePath = inv.value("recipe")
        request.keyPath = inv.value("key-file")
        request.reidentificationTable = inv.value("reid-table")
        request.jobs = inv.integer("jobs") ?? 0
        request.dryRun = inv.flag("dry-run")
        if inv.flag("verify") && inv.flag("no-verify") {
            throw CMRError(.usage, "--verify and --no-verify contradict each other")
        }
        request.verify = inv.flag("verify") ? true : inv.flag("no-verify") ? false : nil
        request.overwrite = inv.flag("overwrite")
        request.acceptBurnedIn = inv.flag("accept-burned-in")
        request.digest = inv.flag("digest")
        for text in inv.values("blank") {
            guard let rectangle = PixelRectangle(parsing: text) else {
                throw CMRError(.usage, "--blank '\(text)' is not X,Y,W,H", hint: "columns and rows from the top left, e.g. --blank 0,0,640,60")
            }
            request.blankRectangles.append(rectangle)
        }
        request.nulSeparated = inv.flag("null")
        request.softwareName = "cmr \(CMRCLI.version)"
        guard let naming = DeidentifyRequest.Naming(rawValue: inv.value("name-by") ?? "tree") else {
            throw CMRError(.usage, "unknown --name-by '\(inv.value("name-by") ?? "")'", hint: "use tree or uids")
        }
        request.naming = naming
        if let shard = inv.value("shard") {
            let parts = shard.split(separator: "/")
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
                throw CMRError(.usage, "--shard '\(shard)' is not I/N with 1 ≤ I ≤ N", hint: "e.g. --shard 3/8 for the third of eight shares")
            }
            request.shard = (i, n)
        }
        if request.outputFolder == nil && !request.dryRun {
            throw CMRError(.usage, "--out is required", hint: "name the folder to write under, or use --dry-run")
        }
        let operation = try Deidentification(request)
        let audit = request.dryRun ? nil : try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
        let reportPath = inv.value("report")
        if let reportPath, !request.overwrite, FileManager.default.fileExists(atPath: reportPath) {
            throw CMRError(.cannotCreateOutput, "\(reportPath): the report file exists already", hint: "name another --report FILE, or pass --overwrite")
        }
        let stdin = inv.positionals.contains("-") ? try inv.readStandardInput() : []
        let progress = inv.progress("deidentify")
        let (reports, summary, problems) = operation.run(readStdin: { stdin }, progress: { done, total in
            progress.setTotal(total)
            progress.advance()
            _ = done
        })
        progress.finish()
        for problem in problems { inv.diagnostics.error(problem.message, hint: problem.hint) }
        if let tablePath = operation.reidentificationTablePath {
            let entries = reports.compactMap { $0.reidentificationEntry(key: operation.key.fingerprint) }
            try ReidentificationTable(path: tablePath).add(entries)
        }
        if let audit {
            try audit.append(try audit.deidentifyDrafts(reports: reports, summary: summary))
        }
        if let reportPath {
            try DeidentifyReportWriter.write(reports, summary: summary, to: reportPath, overwrite: request.overwrite)
        }
        for r in reports {
            switch r.status {
            case .failed:
                inv.diagnostics.error(r.reason ?? "\(r.input): failed")
            case .quarantined:
                inv.diagnostics.warning("\(r.input): quarantined: \(r.reason ?? "may show identifying text")",
                                        hint: "check the pixels; --accept-burned-in de-identifies such files anyway")
            case .exists:
                if inv.isVerbose { inv.diagnostics.note("\(r.input): \(r.output ?? "output") exists already; left as it is") }
            case .written, .planned:
                break
            }
            if inv.wantsJSON {
                if let line = DeidentifyReportWriter.line(r) { inv.output.line(line) }
            } else if request.dryRun {
                inv.output.line("# \(r.input) → \(r.output ?? "-")")
                for change in r.changes ?? [] { inv.output.line("\(change.path)\t\(change.action)\t\(change.source)") }
            } else if inv.flag("print-paths"), r.status == .written, let output = r.output {
                inv.output.line(output)
            }
        }
        if inv.wantsJSON, let line = DeidentifyReportWriter.summaryLine(summary) { inv.output.line(line) }
        if !inv.isQuiet && !inv.wantsJSON {
            var parts = ["\(summary.written) written"]
            if summary.existing > 0 { parts.append("\(summary.existing) existing") }
            if summary.quarantined > 0 { parts.append("\(summary.quarantined) quarantined") }
            if summary.failed > 0 { parts.append("\(summary.failed) failed") }
            if summary.planned > 0 { parts.append("\(summary.planned) planned") }
            if summary.skippedByShard > 0 { parts.append("\(summary.skippedByShard) in other shards") }
            inv.diagnostics.note("\(summary.files) file\(summary.files == 1 ? "" : "s"): " + parts.joined(separator: ", ")
                                 + String(format: " in %.2f s", summary.seconds))
        }
        let bad = reports.filter { $0.status == .failed || $0.status == .quarantined }
        if bad.isEmpty && problems.isEmpty { return 0 }
        if reports.count + problems.count == 1 {
            return bad.first?.exitStatus ?? problems.first?.exitStatus ?? 1
        }
        return 1
    }
}
