import CMRKit

/// `cmr audit checkpoint`: a signed checkpoint of the log.
enum AuditCheckpointCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "checkpoint",
            abstract: "Sign a checkpoint of the audit log",
            discussion: """
                Computes the RFC 6962 Merkle root of every record in the log, signs origin, size and \
                root with the key in the C2SP signed-note format, appends the note to LOG.checkpoints \
                and prints it. Keep copies of printed checkpoints away from the log (another machine, \
                a ticket, an e-mail): 'cmr audit verify --trusted-checkpoint' then shows that the log \
                was not rolled back or rewritten since.
                """,
            examples: [UsageExample("cmr audit checkpoint --key site.key > trusted.note", "Sign the default log; save the note.")],
            options: [
                .value("key", short: "k", valueName: "KEYFILE", help: "The signing key (from 'cmr audit keygen').", completion: .file),
                .value("origin", valueName: "NAME", help: "The checkpoint's first line, naming the log; default: the key's name."),
            ],
            positionals: [.auditLog],
            category: .record,
            exitStatuses: [
                ExitStatusNote(0, "The checkpoint was written and printed."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(66, "The log or the key file does not exist."),
                ExitStatusNote(74, "The checkpoint could not be written."),
                ExitStatusNote(78, "The key file is not a signing key."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let key = inv.value("key") else {
            throw CMRError(.usage, "--key is required", hint: "make a key pair with 'cmr audit keygen --out PREFIX', then pass --key PREFIX.key")
        }
        let log = try inv.auditLogPath()
        let note = try AuditOperations.checkpoint(logPath: log, keyPath: key, origin: inv.value("origin"))
        inv.output.write(note.text)
        return 0
    }
}
