/// `cmr completion bash|zsh|fish`: a completion script rendered from the spec tree.
enum CompletionCommand: CLICommand {
    static let shells = ["bash", "zsh", "fish"]

    static var spec: CommandSpec {
        CommandSpec(
            name: "completion",
            abstract: "Print a shell completion script",
            discussion: """
                Prints the completion script for the shell named: commands, options, their values, \
                and paths where a command takes files or folders. The same scripts are in cmr's \
                completions/ folder.
                """,
            examples: [
                UsageExample("source <(cmr completion bash)", "Complete cmr in this bash session (add it to ~/.bashrc to keep it)."),
                UsageExample("cmr completion zsh > \"${fpath[1]}/_cmr\"", "Install for zsh (a folder on $fpath; start a new shell)."),
                UsageExample("cmr completion fish > ~/.config/fish/completions/cmr.fish", "Install for fish."),
            ],
            positionals: [PositionalSpec("SHELL", help: "The shell to complete for.", completion: .choices(shells))]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let root = RootCommand.self
        switch invocation.positionals.first {
        case "bash": invocation.output.write(BashCompletionRenderer().render(root))
        case "zsh": invocation.output.write(ZshCompletionRenderer().render(root))
        default: invocation.output.write(FishCompletionRenderer().render(root))
        }
        return 0
    }
}
