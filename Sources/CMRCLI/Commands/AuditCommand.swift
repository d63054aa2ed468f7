import CMRKit

/// `cmr audit`: keep and check the tamper-evident audit log (docs/audit-cli.md).
enum AuditCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "audit",
            abstract: "Keep and check the tamper-evident audit log",
            discussion: """
                Every cmr command that touches data appends a record to the audit log: who (user, \
                host, process), what (a DICOM audit event code and action), which objects (study, \
                series and instance UIDs, paths; patients only as keyed hashes) and how it ended. \
                Each record carries the hash of the one before it, and signed checkpoints fix the \
                Merkle root of the whole log, so changes, deletions, insertions, reordering, \
                truncation and rollback can be shown offline.

                The log is --audit-log PATH where a command takes it, else $CMR_AUDIT_LOG, else \
                $XDG_STATE_HOME/cmr/audit.log, else ~/.local/state/cmr/audit.log. Beside it live \
                LOG.checkpoints (signed checkpoints), LOG.salt (the key of the patient hashes) and \
                LOG.quarantine (torn lines moved aside after a crash). The audit commands only read \
                the log; checkpoint adds to LOG.checkpoints.

                With CMR_AUDIT_SIGNING_KEY naming a key file from keygen, every command that \
                appends also signs a checkpoint, at most once every CMR_AUDIT_CHECKPOINT_INTERVAL \
                seconds (default 300).
                """,
            examples: [
                UsageExample("cmr audit keygen --out site", "Make site.key (secret, mode 0600) and site.pub."),
                UsageExample("cmr audit checkpoint --key site.key > trusted.note", "Sign the log as it is now; keep the note elsewhere."),
                UsageExample("cmr audit verify --key site.pub --trusted-checkpoint trusted.note", "Check the chain, the checkpoints and that the log still holds the trusted one."),
                UsageExample("cmr audit show --since 2026-11-01 --event inspect", "Who inspected what since November."),
            ],
            subcommands: [AuditVerifyCommand.self, AuditShowCommand.self, AuditExportCommand.self, AuditCheckpointCommand.self,
                          AuditProveCommand.self, AuditKeygenCommand.self],
            category: .record
        )
    }
}

extension PositionalSpec {
    /// `[LOG]` of the audit subcommands.
    static let auditLog = PositionalSpec("LOG", help: "The audit log (default: $CMR_AUDIT_LOG, else $XDG_STATE_HOME/cmr/audit.log, else ~/.local/state/cmr/audit.log).",
                                         arity: .optional, completion: .file)
}

extension OptionSpec {
    /// The record filters of `cmr audit show` and `cmr audit export`.
    static let auditFilters: [OptionSpec] = [
        .value("since", valueName: "TIME", help: "Only records at or after TIME."),
        .value("until", valueName: "TIME", help: "Only records at or before TIME."),
        .repeatable("event", valueName: "CODE|NAME", help: "Only records of this DICOM event code (110103) or cmr name (inspect); may be repeated."),
        .value("study", valueName: "UID", help: "Only records with an object of this Study Instance UID."),
        .value("actor", valueName: "USER", help: "Only records by this user (or USER@HOST)."),
    ]
}

extension Invocation {
    /// The record filter given by the `auditFilters` options.
    func auditFilter() throws -> AuditOperations.Filter {
        var filter = AuditOperations.Filter()
        for (name, keyPath) in [("since", \AuditOperations.Filter.since), ("until", \AuditOperations.Filter.until)] {
            guard let text = value(name) else { continue }
            guard let ms = AuditOperations.parseTime(text) else {
                throw CMRError(.usage, "--\(name): '\(text)' is not a time", hint: "use 2026-11-29, 2026-11-29T06:40 or 2026-11-29T06:40:00.000Z")
            }
            filter[keyPath: keyPath] = ms
        }
        filter.events = values("event")
        filter.study = value("study")
        filter.actor = value("actor")
        return filter
    }

    /// The log named as the positional `index`, else the default location.
    func auditLogPath(positional index: Int = 0) throws -> String {
        if positionals.count > index { return positionals[index] }
        guard let path = AuditContext.logPath(option: nil, environment: environment) else {
            throw CMRError(.configuration, "no audit log location: neither CMR_AUDIT_LOG, XDG_STATE_HOME nor HOME is set",
                           hint: "name the log: cmr \(commandPath.dropFirst().joined(separator: " ")) LOG")
        }
        return path
    }
}
