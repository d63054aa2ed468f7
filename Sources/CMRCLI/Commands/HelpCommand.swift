import CMRKit

/// `cmr help [COMMAND...]`: the same text as `--help`, on standard output.
enum HelpCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "help",
            abstract: "Show help for cmr or one of its commands",
            discussion: "Prints the help of the command named (the same as 'cmr COMMAND --help'), or cmr's list of commands.",
            examples: [UsageExample("cmr help inspect", "The options and examples of cmr inspect.")],
            positionals: [PositionalSpec("COMMAND", help: "The command to explain.", arity: .zeroOrMore, completion: .commandNames)]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        var path: [any CLICommand.Type] = [RootCommand.self]
        for word in invocation.positionals {
            let current = path[path.count - 1].spec
            guard let sub = current.subcommand(named: word) else {
                let name = path.map { $0.spec.name }.joined(separator: " ")
                throw CMRError(.usage, "'\(word)' is not a \(name) command",
                               hint: Suggestions.hint(for: word, among: current.visibleSubcommands.map { $0.spec.name })
                                   ?? "see 'cmr help' for the list of commands")
            }
            path.append(sub)
        }
        invocation.output.write(HelpRenderer(width: invocation.terminal.helpWidth).help(for: path))
        return 0
    }
}
