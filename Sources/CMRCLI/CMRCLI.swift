#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CMRKit

/// The command-line front of cmr: `main.swift` calls `CMRCLI.main(CommandLine.arguments)`.
public enum CMRCLI {
    /// The release, as `cmr --version` prints it.
    public static let version = "0.1.0"
    /// The date of this version's manual pages (ISO 8601); change it with `version`.
    public static let releaseDate = "2026-11-29"

    /// Runs the command line `arguments` (with the program name first) and returns the exit status.
    public static func main(_ arguments: [String]) -> Int32 {
        Interrupt.install()
        let environment = processEnvironment()
        return run(Array(arguments.dropFirst()), environment: environment,
                   terminal: .detect(environment: environment), streams: .process)
    }

    /// Runs `arguments` (without the program name) against the given streams.
    static func run(_ arguments: [String], environment: [String: String], terminal: Terminal,
                    streams: StandardStreams, root: any CLICommand.Type = RootCommand.self) -> Int32 {
        let errorStream = ErrorStream(sink: streams.error)
        let scan: ArgumentScanner.Scan
        do {
            scan = try ArgumentScanner.scan(arguments, root: root)
        } catch {
            let noColor = arguments.prefix { $0 != "--" }.contains("--no-color")
            let diagnostics = Diagnostics(
                commandName: error.path.map { $0.spec.name }.joined(separator: " "), stream: errorStream,
                verbosity: .normal,
                usesColor: Diagnostics.colorAllowed(terminal: terminal, environment: environment, noColorFlag: noColor))
            diagnostics.error(error.error.message, hint: error.error.hint)
            return error.error.exitStatus
        }

        let parsed = scan.arguments
        let commandPath = scan.path.map { $0.spec.name }
        let verbosity: Diagnostics.Verbosity = parsed.flags["quiet"] == true ? .quiet
            : parsed.flags["verbose"] == true ? .verbose : .normal
        let diagnostics = Diagnostics(
            commandName: commandPath.joined(separator: " "), stream: errorStream, verbosity: verbosity,
            usesColor: Diagnostics.colorAllowed(terminal: terminal, environment: environment,
                                                noColorFlag: parsed.flags["no-color"] == true),
            jsonLines: parsed.values["log-format"]?.last == "json")
        let output = Output(sink: streams.output,
                            lineBuffered: terminal.standardOutputIsPipe || terminal.standardOutputIsTTY,
                            diagnostics: diagnostics)
        let invocation = Invocation(commandPath: commandPath, spec: scan.command.spec, arguments: parsed,
                                    output: output, terminal: terminal, environment: environment,
                                    input: streams.input, errorStream: errorStream)

        var status: Int32
        if scan.helpRequested {
            output.write(HelpRenderer(width: terminal.helpWidth).help(for: scan.path))
            status = 0
        } else {
            do {
                status = try scan.command.run(invocation)
            } catch let error as CMRError {
                diagnostics.error(error.message, hint: error.hint)
                status = error.exitStatus
            } catch {
                diagnostics.error("internal error: \(error)", hint: "this is a bug in cmr; please report it with the command line")
                status = 70
            }
        }
        output.flush()
        if let failure = output.failure, failure != EPIPE {
            diagnostics.error("cannot write to standard output: \(String(cString: strerror(failure)))")
            if status == 0 || status == 1 { status = 74 }
        }
        return status
    }

    /// The environment, read from `environ` (cheaper at start-up than building `ProcessInfo`).
    static func processEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                environment[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return environment
    }
}

/// Standard input, output and error: the process's, or memory for tests.
struct StandardStreams {
    var input: InputSource
    var output: ByteSink
    var error: ByteSink

    static var process: StandardStreams {
        StandardStreams(input: .process, output: ByteSink(descriptor: 1), error: ByteSink(descriptor: 2))
    }

    static func memory(input: [UInt8] = []) -> StandardStreams {
        StandardStreams(input: .memory(input), output: ByteSink(), error: ByteSink())
    }
}
