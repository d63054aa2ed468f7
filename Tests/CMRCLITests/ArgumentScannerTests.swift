import XCTest
import CMRKit
@testable import CMRCLI

final class ArgumentScannerTests: XCTestCase {
    private func scan(_ arguments: [String]) throws -> ArgumentScanner.Scan {
        try ArgumentScanner.scan(arguments, root: FixtureRoot.self)
    }

    /// The usage error `arguments` give, with the command name diagnostics would show.
    private func failure(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) -> (command: String, error: CMRError)? {
        do {
            _ = try ArgumentScanner.scan(arguments, root: FixtureRoot.self)
            XCTFail("\(arguments) scanned without error", file: file, line: line)
            return nil
        } catch {
            XCTAssertEqual(error.error.kind, .usage, file: file, line: line)
            XCTAssertEqual(error.error.exitStatus, 64, file: file, line: line)
            return (error.path.map { $0.spec.name }.joined(separator: " "), error.error)
        }
    }

    private func names(_ scan: ArgumentScanner.Scan) -> [String] { scan.path.map { $0.spec.name } }

    func testOptionsBeforeAndAfterPositionals() throws {
        let s = try scan(["tool", "--json", "a.dcm", "b.dcm", "--tag", "PatientID"])
        XCTAssertEqual(names(s), ["cmr", "tool"])
        XCTAssertEqual(s.arguments.positionals, ["a.dcm", "b.dcm"])
        XCTAssertEqual(s.arguments.flags["json"], true)
        XCTAssertEqual(s.arguments.values["tag"], ["PatientID"])
    }

    func testDoubleDashEndsOptions() throws {
        let s = try scan(["tool", "a", "--", "--json", "-", "-r"])
        XCTAssertEqual(s.arguments.positionals, ["a", "--json", "-", "-r"])
        XCTAssertNil(s.arguments.flags["json"])
        XCTAssertNil(s.arguments.flags["recursive"])
    }

    func testDashAloneIsStandardInput() throws {
        XCTAssertEqual(try scan(["tool", "-"]).arguments.positionals, ["-"])
    }

    func testValueSpellings() throws {
        for arguments in [["--out=dir"], ["--out", "dir"], ["-o", "dir"], ["-odir"], ["-o=dir"], ["-r0o", "dir"]] {
            let s = try scan(["tool"] + arguments + ["x"])
            XCTAssertEqual(s.arguments.values["out"], ["dir"], "\(arguments)")
            XCTAssertEqual(s.arguments.positionals, ["x"], "\(arguments)")
        }
        // An empty value and a value of '-' are values.
        XCTAssertEqual(try scan(["tool", "--out=", "x"]).arguments.values["out"], [""])
        XCTAssertEqual(try scan(["tool", "--out", "-", "x"]).arguments.values["out"], ["-"])
        // A value starting with '-' is taken after '='.
        XCTAssertEqual(try scan(["tool", "--tag=-x", "x"]).arguments.values["tag"], ["-x"])
    }

    func testBundledShortFlags() throws {
        let s = try scan(["tool", "-r0q", "x"])
        XCTAssertEqual(s.arguments.flags["recursive"], true)
        XCTAssertEqual(s.arguments.flags["null"], true)
        XCTAssertEqual(s.arguments.flags["quiet"], true)
    }

    func testRepeatableKeepsOrderAndSingleValueKeepsLast() throws {
        let s = try scan(["tool", "--tag", "A", "x", "--tag=B", "--out", "one", "--out", "two"])
        XCTAssertEqual(s.arguments.values["tag"], ["A", "B"])
        XCTAssertEqual(s.arguments.values["out"], ["two"])
    }

    func testNegatableFlag() throws {
        XCTAssertEqual(try scan(["tool", "--no-recursive", "x"]).arguments.flags["recursive"], false)
        XCTAssertEqual(try scan(["tool", "--no-recursive", "-r", "x"]).arguments.flags["recursive"], true)
        XCTAssertNil(try scan(["tool", "x"]).arguments.flags["recursive"])
    }

    func testGlobalOptionsBeforeTheCommandAreCarried() throws {
        let s = try scan(["-q", "--no-color", "tool", "x"])
        XCTAssertEqual(names(s), ["cmr", "tool"])
        XCTAssertEqual(s.arguments.flags["quiet"], true)
        XCTAssertEqual(s.arguments.flags["no-color"], true)
    }

