/// What the scanner read for one command: options by long name, and positionals in order.
struct ParsedArguments: Sendable, Equatable {
    /// Flags given, by long name: `true`, or `false` for `--no-NAME`.
    var flags: [String: Bool] = [:]
    /// Values given, by long name, in command-line order.
    var values: [String: [String]] = [:]
    var positionals: [String] = []

    /// Global options read before the command word are carried into the command's arguments.
    func carriedGlobals() -> ParsedArguments {
        var carried = ParsedArguments()
        for option in OptionSpec.globalOptions {
            if let flag = flags[option.name] { carried.flags[option.name] = flag }
            if let value = values[option.name] { carried.values[option.name] = value }
        }
        return carried
    }
}
