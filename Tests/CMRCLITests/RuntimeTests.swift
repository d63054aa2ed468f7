import XCTest
import CMRKit
@testable import CMRCLI

final class RuntimeTests: XCTestCase {
    private func invocation(_ arguments: [String], terminal: Terminal = .none, environment: [String: String] = [:],
                            stderr: ByteSink = ByteSink(), stdout: ByteSink = ByteSink()) throws -> Invocation {
        let scan = try ArgumentScanner.scan(arguments, root: FixtureRoot.self)
        let stream = ErrorStream(sink: stderr)
        let diagnostics = Diagnostics(
            commandName: scan.path.map { $0.spec.name }.joined(separator: " "), stream: stream,
            verbosity: scan.arguments.flags["quiet"] == true ? .quiet : scan.arguments.flags["verbose"] == true ? .verbose : .normal,
            usesColor: Diagnostics.colorAllowed(terminal: terminal, environment: environment,
                                                noColorFlag: scan.arguments.flags["no-color"] == true))
        return Invocation(commandPath: scan.path.map { $0.spec.name }, spec: scan.command.spec, arguments: scan.arguments,
                          output: Output(sink: stdout, lineBuffered: true, diagnostics: diagnostics),
                          terminal: terminal, environment: environment, input: .memory(Array("a\nb\n".utf8)), errorStream: stream)
    }

    func testTypedAccessors() throws {
        let i = try invocation(["tool", "--json", "--tag", "A", "--tag", "B", "--no-recursive", "x", "-", "--count", "9"])
        XCTAssertEqual(i.commandPath, ["cmr", "tool"])
        XCTAssertEqual(i.displayName, "cmr tool")
        XCTAssertTrue(i.flag("json"))
        XCTAssertTrue(i.wantsJSON)
        XCTAssertFalse(i.flag("summary"))
        XCTAssertFalse(i.flag("recursive"))
        XCTAssertTrue(i.isGiven("recursive"))
        XCTAssertEqual(i.values("tag"), ["A", "B"])
        XCTAssertEqual(i.value("tag"), "B")
        XCTAssertEqual(i.integer("count"), 9)
        XCTAssertEqual(i.positionals, ["x", "-"])
        XCTAssertEqual(try i.readStandardInput(), Array("a\nb\n".utf8))

        let defaults = try invocation(["tool", "x"])
        XCTAssertTrue(defaults.flag("recursive"))
        XCTAssertFalse(defaults.isGiven("recursive"))
        XCTAssertEqual(defaults.value("count"), "3")
        XCTAssertEqual(defaults.integer("count"), 3)
        XCTAssertNil(defaults.value("out"))
        XCTAssertEqual(defaults.values("tag"), [])
        XCTAssertFalse(defaults.isQuiet)
    }

    func testDiagnosticsFormat() throws {
        let stderr = ByteSink()
        let i = try invocation(["tool", "x"], stderr: stderr)
        i.diagnostics.error("scan.dcm: truncated at offset 1234 in (7FE0,0010)", hint: "the file is cut short; copy it again")
        i.diagnostics.warning("odd length")
        i.diagnostics.note("skipped notes.txt: not DICOM")
        i.diagnostics.verbose("not shown without --verbose")
        XCTAssertEqual(stderr.capturedText, """
            cmr tool: error: scan.dcm: truncated at offset 1234 in (7FE0,0010)
            hint: the file is cut short; copy it again
            cmr tool: warning: odd length
            cmr tool: note: skipped notes.txt: not DICOM

            """)
    }

    func testQuietAndVerbose() throws {
        let quiet = ByteSink()
        let q = try invocation(["tool", "-q", "x"], stderr: quiet)
        q.diagnostics.warning("w")
        q.diagnostics.note("n")
        q.diagnostics.error("e")
        XCTAssertEqual(quiet.capturedText, "cmr tool: error: e\n")

        let verbose = ByteSink()
        let v = try invocation(["tool", "-v", "x"], stderr: verbose)
        v.diagnostics.verbose("step")
        XCTAssertEqual(verbose.capturedText, "cmr tool: note: step\n")
    }

    func testColourOnlyOnATerminalWithoutNoColor() throws {
        let tty = Terminal(standardErrorIsTTY: true)
        XCTAssertTrue(Diagnostics.colorAllowed(terminal: tty, environment: [:], noColorFlag: false))
        XCTAssertTrue(Diagnostics.colorAllowed(terminal: tty, environment: ["NO_COLOR": ""], noColorFlag: false))
        XCTAssertFalse(Diagnostics.colorAllowed(terminal: tty, environment: ["NO_COLOR": "1"], noColorFlag: false))
        XCTAssertFalse(Diagnostics.colorAllowed(terminal: tty, environment: ["TERM": "dumb"], noColorFlag: false))
        XCTAssertFalse(Diagnostics.colorAllowed(terminal: tty, environment: [:], noColorFlag: true))
        XCTAssertFalse(Diagnostics.colorAllowed(terminal: .none, environment: [:], noColorFlag: false))

        let stderr = ByteSink()
        let i = try invocation(["tool", "x"], terminal: tty, stderr: stderr)
        i.diagnostics.error("bad", hint: "fix")
        XCTAssertEqual(stderr.capturedText, "cmr tool: \u{1B}[1;31merror:\u{1B}[0m bad\n\u{1B}[1mhint:\u{1B}[0m fix\n")

        let plain = ByteSink()
        try invocation(["tool", "--no-color", "x"], terminal: tty, stderr: plain).diagnostics.error("bad")
        XCTAssertEqual(plain.capturedText, "cmr tool: error: bad\n")
    }

