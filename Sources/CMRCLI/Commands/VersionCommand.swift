/// `cmr version`: the release, as text or JSON.
enum VersionCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "version",
            abstract: "Print cmr's version",
            discussion: "Prints 'cmr VERSION', as 'cmr --version' does.",
            examples: [UsageExample("cmr version --json", "The version as a JSON document for scripts.")],
            options: [.json("Print {\"cmrVersion\": ..., \"schemaVersion\": 1} instead.")]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        if invocation.wantsJSON {
            invocation.output.line("{\"cmrVersion\":\"\(CMRCLI.version)\",\"schemaVersion\":1}")
        } else {
            invocation.output.line("cmr \(CMRCLI.version)")
        }
        return 0
    }
}
