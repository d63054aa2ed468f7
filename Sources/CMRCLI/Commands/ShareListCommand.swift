import CMRKit
import CMRShare

/// `cmr share list`: every grant issued here, with its state and uses.
enum ShareListCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "list",
            abstract: "List the grants issued here, their state and uses",
            discussion: """
                One line per grant, oldest first: id, state (active, pending, used-up, expired, \
                revoked), uses so far (of the maximum), expiry, scope, recipient and study. \
                --json writes one JSON object with all grants (tokens are never listed: see \
                grants.jsonl).
                """,
            examples: [UsageExample("cmr share list --state active", "The grants that still work.")],
            options: [
                .repeatable("state", valueName: "STATE", help: "Only grants in this state; may be repeated.",
                            completion: .choices(["active", "pending", "used-up", "expired", "revoked"])),
                .shareDir,
                .json("Print {\"grants\": [...]} with every field."),
            ],
            category: .transfer,
            exitStatuses: [ExitStatusNote(0, "The grants were listed (none is not an error)."), ExitStatusNote(78, "No share folder is configured.")]
        )
    }

    struct Result: Encodable {
        var directory: String
        var grants: [ShareOperations.Listing]
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        let settings = try inv.shareSettings()
        let states = inv.values("state")
        let grants = try ShareOperations.list(settings: settings).filter { states.isEmpty || states.contains($0.state) }
        if inv.wantsJSON {
            inv.output.line(try ShareCommand.json(ShareJSON(body: Result(directory: settings.directory, grants: grants))))
            return 0
        }
        if grants.isEmpty {
            if !inv.isQuiet { inv.diagnostics.note("no grants in \(settings.directory)") }
            return 0
        }
        let rows = grants.map { l in
            [l.grant.id, l.state, l.grant.maxUses.map { "\(l.uses)/\($0)" } ?? "\(l.uses)", ShareTime.format(l.grant.expires),
             l.grant.scope.rawValue, l.grant.recipient, l.grant.studyUID]
        }
        let header = ["ID", "STATE", "USES", "EXPIRES", "SCOPE", "RECIPIENT", "STUDY"]
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            inv.output.line(cells.joined(separator: "  "))
        }
        return 0
    }
}
