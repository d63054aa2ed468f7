/// `cmr` itself: `cmr --version`, and the root of the command tree.
///
/// `cmr` with no command prints the root help to standard error and exits with 64 (a usage
/// error, as sysexits has it); asked for, with `cmr help` or `cmr --help`, help goes to
/// standard output with status 0.
enum RootCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "cmr",
            abstract: "Move DICOM medical images out of hospitals safely",
            discussion: """
                cmr is a toolbox of commands for DICOM files: each reads files, folders, or a list of \
                paths on standard input ('-'), writes data to standard output and messages to standard \
                error, and exits with a BSD sysexits status, so commands compose with find, xargs, cron \
                and each other.

                Run with no command, cmr prints this help to standard error and exits with status 64 \
                (a usage error); 'cmr help' and 'cmr --help' print it to standard output.
                """,
            options: [
                .flag("version", help: "Print cmr's version and exit."),
            ],
            subcommands: CommandRegistry.commands,
            exitStatuses: ExitStatusNote.all
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        if invocation.flag("version") {
            invocation.output.line("cmr \(CMRCLI.version)")
            return 0
        }
        invocation.errorStream.write(HelpRenderer(width: 80).help(for: [RootCommand.self]))
        return 64
    }
}

extension ExitStatusNote {
    /// Every status cmr uses (BSD sysexits), as docs/exit-codes.md explains them.
    static let all: [ExitStatusNote] = [
        ExitStatusNote(0, "Success."),
        ExitStatusNote(1, "A negative or partial result: some files failed, validation found problems, an audit chain is broken."),
        ExitStatusNote(64, "The command line is wrong (unknown option or command, missing argument)."),
        ExitStatusNote(65, "The input data is invalid: not DICOM, corrupt, or fails validation."),
        ExitStatusNote(66, "An input file or folder does not exist or cannot be opened."),
        ExitStatusNote(69, "A peer is unavailable or rejected the association."),
        ExitStatusNote(70, "An internal error: a bug in cmr."),
        ExitStatusNote(73, "An output cannot be created."),
        ExitStatusNote(74, "A read or write failed."),
        ExitStatusNote(75, "A temporary failure; trying again may work."),
        ExitStatusNote(76, "A peer broke the protocol."),
        ExitStatusNote(77, "Refused by permission or by policy."),
        ExitStatusNote(78, "The configuration (key file, recipe, config) is wrong."),
        ExitStatusNote(130, "Interrupted (Ctrl-C)."),
    ]
}
