import CMRKit
import CMRAudit

/// `cmr audit show`: list and filter records.
enum AuditShowCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "show",
            abstract: "List audit records, filtered by time, event, study or user",
            discussion: """
                Prints one line per record: seq, time, event code, action and name, outcome, user \
                and host, and the objects (studies, or the path). With --json, prints each record as \
                it is in the log (JSON Lines, canonical: sorted keys). Filters combine: a record is \
                listed when it matches all of them. Times are RFC 3339 (2026-11-29T06:40:00Z) or a \
                date (2026-11-29, midnight UTC); both ends are inclusive. This does not check the \
                chain: use 'cmr audit verify'.
                """,
            examples: [
                UsageExample("cmr audit show --since 2026-11-01 --until 2026-11-30", "Records of November."),
                UsageExample("cmr audit show --study 1.2.840.113619.2.55.3 --json | jq .actor.user", "Who touched a study."),
            ],
            options: [
            ] + OptionSpec.auditFilters + [
                .json("Print matching records as JSON Lines, exactly as in the log."),
            ],
            positionals: [.auditLog],
            category: .record,
            exitStatuses: [
                ExitStatusNote(0, "The records were listed (perhaps none matched)."),
                ExitStatusNote(1, "Some lines of the log are not records (see 'cmr audit verify')."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(66, "The log does not exist."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        let filter = try inv.auditFilter()
        let log = try inv.auditLogPath()
        var unreadable = 0
        try AuditOperations.forEachLine(logPath: log) { line in
            switch line {
            case let .unreadable(number, reason):
                unreadable += 1
                inv.diagnostics.warning("\(log): line \(number) is not a record: \(reason)")
            case let .record(record, text):
                guard filter.matches(record) else { return }
                inv.output.line(inv.wantsJSON ? text : describe(record))
            }
        }
        return unreadable > 0 ? 1 : 0
    }

    /// `41  2026-11-29T06:40:00.123Z  110103 R inspect  ok  alice@ward7  3 files, study 1.2.3`
    static func describe(_ r: AuditRecord) -> String {
        let outcome: String
        switch r.outcome.code {
        case .success: outcome = "ok"
        case .minorFailure: outcome = "minor-failure"
        case .seriousFailure: outcome = "serious-failure"
        case .majorFailure: outcome = "major-failure"
        }
        var fields = [String(r.seq), r.time, "\(r.event.code) \(r.event.action.rawValue) \(r.event.name)", outcome,
                      "\(r.actor.user)@\(r.actor.host)"]
        var what: [String] = []
        let studies = r.objects.compactMap(\.studyUID).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let paths = r.objects.compactMap(\.path)
        if r.objects.count == 1, let path = paths.first, studies.isEmpty {
            what.append(path + (r.objects[0].count.map { " (\($0) files)" } ?? ""))
        } else if !r.objects.isEmpty {
            what.append("\(r.objects.count) object\(r.objects.count == 1 ? "" : "s")")
        }
        if !studies.isEmpty {
            what.append((studies.count == 1 ? "study " : "studies ") + studies.prefix(3).joined(separator: " ")
                        + (studies.count > 3 ? " (+\(studies.count - 3))" : ""))
        }
        if let destination = r.destination, !paths.contains(destination) { what.append("to \(destination)") }
        if let peer = r.peer { what.append("peer \(peer)") }
        if !what.isEmpty { fields.append(what.joined(separator: ", ")) }
        if let message = r.outcome.message { fields.append("(\(message))") }
        return fields.joined(separator: "  ")
    }
}
