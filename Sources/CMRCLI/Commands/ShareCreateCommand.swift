import CMRKit
import CMRShare
import Foundation

/// `cmr share create`: issue a grant and print its link.
enum ShareCreateCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "create",
            abstract: "Issue a grant for a study and print its link",
            discussion: """
                Reads the study's files to find its Study Instance UID and data mode: a study is \
                de-identified or pseudonymous when its files carry Patient Identity Removed YES \
                and a De-identification Method (cmr deidentify writes both). Identified data is \
                refused (status 77) unless --allow-identified is given; the grant records the mode.

                With --study UID and no STUDY_DIR, cmr cannot see the data: --mode must then say \
                what it is. The grant is valid from now (or --not-before) for --expires (default \
                72h), at most $CMR_SHARE_MAX_EXPIRY (default 30d). The link is \
                https://GATEWAY/s#TOKEN with the gateway from --gateway or $CMR_SHARE_GATEWAY.
                """,
            examples: [
                UsageExample("cmr share create out/study1 --to dr.b@example.org", "A link to view the study for 72 hours."),
                UsageExample("cmr share create out/study1 --to lab --scope download --series 1.2.3 --max-uses 3 --json",
                              "Let the lab download one series three times; print everything as JSON."),
            ],
            options: [
                .value("to", valueName: "RECIPIENT", help: "Who the link is for (an e-mail address or a name; recorded in the grant and the audit log)."),
                .value("study", valueName: "UID", help: "The Study Instance UID (needed when STUDY_DIR holds several studies, or with no STUDY_DIR)."),
                .value("mode", valueName: "MODE", help: "With --study and no STUDY_DIR: the data mode of the study.",
                       completion: .choices(["deidentified", "pseudonymous", "anonymous", "identified"])),
                .value("expires", valueName: "DURATION", help: "How long the grant is valid: 30m, 72h, 7d, 2w; at most $CMR_SHARE_MAX_EXPIRY (default 30d).",
                       default: "72h"),
                .value("not-before", valueName: "TIME", help: "Valid from TIME (RFC 3339 or a date) rather than now."),
                .value("scope", valueName: "SCOPE", help: "view: rendered images only; download: the DICOM files too.",
                       completion: .choices(["view", "download"]), default: "view"),
                .repeatable("series", valueName: "UID", help: "Limit the grant to this series; may be repeated (default: the whole study)."),
                .value("max-uses", valueName: "N", help: "How many times the link may be opened.", type: .integer(minimum: 1)),
                .value("note", valueName: "TEXT", help: "A note for the site's own records (kept in grants.jsonl, not in the token)."),
                .flag("allow-identified", help: "Share identified data (otherwise refused)."),
                .shareKey,
                .value("gateway", valueName: "URL", help: "The host (or https URL) recipients open; default $CMR_SHARE_GATEWAY."),
                .shareDir,
                .auditLog,
                .json("Print the grant, token, link and study as one JSON object."),
            ],
            positionals: [PositionalSpec("STUDY_DIR", help: "A folder of the study's DICOM files (or one file).", arity: .optional, completion: .directory)],
            category: .transfer,
            exitStatuses: [
                ExitStatusNote(0, "The grant was issued; its link is printed."),
                ExitStatusNote(64, "The command line is wrong, or --expires is longer than the site's cap."),
                ExitStatusNote(65, "STUDY_DIR holds no DICOM file of the study."),
                ExitStatusNote(66, "STUDY_DIR or the key file does not exist."),
                ExitStatusNote(74, "The grant or its audit record could not be written."),
                ExitStatusNote(77, "The study is identified data and --allow-identified was not given."),
                ExitStatusNote(78, "No signing key, gateway, share folder or audit log is configured, or the key file is not a signing key."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let recipient = inv.value("to") else {
            throw CMRError(.usage, "--to is required", hint: "name who the link is for: --to dr.b@example.org")
        }
        if inv.positionals.count > 1 { throw CMRError(.usage, "one study folder at a time", hint: "a grant is for one study") }
        var request = ShareOperations.CreateRequest(recipient: recipient)
        request.studyDirectory = inv.positionals.first
        request.studyUID = inv.value("study")
        request.mode = inv.value("mode")
        let expires = inv.value("expires") ?? "72h"
        guard let validity = ShareSettings.parseDuration(expires) else {
            throw CMRError(.usage, "--expires: '\(expires)' is not a duration", hint: "use a number and a unit: 30m, 72h, 7d, 2w")
        }
        request.validity = validity
        if let text = inv.value("not-before") {
            guard let ms = AuditOperations.parseTime(text) else {
                throw CMRError(.usage, "--not-before: '\(text)' is not a time", hint: "use 2026-12-01 or 2026-12-01T08:00:00Z")
            }
            request.notBefore = Date(timeIntervalSince1970: Double(ms) / 1000)
        }
        request.scope = ShareGrant.Scope(rawValue: inv.value("scope") ?? "view") ?? .view
        request.seriesUIDs = inv.values("series")
        request.maxUses = inv.integer("max-uses")
        request.note = inv.value("note")
        request.allowIdentified = inv.flag("allow-identified")

        let settings = try inv.shareSettings()
        let gateway = try ShareSettings.gateway(option: inv.value("gateway"), environment: inv.environment)
        let signer = try inv.shareSigner()
        let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
        let result = try ShareOperations.create(request, settings: settings, signer: signer, gateway: gateway)
        try audit.append([audit.shareGrantDraft(result.grant, source: request.studyDirectory)])

        if inv.wantsJSON {
            inv.output.line(try ShareCommand.json(ShareJSON(body: result)))
        } else {
            inv.output.line(result.link)
            if !inv.isQuiet {
                let g = result.grant
                var what = "study \(g.studyUID)"
                if !g.seriesUIDs.isEmpty { what += " (\(g.seriesUIDs.count) series)" }
                inv.diagnostics.note("grant \(g.id) for \(g.recipient): \(what), \(g.mode), \(g.scope.rawValue), until \(ShareTime.format(g.expires))"
                                     + (g.maxUses.map { ", at most \($0) uses" } ?? ""))
            }
        }
        return 0
    }
}
