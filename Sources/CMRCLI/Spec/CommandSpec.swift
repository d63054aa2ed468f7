/// The static description of one command: from it cmr renders help, usage errors, man pages
/// and shell completions, and the scanner reads the command line.
public struct CommandSpec: Sendable {
    /// The word that names the command on the command line (`inspect`); `cmr` for the root.
    public var name: String
    /// One line, no final full stop: `Show what is inside DICOM files`.
    public var abstract: String
    /// Paragraphs (separated by blank lines) shown under the usage line and in the man page.
    public var discussion: String
    public var examples: [UsageExample]
    /// The command's own options; the global options (`CommandSpec.globalOptions`) come on top.
    public var options: [OptionSpec]
    public var positionals: [PositionalSpec]
    public var subcommands: [any CLICommand.Type]
    /// Hidden commands run but appear in no help list, completion or man page.
    public var isHidden: Bool
    /// Where the root help lists the command.
    public var category: CommandCategory
    /// Long names of options of which at most one may be given (`--json`, `--summary`, ...).
    public var exclusiveOptions: [[String]]
    /// Exit statuses particular to this command, for help and the man page.
    public var exitStatuses: [ExitStatusNote]

    public init(
        name: String,
        abstract: String,
        discussion: String = "",
        examples: [UsageExample] = [],
        options: [OptionSpec] = [],
        positionals: [PositionalSpec] = [],
        subcommands: [any CLICommand.Type] = [],
        isHidden: Bool = false,
        category: CommandCategory = .helpers,
        exclusiveOptions: [[String]] = [],
        exitStatuses: [ExitStatusNote] = []
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.examples = examples
        self.options = options
        self.positionals = positionals
        self.subcommands = subcommands
        self.isHidden = isHidden
        self.category = category
        self.exclusiveOptions = exclusiveOptions
        self.exitStatuses = exitStatuses
    }
}

extension CommandSpec {
    /// The command's options followed by the global ones, as the scanner accepts them.
    public var allOptions: [OptionSpec] { options + OptionSpec.globalOptions }

    /// The option with the long name `name`, or with `--no-name` when negatable.
    func option(named name: String) -> OptionSpec? {
        allOptions.first { $0.name == name }
    }

    func option(short: Character) -> OptionSpec? {
        allOptions.first { $0.short == short }
    }

    /// The subcommands to show: not hidden.
    var visibleSubcommands: [any CLICommand.Type] {
        subcommands.filter { !$0.spec.isHidden }
    }

    func subcommand(named word: String) -> (any CLICommand.Type)? {
        subcommands.first { $0.spec.name == word }
    }

    var visibleOptions: [OptionSpec] { options.filter { !$0.isHidden } }
}

/// A command line shown in help and man pages, with what it does.
public struct UsageExample: Sendable, Equatable {
    /// The whole command line, starting with `cmr`.
    public var command: String
    public var explanation: String

    public init(_ command: String, _ explanation: String) {
        self.command = command
        self.explanation = explanation
    }
}

/// An exit status a command documents, beyond the ones every command shares.
public struct ExitStatusNote: Sendable, Equatable {
    public var status: Int32
    public var meaning: String

    public init(_ status: Int32, _ meaning: String) {
        self.status = status
        self.meaning = meaning
    }
}
