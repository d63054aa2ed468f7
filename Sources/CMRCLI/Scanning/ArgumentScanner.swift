import CMRKit

/// Reads a command line against the spec tree: finds the command (`cmr inspect`), then its
/// options and positionals.
///
/// - Options may come before and after positionals; `--` ends them.
/// - `--name=value` and `--name value`; `-abc` bundles short flags; a short option that takes a
///   value takes the rest of its bundle (`-oDIR`) or the next argument.
/// - `-` alone is a positional (standard input).
/// - Global options (`-q`, `-v`, `--no-color`, `-h`) may also come before the command word.
/// - `-h`/`--help` anywhere before `--` asks for the help of the command reached, even when
///   something else on the line is wrong.
struct ArgumentScanner {
    /// The command reached (root first) and its arguments.
    struct Scan {
        var path: [any CLICommand.Type]
        var arguments: ParsedArguments

        var command: any CLICommand.Type { path[path.count - 1] }
        var helpRequested: Bool { arguments.flags["help"] == true }
    }

    /// A usage error, with the command path reached so far (for the `cmr inspect:` prefix).
    struct Failure: Error {
        var path: [any CLICommand.Type]
        var error: CMRError
    }

    static func scan(_ arguments: [String], root: any CLICommand.Type) throws(Failure) -> Scan {
        var path: [any CLICommand.Type] = [root]
        var remaining = ArraySlice(arguments)
        var carried = ParsedArguments()
        while true {
            let level = LevelScanner(command: path[path.count - 1], path: path, arguments: remaining, parsed: carried)
            let outcome: LevelScanner.Outcome
            do {
                outcome = try level.scan()
            } catch {
                // `-h` may have been read before the command word (`cmr -h inspect --bogus`).
                if carried.flags["help"] == true || asksForHelp(remaining) {
                    var help = carried
                    help.flags["help"] = true
                    return Scan(path: path, arguments: help)
                }
                throw Failure(path: path, error: error)
            }
            switch outcome {
            case .done(let parsed):
                return Scan(path: path, arguments: parsed)
            case .descend(let sub, let rest, let parsed):
                path.append(sub)
                remaining = rest
                carried = parsed.carriedGlobals()
            }
        }
    }

    /// Whether `-h` or `--help` stands before any `--`.
    static func asksForHelp(_ arguments: ArraySlice<String>) -> Bool {
        for argument in arguments {
            if argument == "--" { return false }
            if argument == "--help" || argument == "-h" { return true }
        }
        return false
    }
}

/// Scans the arguments of one command of the path.
private struct LevelScanner {
    enum Outcome {
        case done(ParsedArguments)
        case descend(any CLICommand.Type, ArraySlice<String>, ParsedArguments)
    }

    let command: any CLICommand.Type
    let spec: CommandSpec
    let displayName: String
    var arguments: ArraySlice<String>
    var parsed: ParsedArguments

    init(command: any CLICommand.Type, path: [any CLICommand.Type], arguments: ArraySlice<String>, parsed: ParsedArguments) {
        self.command = command
        self.spec = command.spec
        self.displayName = path.map { $0.spec.name }.joined(separator: " ")
        self.arguments = arguments
        self.parsed = parsed
    }

    func scan() throws(CMRError) -> Outcome {
        var state = self
        return try state.run()
    }

