import CMRKit
import CMRShare

/// `cmr share status ID`: one grant and every access to it.
enum ShareStatusCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "status",
            abstract: "Show a grant, its state and every access to it",
            discussion: """
                The grant as issued, its state, its revocation, every use counted by the server \
                (uses.jsonl: time and client address), and every audit record that names the \
                grant (issue, revocation, each request 'cmr share serve' logged, refusals).
                """,
            examples: [UsageExample("cmr share status 0816393426fe626479d500f3b42a9c90", "Who opened the link, and when?")],
            options: [.shareDir, .auditLog, .json("Print the grant, state, uses and audit records as one JSON object.")],
            positionals: [PositionalSpec("ID", help: "The grant id (from 'cmr share list').")],
            category: .transfer,
            exitStatuses: [
                ExitStatusNote(0, "The grant was shown."),
                ExitStatusNote(66, "No grant of this id was issued here."),
                ExitStatusNote(78, "No share folder is configured."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        let settings = try inv.shareSettings()
        let log = AuditContext.logPath(option: inv.value("audit-log"), environment: inv.environment)
        let status = try ShareOperations.status(id: inv.positionals[0], settings: settings, auditLog: log)
        if inv.wantsJSON {
            inv.output.line(try ShareCommand.json(ShareJSON(body: status)))
            return 0
        }
        let l = status.listing, g = l.grant
        let out = inv.output
        out.line("grant \(g.id): \(l.state)")
        out.line("recipient   \(g.recipient)")
        out.line("study       \(g.studyUID)" + (g.seriesUIDs.isEmpty ? "" : " (series \(g.seriesUIDs.joined(separator: ", ")))"))
        out.line("scope       \(g.scope.rawValue), mode \(g.mode)")
        out.line("valid       \(ShareTime.format(g.notBefore)) to \(ShareTime.format(g.expires))")
        out.line("uses        \(l.uses)" + (g.maxUses.map { " of \($0)" } ?? ""))
        if let r = l.revoked { out.line("revoked     \(ShareTime.format(r.time)) by \(r.by)" + (r.reason.map { ": \($0)" } ?? "")) }
        if let note = g.note { out.line("note        \(note)") }
        for use in status.uses { out.line("use \(use.n)  \(ShareTime.format(use.time))  \(use.address ?? "-")") }
        for a in status.accesses {
            out.line("audit \(a.seq)  \(a.time)  \(a.event)/\(a.action) \(a.name)  outcome \(a.outcome)  \(a.peer ?? a.destination ?? "-")")
        }
        if let note = status.auditNote, !inv.isQuiet { inv.diagnostics.note(note) }
        return 0
    }
}
