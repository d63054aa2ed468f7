import CMRKit

/// `cmr audit prove`: an inclusion proof of one record.
enum AuditProveCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "prove",
            abstract: "Print an inclusion proof of one audit record",
            discussion: """
                Prints a JSON proof that record SEQ is in the log as signed by a checkpoint: the \
                record, its RFC 6962 audit path and the signed checkpoint. Anyone with the verifier \
                key checks it offline with 'cmr audit verify --proof FILE --key KEY.pub', without \
                the rest of the log. The checkpoint is --checkpoint FILE, else the newest in \
                LOG.checkpoints that covers the record.
                """,
            examples: [UsageExample("cmr audit prove 41 > record41.proof", "Prove record 41 of the default log.")],
            options: [
                .value("checkpoint", valueName: "FILE", help: "Prove against this signed checkpoint (as 'cmr audit checkpoint' prints it).", completion: .file),
            ],
            positionals: [
                PositionalSpec("SEQ", help: "The record's number (its seq)."),
                .auditLog,
            ],
            category: .record,
            exitStatuses: [
                ExitStatusNote(0, "The proof was printed."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(65, "The log does not match the checkpoint, or a file is malformed."),
                ExitStatusNote(66, "The log does not exist, or no checkpoint covers the record."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let seq = UInt64(inv.positionals[0]) else {
            throw CMRError(.usage, "SEQ must be a record number, not '\(inv.positionals[0])'")
        }
        let log = try inv.auditLogPath(positional: 1)
        let proof = try AuditOperations.prove(logPath: log, seq: seq, checkpointPath: inv.value("checkpoint"))
        inv.output.write(proof.text)
        return 0
    }
}
