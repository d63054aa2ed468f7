/// A cmr command: a static spec from which its help, man page and completions are rendered,
/// and a `run` that does the work with what the scanner made of the command line.
///
/// ```swift
/// enum VersionCommand: CLICommand {
///     static var spec: CommandSpec { CommandSpec(name: "version", abstract: "Print cmr's version") }
///     static func run(_ invocation: Invocation) throws -> Int32 {
///         invocation.output.line("cmr \(CMRCLI.version)")
///         return 0
///     }
/// }
/// ```
///
/// `run` returns the exit status (0, or 1 for a negative or partial result); a thrown `CMRError`
/// is printed as `cmr NAME: error: MESSAGE` and `hint: HINT` and exits with its `exitStatus`;
/// any other error exits with 70.
public protocol CLICommand: Sendable {
    static var spec: CommandSpec { get }
    static func run(_ invocation: Invocation) throws -> Int32
}

extension CLICommand {
    /// A command that only groups subcommands (`cmr audit`) was called without one.
    public static func run(_ invocation: Invocation) throws -> Int32 {
        invocation.diagnostics.error("missing command", hint: "see '\(invocation.displayName) --help' for its commands")
        return 64
    }
}
