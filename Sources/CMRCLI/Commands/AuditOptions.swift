extension OptionSpec {
    /// `--audit-log PATH`: the audit log a command appends to (every command that touches data).
    static let auditLog = OptionSpec.value(
        "audit-log", valueName: "PATH",
        help: "Append this run's audit record to PATH rather than to $CMR_AUDIT_LOG or the default log (see cmr-audit(1)).",
        completion: .file)
}