    func testNestedSubcommands() throws {
        let s = try scan(["audit", "verify", "x.log", "full"])
        XCTAssertEqual(names(s), ["cmr", "audit", "verify"])
        XCTAssertEqual(s.arguments.positionals, ["x.log", "full"])
        XCTAssertEqual(names(try scan(["audit"])), ["cmr", "audit"])
    }

    func testHelpWinsAnywhereBeforeDoubleDash() throws {
        XCTAssertTrue(try scan(["tool", "--help"]).helpRequested)
        XCTAssertTrue(try scan(["tool", "--bogus", "-h"]).helpRequested)
        let s = try scan(["--help", "tool"])
        XCTAssertEqual(names(s), ["cmr", "tool"])
        XCTAssertTrue(s.helpRequested)
        XCTAssertEqual(try scan(["tool", "--", "--help"]).arguments.positionals, ["--help"])
        XCTAssertTrue(try scan(["tool", "-qh"]).helpRequested)
    }

    // MARK: - errors

    func testUnknownLongOptionSuggests() throws {
        let f = try XCTUnwrap(failure(["tool", "--jsn", "x"]))
        XCTAssertEqual(f.command, "cmr tool")
        XCTAssertEqual(f.error.message, "unknown option '--jsn'")
        XCTAssertEqual(f.error.hint, "did you mean '--json'?")
        XCTAssertEqual(failure(["tool", "--recursve", "x"])?.error.hint, "did you mean '--recursive'?")
        XCTAssertEqual(failure(["tool", "--no-recurse", "x"])?.error.hint, "did you mean '--no-recursive'?")
        XCTAssertEqual(failure(["tool", "--summ", "x"])?.error.hint, "did you mean '--summary'?")
        XCTAssertEqual(failure(["tool", "--zzzzzz", "x"])?.error.hint, "see 'cmr tool --help'")
        // Hidden options are accepted but never suggested.
        XCTAssertNoThrow(try scan(["tool", "--secret", "x"]))
        XCTAssertEqual(failure(["tool", "--secrt", "x"])?.error.hint, "see 'cmr tool --help'")
    }

    func testSingleDashLongOptionSuggestsDoubleDash() throws {
        let f = try XCTUnwrap(failure(["tool", "-json", "x"]))
        XCTAssertEqual(f.error.message, "unknown option '-j' in '-json'")
        XCTAssertEqual(f.error.hint, "did you mean '--json'?")
        XCTAssertEqual(failure(["tool", "-x", "a"])?.error.message, "unknown option '-x'")
    }

    func testNegatingAPlainFlag() throws {
        let f = try XCTUnwrap(failure(["tool", "--no-json", "x"]))
        XCTAssertEqual(f.error.hint, "'--json' has no negative form; leave it out")
    }

    func testUnknownCommandSuggests() throws {
        let f = try XCTUnwrap(failure(["tol", "x"]))
        XCTAssertEqual(f.command, "cmr")
        XCTAssertEqual(f.error.message, "'tol' is not a cmr command")
        XCTAssertEqual(f.error.hint, "did you mean 'tool'?")
        XCTAssertEqual(failure(["otol"])?.error.hint, "did you mean 'tool'?")
        XCTAssertEqual(failure(["zzzzzz"])?.error.hint, "see 'cmr help' for the list of commands")
        let nested = try XCTUnwrap(failure(["audit", "verfy"]))
        XCTAssertEqual(nested.command, "cmr audit")
        XCTAssertEqual(nested.error.message, "'verfy' is not a cmr audit command")
        XCTAssertEqual(nested.error.hint, "did you mean 'verify'?")
        // Hidden commands run but are never suggested.
        XCTAssertNoThrow(try scan(["_hidden"]))
        XCTAssertEqual(failure(["_hiden"])?.error.hint, "see 'cmr help' for the list of commands")
    }

    func testValueErrors() throws {
        XCTAssertEqual(failure(["tool", "x", "--out"])?.error.message, "option '--out' needs a value (DIR)")
        let dash = try XCTUnwrap(failure(["tool", "x", "--out", "--json"]))
        XCTAssertEqual(dash.error.message, "option '--out' needs a value (DIR), not '--json'")
        XCTAssertEqual(dash.error.hint, "write '--out=--json' if the value starts with '-'")
        XCTAssertEqual(failure(["tool", "x", "-o"])?.error.message, "option '-o' needs a value (DIR)")
        XCTAssertEqual(failure(["tool", "--json=yes", "x"])?.error.message, "option '--json' takes no value")
        XCTAssertEqual(failure(["tool", "--no-recursive=1", "x"])?.error.message, "option '--no-recursive' takes no value")
    }

