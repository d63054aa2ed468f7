import CMRKit

/// What `cmr` makes of a command line before it runs anything: the command reached with its
/// options and positionals, a request for help, or the usage error `cmr` would print (status 64).
///
/// It takes the scanner path `CMRCLI.main` takes, and nothing more: no command runs, nothing is
/// read or written, the environment is not looked at. The `args` fuzz target
/// (`Tests/Fuzz/ArgsFuzz.swift`) drives the scanner through it.
public struct CommandLineScan: Sendable, Equatable {
    /// The commands reached, root first: `["cmr", "audit", "verify"]`; for a usage error, as far
    /// as the scan got (the name diagnostics print).
    public var commandPath: [String]
    /// `-h` or `--help` stood before any `--`: `cmr` prints the help of `commandPath`.
    public var helpRequested: Bool
    /// Flags by long name: `true`, or `false` for `--no-NAME`.
    public var flags: [String: Bool]
    /// Option values by long name, in command-line order (the last one counts unless repeatable).
    public var values: [String: [String]]
    public var positionals: [String]
    /// The usage error's message and hint, when the command line is wrong.
    public var usageError: String?
    public var usageHint: String?
    /// 0 when the command would run (or help be printed), else the error's exit status (64).
    public var exitStatus: Int32

    /// Scans `arguments` (without the program name) against cmr's command tree.
    public static func scan(_ arguments: [String]) -> CommandLineScan {
        scan(arguments, root: RootCommand.self)
    }

    static func scan(_ arguments: [String], root: any CLICommand.Type) -> CommandLineScan {
        do {
            let scan = try ArgumentScanner.scan(arguments, root: root)
            return CommandLineScan(commandPath: scan.path.map { $0.spec.name }, helpRequested: scan.helpRequested,
                                   flags: scan.arguments.flags, values: scan.arguments.values,
                                   positionals: scan.arguments.positionals,
                                   usageError: nil, usageHint: nil, exitStatus: 0)
        } catch {
            return CommandLineScan(commandPath: error.path.map { $0.spec.name }, helpRequested: false,
                                   flags: [:], values: [:], positionals: [],
                                   usageError: error.error.message, usageHint: error.error.hint,
                                   exitStatus: error.error.exitStatus)
        }
    }
}

extension CommandLineScan {
    /// Every command of the tree as the words that reach it, the root (`[]`) first, hidden
    /// commands included: `[]`, `["inspect"]`, ..., `["audit", "verify"]`.
    public static var commandWords: [[String]] {
        var found: [[String]] = []
        func visit(_ command: any CLICommand.Type, _ words: [String]) {
            found.append(words)
            for sub in command.spec.subcommands { visit(sub, words + [sub.spec.name]) }
        }
        visit(RootCommand.self, [])
        return found
    }

    /// The spec of the command the words reach (see `commandWords`), or nil.
    public static func spec(of words: [String]) -> CommandSpec? {
        var command: any CLICommand.Type = RootCommand.self
        for word in words {
            guard let sub = command.spec.subcommand(named: word) else { return nil }
            command = sub
        }
        return command.spec
    }
}
