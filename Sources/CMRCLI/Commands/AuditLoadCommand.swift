import CMRKit
import CMRAudit
import Foundation

/// `cmr _audit-load` (hidden): appends synthetic records to an audit log through the same path
/// every command uses (`AuditContext.append`: lock, one write, fdatasync, automatic checkpoint).
/// For `scripts/bench audit` (durable appends per second) and the crash test in
/// IntegrationTests (processes killed mid-append), which needs to know which appends returned.
enum AuditLoadCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "_audit-load",
            abstract: "Append synthetic audit records, for benchmarks and crash tests",
            discussion: """
                Appends --count records of event 110103 (name "load") to the audit log, --batch \
                records per append. With --print-seqs, prints "TAG INDEX SEQ" for each record as \
                soon as its append has returned (flushed at once), so a test that kills this \
                process knows which records were durably appended. Otherwise prints the rate.
                """,
            options: [
                .value("count", valueName: "N", help: "Records to append.", type: .integer(minimum: 1), default: "1000"),
                .value("batch", valueName: "N", help: "Records per append (one lock, one write, one fdatasync).",
                       type: .integer(minimum: 1), default: "1"),
                .value("tag", valueName: "TEXT", help: "Written as details.writer of each record.", default: "load"),
                .flag("print-seqs", help: "Print TAG INDEX SEQ after each append returns."),
                .auditLog,
            ],
            isHidden: true,
            exitStatuses: [
                ExitStatusNote(0, "Every record was appended."),
                ExitStatusNote(74, "An append failed."),
                ExitStatusNote(78, "No audit log location is set."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        let count = inv.integer("count") ?? 1000
        let batch = inv.integer("batch") ?? 1
        let tag = inv.value("tag") ?? "load"
        let printSeqs = inv.flag("print-seqs")
        let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
        let event = AuditEvent(code: AuditEvent.Code.instancesAccessed, action: .read, name: "load")
        let start = DispatchTime.now().uptimeNanoseconds
        var index = 0
        while index < count {
            let end = min(count, index + batch)
            let drafts = (index..<end).map { i in
                audit.draft(event: event,
                            objects: [AuditObject(studyUID: "1.2.826.0.1.3680043.10.543.\(i)", seriesUID: "1.2.826.0.1.3680043.10.543.\(i).1",
                                                  path: "load/\(tag)/\(i).dcm", sha256: String(repeating: "ab", count: 32))],
                            details: ["writer": tag, "index": String(i)])
            }
            let records = try audit.append(drafts)
            if printSeqs {
                for (offset, record) in records.enumerated() { inv.output.line("\(tag) \(index + offset) \(record.seq)") }
                inv.output.flush()
            }
            index = end
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if !printSeqs {
            inv.output.line("\(count) records in \(count / batch + (count % batch == 0 ? 0 : 1)) appends: "
                            + String(format: "%.3f s, %.0f records/s", seconds, Double(count) / seconds))
        }
        return 0
    }
}
