import CMRKit

/// One run of a command: what the command line said, where output goes, what the terminal
/// and environment are.
public struct Invocation: Sendable {
    /// `["cmr", "inspect"]`.
    public let commandPath: [String]
    public let spec: CommandSpec
    let arguments: ParsedArguments
    /// Standard output; `output.diagnostics` writes to standard error.
    public let output: Output
    public let terminal: Terminal
    public let environment: [String: String]
    let input: InputSource
    let errorStream: ErrorStream

    init(commandPath: [String], spec: CommandSpec, arguments: ParsedArguments, output: Output,
         terminal: Terminal, environment: [String: String], input: InputSource, errorStream: ErrorStream) {
        self.commandPath = commandPath
        self.spec = spec
        self.arguments = arguments
        self.output = output
        self.terminal = terminal
        self.environment = environment
        self.input = input
        self.errorStream = errorStream
    }

    /// `cmr inspect`, as diagnostics name the command.
    public var displayName: String { commandPath.joined(separator: " ") }

    public var diagnostics: Diagnostics { output.diagnostics }

    /// Positional arguments in order (`-` stands for standard input).
    public var positionals: [String] { arguments.positionals }

    /// Whether a flag is on: given, or for a `--no-` negatable flag, given or on by default.
    public func flag(_ name: String) -> Bool {
        guard let option = declared(name) else { return false }
        if let given = arguments.flags[name] { return given }
        if case .negatableFlag(let on) = option.kind { return on }
        return false
    }

    /// The value of an option: the last one given, else its default.
    public func value(_ name: String) -> String? {
        guard let option = declared(name) else { return nil }
        return arguments.values[name]?.last ?? option.defaultValue
    }

    /// Every value given to a repeatable option, in order.
    public func values(_ name: String) -> [String] {
        guard declared(name) != nil else { return [] }
        return arguments.values[name] ?? []
    }

    /// The value of an integer option (checked by the scanner), else its default.
    public func integer(_ name: String) -> Int? {
        value(name).flatMap { Int($0) }
    }

    /// Whether the option was on the command line (in any spelling).
    public func isGiven(_ name: String) -> Bool {
        guard declared(name) != nil else { return false }
        return arguments.flags[name] != nil || arguments.values[name] != nil
    }

    /// `--json`, when the command declares it.
    public var wantsJSON: Bool { spec.option(named: "json") != nil && flag("json") }
    public var isQuiet: Bool { flag("quiet") }
    public var isVerbose: Bool { flag("verbose") }

    /// A progress line on standard error: drawn only when it is a terminal and not `--quiet`.
    public func progress(_ label: String, total: Int? = nil) -> ProgressReporter {
        let visible = terminal.standardErrorIsTTY && !isQuiet && environment["TERM"] != "dumb"
        return ProgressReporter(label: label, total: total, stream: visible ? errorStream : nil,
                                width: terminal.width ?? 80)
    }

    /// All of standard input (for `-`: a list of paths).
    public func readStandardInput() throws(CMRError) -> [UInt8] {
        try input.readAll()
    }

    private func declared(_ name: String) -> OptionSpec? {
        let option = spec.option(named: name)
        assert(option != nil, "\(displayName) does not declare --\(name)")
        return option
    }
}
