import XCTest
@testable import CMRCLI

/// Inputs the `args` fuzz target (Tests/Fuzz/ArgsFuzz.swift) broke an invariant with, on the
/// real command tree, each named after what it pins.
final class FuzzRegressionTests: XCTestCase {
    /// The fuzz input `\0-h\0inspect\0--bogus` (byte 0 picks `cmr` itself; NUL separates words).
    private func words(_ input: [UInt8]) -> [String] {
        input.dropFirst().split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `-h` before the command word, then a mistake after it: help, as `-h` anywhere before `--`
    /// promises; it was the usage error (status 64).
    func testHelpBeforeTheCommandWordWinsOverALaterUsageError() {
        for line in [words(Array("\0-h\0inspect\0--bogus".utf8)), ["--help", "audit", "nonsense"],
                     ["-q", "-h", "share", "create", "--scope", "everything"], ["-h", "render", "--frame", "x", "a.dcm"]] {
            let scan = CommandLineScan.scan(line)
            XCTAssertEqual(scan.exitStatus, 0, "\(line): \(scan.usageError ?? "")")
            XCTAssertTrue(scan.helpRequested, "\(line)")
            XCTAssertNil(scan.usageError, "\(line)")
        }
        let result = runCLI(["-h", "inspect", "--bogus"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("cmr inspect"), result.stdout)
        XCTAssertEqual(result.stderr, "")
        // After `--`, `-h` is a word like any other.
        XCTAssertEqual(CommandLineScan.scan(["-h", "inspect", "--bogus", "--", "-h"]).commandPath, ["cmr", "inspect"])
        XCTAssertEqual(CommandLineScan.scan(["inspect", "--bogus", "--", "-h"]).exitStatus, 64)
    }

    /// After `--` every word is an operand, command names included: `cmr share -- create` shares
    /// the folder named `create` (it went into `share create`).
    func testWordsAfterDoubleDashAreNeverCommands() {
        let share = CommandLineScan.scan(["share", "--to", "x", "--", "create"])
        XCTAssertEqual(share.commandPath, ["cmr", "share"])
        XCTAssertEqual(share.positionals, ["create"])
        XCTAssertEqual(CommandLineScan.scan(["share", "create"]).commandPath, ["cmr", "share", "create"])
        // A command with subcommands and no operands: the word after `--` is refused, not run.
        XCTAssertEqual(CommandLineScan.scan(["audit", "--", "verify"]).exitStatus, 64)
    }
}