    func testIntegerValues() throws {
        XCTAssertEqual(try scan(["tool", "--count", "7", "x"]).arguments.values["count"], ["7"])
        XCTAssertEqual(failure(["tool", "--count", "0", "x"])?.error.message,
                       "option '--count' needs a whole number, 1 or more, not '0'")
        XCTAssertEqual(failure(["tool", "--count=many", "x"])?.error.message,
                       "option '--count' needs a whole number, 1 or more, not 'many'")
        // A negative number is taken as the value (and then checked).
        XCTAssertEqual(failure(["tool", "--count", "-2", "x"])?.error.message,
                       "option '--count' needs a whole number, 1 or more, not '-2'")
    }

    func testChoices() throws {
        XCTAssertEqual(try scan(["tool", "--format", "png", "x"]).arguments.values["format"], ["png"])
        let f = try XCTUnwrap(failure(["tool", "--format", "jpg", "x"]))
        XCTAssertEqual(f.error.message, "option '--format' does not accept 'jpg'; choose one of: png, jpeg")
        XCTAssertEqual(f.error.hint, "did you mean 'jpeg'?")
        let positional = try XCTUnwrap(failure(["audit", "verify", "x.log", "fst"]))
        XCTAssertEqual(positional.error.message, "'fst' is not a valid MODE; choose one of: fast, full")
        XCTAssertEqual(positional.error.hint, "did you mean 'fast'?")
    }

    func testPositionalCounts() throws {
        let missing = try XCTUnwrap(failure(["tool", "--json"]))
        XCTAssertEqual(missing.error.message, "missing FILE")
        XCTAssertEqual(missing.error.hint, "usage: cmr tool [OPTIONS] FILE...")
        let extra = try XCTUnwrap(failure(["audit", "verify", "a", "fast", "b"]))
        XCTAssertEqual(extra.error.message, "unexpected argument 'b'")
        XCTAssertEqual(extra.error.hint, "usage: cmr audit verify [OPTIONS] LOG [MODE]")
    }

    func testConflicts() throws {
        XCTAssertEqual(failure(["tool", "--json", "--summary", "x"])?.error.message,
                       "--json and --summary cannot be used together")
        XCTAssertEqual(failure(["tool", "-qv", "x"])?.error.message, "--quiet and --verbose cannot be used together")
        XCTAssertEqual(failure(["-q", "tool", "-v", "x"])?.error.message, "--quiet and --verbose cannot be used together")
    }

    // MARK: - through the real tree

    func testUsageErrorsExit64WithErrorAndHint() {
        let result = runCLI(["inspect", "--jsn", "scan.dcm"])
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "cmr inspect: error: unknown option '--jsn'\nhint: did you mean '--json'?\n")

        let command = runCLI(["inspet"])
        XCTAssertEqual(command.status, 64)
        XCTAssertEqual(command.stderr, "cmr: error: 'inspet' is not a cmr command\nhint: did you mean 'inspect'?\n")

        let modes = runCLI(["inspect", "--summary", "--tag", "PatientID", "x"])
        XCTAssertEqual(modes.status, 64)
        XCTAssertEqual(modes.stderr, """
            cmr inspect: error: --tag and --summary cannot be used together
            hint: choose one of --tag, --summary, --validate

            """)
    }

    func testInspectSpecScans() throws {
        let s = try ArgumentScanner.scan(["inspect", "-r0", "--tag", "PatientID", "--tag=0020,000D", "--max-value-length=0",
                                          "--charset-fallback", "ISO_IR 100", "-"], root: RootCommand.self)
        XCTAssertEqual(s.arguments.values["tag"], ["PatientID", "0020,000D"])
        XCTAssertEqual(s.arguments.values["max-value-length"], ["0"])
        XCTAssertEqual(s.arguments.values["charset-fallback"], ["ISO_IR 100"])
        XCTAssertEqual(s.arguments.flags["null"], true)
        XCTAssertEqual(s.arguments.positionals, ["-"])
    }
}