    private mutating func run() throws(CMRError) -> Outcome {
        var optionsEnded = false
        while let argument = arguments.popFirst() {
            if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
                if !optionsEnded, !spec.subcommands.isEmpty, parsed.positionals.isEmpty {
                    if let sub = spec.subcommand(named: argument) {
                        return .descend(sub, arguments, parsed)
                    }
                    if spec.positionals.isEmpty { throw unknownCommand(argument) }
                }
                parsed.positionals.append(argument)
            } else if argument == "--" {
                optionsEnded = true
            } else if argument.hasPrefix("--") {
                try scanLong(argument)
            } else {
                try scanShortBundle(argument)
            }
        }
        if parsed.flags["help"] != true { try validate() }
        return .done(parsed)
    }

    // MARK: long options

    private mutating func scanLong(_ argument: String) throws(CMRError) {
        let body = argument.dropFirst(2)
        let name: String
        let inline: String?
        if let equals = body.firstIndex(of: "=") {
            name = String(body[..<equals])
            inline = String(body[body.index(after: equals)...])
        } else {
            name = String(body)
            inline = nil
        }
        if let option = spec.option(named: name) {
            if option.takesValue {
                let value: String
                if let inline { value = inline } else { value = try nextValue(for: "--\(name)", option) }
                try record(value, for: option, as: "--\(name)")
            } else {
                if inline != nil { throw usage("option '--\(name)' takes no value", hint: "write '--\(name)' alone") }
                parsed.flags[option.name] = true
            }
            return
        }
        if name.hasPrefix("no-"), let option = spec.option(named: String(name.dropFirst(3))), option.isNegatable {
            if inline != nil { throw usage("option '--\(name)' takes no value", hint: "write '--\(name)' alone") }
            parsed.flags[option.name] = false
            return
        }
        if name.hasPrefix("no-"), let option = spec.option(named: String(name.dropFirst(3))), !option.isHidden {
            throw usage("unknown option '--\(name)'", hint: "'--\(option.name)' has no negative form; leave it out")
        }
        let candidates = spec.allOptions.filter { !$0.isHidden }.flatMap(\.longSpellings)
        throw usage("unknown option '--\(name)'",
                    hint: Suggestions.hint(for: "--\(name)", among: candidates) ?? seeHelp)
    }

    // MARK: short options

    private mutating func scanShortBundle(_ argument: String) throws(CMRError) {
        let letters = Array(argument.dropFirst())
        var index = 0
        while index < letters.count {
            let letter = letters[index]
            guard let option = spec.option(short: letter) else {
                throw unknownShort(letter, in: argument)
            }
            if option.takesValue {
                var rest = String(letters[(index + 1)...])
                if rest.hasPrefix("=") { rest.removeFirst() }
                let value: String
                if rest.isEmpty { value = try nextValue(for: "-\(letter)", option) } else { value = rest }
                try record(value, for: option, as: "-\(letter)")
                return
            }
            parsed.flags[option.name] = true
            index += 1
        }
    }

    private func unknownShort(_ letter: Character, in argument: String) -> CMRError {
        let word = String(argument.dropFirst())
        let longNames = spec.allOptions.filter { !$0.isHidden }.flatMap(\.longSpellings)
        // `-json` was meant as `--json`.
        if word.count > 1, let hint = Suggestions.hint(for: "--" + word, among: longNames) {
            return usage("unknown option '-\(letter)' in '\(argument)'", hint: hint)
        }
        let message = argument.count > 2 ? "unknown option '-\(letter)' in '\(argument)'" : "unknown option '-\(letter)'"
        return usage(message, hint: seeHelp)
    }

    // MARK: values

    /// The argument after an option that takes one.
    private mutating func nextValue(for spelling: String, _ option: OptionSpec) throws(CMRError) -> String {
        let valueName = option.valueName ?? "VALUE"
        guard let next = arguments.first else {
            throw usage("option '\(spelling)' needs a value (\(valueName))", hint: usageLine)
        }
        if next.count > 1, next.hasPrefix("-"), Int(next) == nil {
            throw usage("option '\(spelling)' needs a value (\(valueName)), not '\(next)'",
                        hint: "write '--\(option.name)=\(next)' if the value starts with '-'")
        }
        arguments.removeFirst()
        return next
    }

    private mutating func record(_ value: String, for option: OptionSpec, as spelling: String) throws(CMRError) {
        if case .integer(let minimum) = option.valueType {
            guard let number = Int(value), number >= minimum else {
                let what = minimum == 0 ? "a whole number, 0 or more" :
                    minimum == 1 ? "a whole number, 1 or more" : "a whole number, \(minimum) or more"
                throw usage("option '\(spelling)' needs \(what), not '\(value)'")
            }
        }
        if let choices = option.completion.choices, !choices.contains(value) {
            throw usage("option '\(spelling)' does not accept '\(value)'; choose one of: \(choices.joined(separator: ", "))",
                        hint: Suggestions.hint(for: value, among: choices))
        }
        if option.isRepeatable {
            parsed.values[option.name, default: []].append(value)
        } else {
            parsed.values[option.name] = [value]
        }
    }

    // MARK: checks once everything is read

    private func validate() throws(CMRError) {
        if parsed.flags["quiet"] == true, parsed.flags["verbose"] == true {
            throw usage("--quiet and --verbose cannot be used together")
        }
        for group in spec.exclusiveOptions {
            let given = group.filter { parsed.flags[$0] != nil || parsed.values[$0] != nil }
            if given.count > 1 {
                let names = given.map { "--\($0)" }
                throw usage("\(names.dropLast().joined(separator: ", ")) and \(names.last!) cannot be used together",
                            hint: "choose one of " + group.map { "--\($0)" }.joined(separator: ", "))
            }
        }
        try validatePositionals()
    }

    private func validatePositionals() throws(CMRError) {
        var given = parsed.positionals[...]
        for positional in spec.positionals {
            let taken: ArraySlice<String>
            if positional.arity.isRepeating {
                taken = given
                given = []
            } else {
                taken = given.prefix(1)
                given = given.dropFirst(taken.count)
            }
            if taken.isEmpty, positional.arity.isRequired {
                throw usage("missing \(positional.name)", hint: usageLine)
            }
            if let choices = positional.completion.choices {
                for value in taken where !choices.contains(value) {
                    throw usage("'\(value)' is not a valid \(positional.name); choose one of: \(choices.joined(separator: ", "))",
                                hint: Suggestions.hint(for: value, among: choices))
                }
            }
        }
        if let extra = given.first {
            throw usage("unexpected argument '\(extra)'", hint: usageLine)
        }
    }

    // MARK: errors

    private func unknownCommand(_ word: String) -> CMRError {
        let names = spec.visibleSubcommands.map { $0.spec.name }
        let hint = Suggestions.hint(for: word, among: names)
            ?? "see '\(displayName == "cmr" ? "cmr help" : displayName + " --help")' for the list of commands"
        return usage("'\(word)' is not a \(displayName) command", hint: hint)
    }

    private var seeHelp: String { "see '\(displayName) --help'" }

    private var usageLine: String { "usage: " + HelpRenderer.usage(of: spec, path: displayName) }

    private func usage(_ message: String, hint: String? = nil) -> CMRError {
        CMRError(.usage, message, hint: hint)
    }
}
