import CMRKit

/// `cmr audit keygen`: an Ed25519 key pair for signing checkpoints.
enum AuditKeygenCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "keygen",
            abstract: "Make a key pair for signing audit checkpoints",
            discussion: """
                Writes PREFIX.key, the signing key (mode 0600; keep it secret, on the machine that \
                signs), and PREFIX.pub, the verifier key to give auditors, both in the C2SP \
                signed-note key format. Existing files are never overwritten.
                """,
            examples: [UsageExample("cmr audit keygen --out /etc/cmr/audit", "Make /etc/cmr/audit.key and /etc/cmr/audit.pub.")],
            options: [
                .value("out", short: "o", valueName: "PREFIX", help: "Write PREFIX.key and PREFIX.pub.", completion: .file),
                .value("name", valueName: "NAME", help: "The key's name in signatures (no spaces or '+'); default: HOST/cmr-audit."),
            ],
            category: .record,
            exitStatuses: [
                ExitStatusNote(0, "The keys were written."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(73, "A key file exists already or cannot be created."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let prefix = inv.value("out") else {
            throw CMRError(.usage, "--out is required", hint: "name the files to write: --out site writes site.key and site.pub")
        }
        let name = inv.value("name") ?? AuditContext.currentActor(environment: inv.environment).host + "/cmr-audit"
        let keys = try AuditOperations.keygen(prefix: prefix, name: name)
        if !inv.isQuiet {
            inv.diagnostics.note("wrote \(keys.privateKey) (secret, mode 0600) and \(keys.publicKey)")
        }
        inv.output.line(keys.verifier)
        return 0
    }
}
