import Foundation
import CMRKit
import CMRAudit

/// `cmr audit verify`: is the log complete and untouched?
enum AuditVerifyCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "verify",
            abstract: "Check that the audit log is complete and untouched",
            discussion: """
                Walks the log once: each record's canonical form, the seq numbers, the hash chain, \
                the clocks, and the Merkle roots against every checkpoint in LOG.checkpoints and \
                against --trusted-checkpoint. Every break is named with its record number and what \
                was expected: modified record, deleted record, inserted record, reordered records, \
                truncated tail, fork, bad signature, time going backwards, torn line. Without --key, \
                checkpoint signatures are not checked (a note says so).

                An intact log prints its record count, time span, head hash and the latest signed \
                size on standard output; breaks go to standard error, one per line. With --proof, \
                checks an inclusion proof from 'cmr audit prove' instead of a log (needs --key).
                """,
            examples: [
                UsageExample("cmr audit verify", "Check the default log's chain."),
                UsageExample("cmr audit verify --key site.pub --trusted-checkpoint trusted.note /var/log/cmr/audit.log",
                             "Also check the signatures, and that the log still holds a checkpoint kept elsewhere."),
                UsageExample("cmr audit verify --proof record41.proof --key site.pub", "Check one record's inclusion proof offline."),
            ],
            options: [
                .value("key", short: "k", valueName: "PUBFILE", help: "The verifier key (PREFIX.pub from 'cmr audit keygen'): check checkpoint signatures.", completion: .file),
                .value("trusted-checkpoint", valueName: "FILE", help: "A signed checkpoint kept away from the log: the log must still contain it.", completion: .file),
                .value("proof", valueName: "FILE", help: "Check this inclusion proof (from 'cmr audit prove') instead of a log.", completion: .file),
                .flag("strict", help: "Also decode every record fully against the record schema (slower)."),
                .json("Print the result as one JSON object."),
            ],
            positionals: [.auditLog],
            category: .record,
            exitStatuses: [
                ExitStatusNote(0, "The log (or the proof) is intact."),
                ExitStatusNote(1, "The log is broken (each break is on standard error), or the proof does not hold."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(65, "A checkpoint or proof file is unreadable."),
                ExitStatusNote(66, "The log or a named file does not exist."),
                ExitStatusNote(78, "The key file is not a verifier key."),
            ]
        )
    }

    struct Result: Encodable {
        var cmrVersion = CMRCLI.version
        var schemaVersion = 1
        var log: String
        var intact: Bool
        var verification: AuditVerification
    }

    struct ProofResult: Encodable {
        var cmrVersion = CMRCLI.version
        var schemaVersion = 1
        var proof: String
        var seq: UInt64
        var treeSize: UInt64
        var holds: Bool
        var failure: String?
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        if let proof = inv.value("proof") {
            guard let key = inv.value("key") else {
                throw CMRError(.usage, "--proof needs --key", hint: "pass the verifier key: --key site.pub")
            }
            if !inv.positionals.isEmpty { throw CMRError(.usage, "--proof checks a proof file, not a log", hint: "leave out LOG") }
            let result = try AuditOperations.verifyProof(path: proof, keyPath: key)
            if inv.wantsJSON {
                inv.output.line(try json(ProofResult(proof: proof, seq: result.seq, treeSize: result.treeSize,
                                                     holds: result.failure == nil, failure: result.failure)))
            } else if result.failure == nil {
                inv.output.line("\(proof): record \(result.seq) is in the signed tree of \(result.treeSize) records")
            }
            if let failure = result.failure {
                inv.diagnostics.error("\(proof): the proof does not hold: \(failure)")
                return 1
            }
            return 0
        }
        let log = try inv.auditLogPath()
        let v = try AuditOperations.verify(logPath: log, keyPath: inv.value("key"),
                                           trustedCheckpointPath: inv.value("trusted-checkpoint"), strict: inv.flag("strict"))
        for item in v.breaks { inv.diagnostics.error("\(log): \(item)") }
        if v.omittedBreaks > 0 { inv.diagnostics.error("\(log): \(v.omittedBreaks) more breaks not listed") }
        if !inv.isQuiet { for note in v.notes { inv.diagnostics.note(note) } }
        if inv.wantsJSON {
            inv.output.line(try json(Result(log: log, intact: v.intact, verification: v)))
        } else {
            var text = "\(log): \(v.intact ? "intact" : "BROKEN"), \(v.recordCount) record\(v.recordCount == 1 ? "" : "s")"
            if let first = v.firstTime, let last = v.lastTime { text += " from \(first) to \(last)" }
            inv.output.line(text)
            if let head = v.headHash { inv.output.line("head \(head)") }
            inv.output.line("root \(v.rootHash) of \(v.lineCount) line\(v.lineCount == 1 ? "" : "s")")
            if v.signaturesChecked {
                inv.output.line(v.latestSignedSize.map { "latest signed checkpoint: \($0) records (of \(v.checkpointCount) checkpoints)" }
                                ?? "no signed checkpoint (\(v.checkpointCount) checkpoints)")
            } else {
                inv.output.line("\(v.checkpointCount) checkpoint\(v.checkpointCount == 1 ? "" : "s") (signatures not checked: no --key)")
            }
            if !v.recoveries.isEmpty {
                inv.output.line("recoveries after torn writes: records \(v.recoveries.map(String.init).joined(separator: ", "))")
            }
            if !v.intact { inv.output.line("\(v.breaks.count + v.omittedBreaks) break\(v.breaks.count + v.omittedBreaks == 1 ? "" : "s"): \(v.kinds.map(\.rawValue).joined(separator: ", "))") }
        }
        return v.intact ? 0 : 1
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