    func testOutputBuffering() {
        let diagnostics = Diagnostics(commandName: "cmr", stream: ErrorStream(sink: ByteSink()), verbosity: .normal, usesColor: false)
        let pipeSink = ByteSink()
        let pipe = Output(sink: pipeSink, lineBuffered: true, diagnostics: diagnostics)
        pipe.write("a/b.dcm")
        XCTAssertEqual(pipeSink.capturedText, "", "a partial line waits")
        pipe.line("")
        XCTAssertEqual(pipeSink.capturedText, "a/b.dcm\n", "a whole line goes out at once on a pipe")

        let fileSink = ByteSink()
        let file = Output(sink: fileSink, lineBuffered: false, diagnostics: diagnostics)
        file.line("one")
        XCTAssertEqual(fileSink.capturedText, "", "lines are kept until the block fills when writing a file")
        file.write(bytes: [0x41, 0x00])
        file.flush()
        XCTAssertEqual(fileSink.captured, Array("one\n".utf8) + [0x41, 0x00])

        let big = String(repeating: "x", count: 70_000)
        file.write(big)
        XCTAssertEqual(fileSink.captured.count, 6 + 70_000, "a full block is written without a flush")
    }

    func testOutputFromManyThreadsKeepsLinesWhole() {
        let sink = ByteSink()
        let diagnostics = Diagnostics(commandName: "cmr", stream: ErrorStream(sink: ByteSink()), verbosity: .normal, usesColor: false)
        let output = Output(sink: sink, lineBuffered: true, diagnostics: diagnostics)
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            output.line(String(repeating: String(i % 10), count: 50))
        }
        let lines = sink.capturedText.split(separator: "\n")
        XCTAssertEqual(lines.count, 200)
        for line in lines { XCTAssertEqual(Set(line).count, 1) }
    }

    func testProgressIsSilentOffATerminal() throws {
        let stderr = ByteSink()
        let progress = try invocation(["tool", "x"], stderr: stderr).progress("inspect", total: 10)
        XCTAssertFalse(progress.isVisible)
        progress.advance(by: 5)
        progress.finish()
        XCTAssertEqual(stderr.captured, [])

        let quiet = try invocation(["tool", "-q", "x"], terminal: Terminal(standardErrorIsTTY: true)).progress("inspect")
        XCTAssertFalse(quiet.isVisible)
    }

    func testProgressOnATerminalMakesRoomForMessages() throws {
        let stderr = ByteSink()
        let i = try invocation(["tool", "x"], terminal: Terminal(standardErrorIsTTY: true, width: 60), environment: ["NO_COLOR": "1"],
                               stderr: stderr)
        let progress = i.progress("inspect", total: 4)
        XCTAssertTrue(progress.isVisible)
        progress.setTotal(4)
        i.diagnostics.warning("w")
        progress.finish()
        let bar = ProgressReporter.line(label: "inspect", completed: 0, total: 4, width: 60)
        XCTAssertEqual(stderr.capturedText,
                       "\r\u{1B}[K" + bar + "\r\u{1B}[K" + "cmr tool: warning: w\n" + bar + "\r\u{1B}[K")
    }

    func testProgressLine() {
        XCTAssertEqual(ProgressReporter.line(label: "inspect", completed: 260, total: 520, width: 50),
                       "inspect [#############             ] 260/520  50%")
        XCTAssertEqual(ProgressReporter.line(label: "pull", completed: 7, total: nil, width: 50), "pull 7")
        XCTAssertEqual(ProgressReporter.line(label: "x", completed: 9, total: 4, width: 30), "x [################] 4/4 100%")
        for width in 20...120 {
            XCTAssertLessThan(ProgressReporter.line(label: "inspect", completed: 3, total: 1000, width: width).count, width)
        }
    }

    func testStatusesFromRun() {
        let missing = runCLI(["tool", "missing"], root: FixtureRoot.self)
        XCTAssertEqual(missing.status, 66)
        XCTAssertEqual(missing.stderr, "cmr tool: error: missing: no such file or directory\nhint: check the path\n")

        let bug = runCLI(["tool", "bug"], root: FixtureRoot.self)
        XCTAssertEqual(bug.status, 70)
        XCTAssertTrue(bug.stderr.hasPrefix("cmr tool: error: internal error: Unexpected"), bug.stderr)

        let partial = runCLI(["tool", "partial"], root: FixtureRoot.self)
        XCTAssertEqual(partial.status, 1)
        XCTAssertEqual(partial.stderr, "cmr tool: error: b.dcm: not DICOM\n")

        let out = runCLI(["tool", "out"], root: FixtureRoot.self)
        XCTAssertEqual(out.status, 0)
        XCTAssertEqual(out.stdout, "a.dcm\n")
        XCTAssertEqual(out.stderr, "")
    }

    func testGroupWithoutSubcommand() {
        let result = runCLI(["audit"], root: FixtureRoot.self)
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stderr, "cmr audit: error: missing command\nhint: see 'cmr audit --help' for its commands\n")
        XCTAssertTrue(runCLI(["audit", "--help"], root: FixtureRoot.self).stdout.contains("\nCommands:\n  verify  Verify\n"))
    }

    func testThrownErrorsMapToExitStatus() {
        // A thrown CMRError is printed as error (+ hint) and exits with its status: 66 for a missing input.
        let result = runCLI(["inspect", "no-such-file.dcm"])
        XCTAssertEqual(result.status, 66)
        XCTAssertEqual(result.stderr, "cmr inspect: error: no-such-file.dcm: no such file or directory\n")
    }
}
