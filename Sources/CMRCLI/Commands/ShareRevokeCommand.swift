import CMRKit
import CMRShare

/// `cmr share revoke ID`: end a grant at once.
enum ShareRevokeCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "revoke",
            abstract: "Revoke a grant",
            discussion: """
                Appends the grant to revoked.jsonl in the share folder (flock, fdatasync: durable \
                before the command returns) and the revocation to the audit log. A running \
                'cmr share serve' refuses the grant's token from its next request. Revoking a \
                revoked grant changes nothing.
                """,
            examples: [UsageExample("cmr share revoke 0816393426fe626479d500f3b42a9c90 --reason 'sent to the wrong address'", "End the grant; say why.")],
            options: [
                .value("reason", valueName: "TEXT", help: "Why (recorded in revoked.jsonl and the audit log)."),
                .shareDir,
                .auditLog,
                .json("Print the grant and its revocation as one JSON object."),
            ],
            positionals: [PositionalSpec("ID", help: "The grant id (from 'cmr share list').")],
            category: .transfer,
            exitStatuses: [
                ExitStatusNote(0, "The grant is revoked (now or before)."),
                ExitStatusNote(66, "No grant of this id was issued here."),
                ExitStatusNote(74, "The revocation or its audit record could not be written."),
                ExitStatusNote(78, "No share folder or audit log is configured."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        let settings = try inv.shareSettings()
        let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
        let result = try ShareOperations.revoke(id: inv.positionals[0], reason: inv.value("reason"),
                                                by: "\(audit.actor.user)@\(audit.actor.host)", settings: settings)
        if !result.alreadyRevoked { try audit.append([audit.shareRevokeDraft(result.grant, revocation: result.revocation)]) }
        if inv.wantsJSON {
            inv.output.line(try ShareCommand.json(ShareJSON(body: result)))
        } else if !inv.isQuiet {
            let when = ShareTime.format(result.revocation.time)
            inv.diagnostics.note(result.alreadyRevoked ? "grant \(result.grant.id) was revoked already, at \(when) by \(result.revocation.by)"
                                                       : "revoked grant \(result.grant.id) for \(result.grant.recipient)")
        }
        return 0
    }
}
