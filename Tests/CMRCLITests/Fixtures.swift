import CMRKit
@testable import CMRCLI

/// A command tree with every kind of option, apart from cmr's real commands.
enum FixtureRoot: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(name: "cmr", abstract: "Fixture root", options: [.flag("version", help: "Version.")],
                    subcommands: [FixtureTool.self, FixtureGroup.self, FixtureHidden.self])
    }
    static func run(_ invocation: Invocation) throws -> Int32 { 0 }
}

enum FixtureTool: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "tool", abstract: "A tool",
            options: [
                .json("JSON."),
                .flag("summary", help: "Summary."),
                .repeatable("tag", valueName: "KEYWORD", help: "Tag."),
                .value("out", short: "o", valueName: "DIR", help: "Out.", completion: .directory),
                .value("count", valueName: "N", help: "Count.", type: .integer(minimum: 1), default: "3"),
                .value("format", valueName: "FORMAT", help: "Format.", completion: .choices(["png", "jpeg"])),
                .negatable("recursive", short: "r", default: true, help: "Recurse."),
                .flag("null", short: "0", help: "NUL."),
                OptionSpec("secret", help: "Hidden.", isHidden: true),
            ],
            positionals: [PositionalSpec("FILE", help: "Files.", arity: .oneOrMore, completion: .file)],
            exclusiveOptions: [["json", "summary"]]
        )
    }

    struct Unexpected: Error {}

    /// What the first positional says: `missing` throws a CMRError, `bug` another error,
    /// `partial` returns 1, `out` writes a line; anything else returns 0.
    static func run(_ invocation: Invocation) throws -> Int32 {
        switch invocation.positionals.first {
        case "missing": throw CMRError(.inputMissing, "missing: no such file or directory", hint: "check the path")
        case "bug": throw Unexpected()
        case "partial":
            invocation.diagnostics.error("b.dcm: not DICOM")
            return 1
        case "out":
            invocation.output.line("a.dcm")
            return 0
        default: return 0
        }
    }
}

enum FixtureGroup: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(name: "audit", abstract: "A group", subcommands: [FixtureVerify.self])
    }
}

enum FixtureVerify: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(name: "verify", abstract: "Verify",
                    positionals: [PositionalSpec("LOG", help: "Log."),
                                  PositionalSpec("MODE", help: "Mode.", arity: .optional, completion: .choices(["fast", "full"]))])
    }
    static func run(_ invocation: Invocation) throws -> Int32 { 0 }
}

enum FixtureHidden: CLICommand {
    static var spec: CommandSpec { CommandSpec(name: "_hidden", abstract: "Hidden", isHidden: true) }
    static func run(_ invocation: Invocation) throws -> Int32 { 0 }
}
