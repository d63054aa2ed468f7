import XCTest
@testable import CMRCLI

final class HelpTests: XCTestCase {
    func testRootHelp() {
        let result = runCLI(["help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.stdout, """
            Move DICOM medical images out of hospitals safely

            Usage: cmr [--version] [-h | --help] [-q | -v] [--no-color] COMMAND [ARGS...]

            cmr is a toolbox of commands for DICOM files: each reads files, folders, or a
            list of paths on standard input ('-'), writes data to standard output and
            messages to standard error, and exits with a BSD sysexits status, so commands
            compose with find, xargs, cron and each other.

            Run with no command, cmr prints this help to standard error and exits with
            status 64 (a usage error); 'cmr help' and 'cmr --help' print it to standard
            output.

            Look at data:
              inspect     Show what is inside DICOM files
              render      Render DICOM frames as PNG images, thumbnails or a contact sheet

            Move data between systems:
              send        Send DICOM files to a PACS (C-STORE) or DICOMweb (STOW-RS)
              pull        Retrieve studies into a folder (C-GET, C-MOVE or WADO-RS)
              query       Find patients, studies, series or instances (C-FIND, QIDO-RS)
              echo        Check that a DICOM peer answers (C-ECHO), like ping
              listen      Receive DICOM instances into a folder (a storage SCP)
              share       Share a study by a signed, expiring, revocable link

            Protect privacy:
              deidentify  De-identify DICOM files (PS3.15 Annex E, keyed pseudonyms)
              key         Make and name the site key of keyed pseudonyms
              reidentify  Look pseudonyms up in the site's re-identification table

            Keep and check the audit record:
              audit       Keep and check the tamper-evident audit log

            Make test data:
              synth       Write a synthetic DICOM study (no real patient data)

            Help and shell set-up:
              completion  Print a shell completion script
              help        Show help for cmr or one of its commands
              version     Print cmr's version

            Options:
                  --version   Print cmr's version and exit.
              -h, --help      Show help for this command and exit.
              -q, --quiet     Print no warnings, notes or progress; errors still go to
                              standard error.
              -v, --verbose   Print notes about each step on standard error.
                  --no-color  Never colour diagnostics (colour is used only on a terminal,
                              and never when NO_COLOR is set).

            Run 'cmr help COMMAND' or 'cmr COMMAND --help' for a command's options and
            examples, and 'man cmr-COMMAND' for its manual page.

            """)
        XCTAssertEqual(runCLI(["--help"]).stdout, result.stdout)
        XCTAssertEqual(runCLI(["-h"]).stdout, result.stdout)
    }

    func testNoCommandPrintsHelpToStandardErrorAndExits64() {
        let result = runCLI([])
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, runCLI(["help"]).stdout)
    }

    func testCommandHelp() {
        let result = runCLI(["help", "completion"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, """
            Print a shell completion script

            Usage: cmr completion [OPTIONS] SHELL

            Prints the completion script for the shell named: commands, options, their
            values, and paths where a command takes files or folders. The same scripts are
            in cmr's completions/ folder.

            Arguments:
              SHELL  The shell to complete for. One of: bash, zsh, fish.

            Global options:
              -h, --help      Show help for this command and exit.
              -q, --quiet     Print no warnings, notes or progress; errors still go to
                              standard error.
              -v, --verbose   Print notes about each step on standard error.
                  --no-color  Never colour diagnostics (colour is used only on a terminal,
                              and never when NO_COLOR is set).

            Examples:
              source <(cmr completion bash)
                  Complete cmr in this bash session (add it to ~/.bashrc to keep it).
              cmr completion zsh > "${fpath[1]}/_cmr"
                  Install for zsh (a folder on $fpath; start a new shell).
              cmr completion fish > ~/.config/fish/completions/cmr.fish
                  Install for fish.

            """)
    }

    func testEverySpellingOfHelpAgrees() {
        let help = runCLI(["help", "inspect"]).stdout
        XCTAssertEqual(runCLI(["inspect", "--help"]).stdout, help)
        XCTAssertEqual(runCLI(["inspect", "-h"]).stdout, help)
        XCTAssertEqual(runCLI(["--help", "inspect"]).stdout, help)
        XCTAssertEqual(runCLI(["inspect", "--jsn", "--help"]).stdout, help, "help wins over a usage error")
        XCTAssertEqual(runCLI(["-q", "inspect", "x", "-h"]).stdout, help)
    }

    func testInspectHelpShowsTheWholeSpec() {
        let help = runCLI(["help", "inspect"]).stdout
        XCTAssertTrue(help.hasPrefix("Show what is inside DICOM files\n\nUsage: cmr inspect [OPTIONS] FILE|DIR|-...\n"))
        for label in ["--json", "--tag KEYWORD|GGGG,EEEE", "--summary", "--validate", "-r, --[no-]recursive", "-0, --null",
                      "--max-value-length N", "--charset-fallback NAME", "--no-bulk", "--bulk-data-threshold N",
                      "-h, --help", "-q, --quiet", "-v, --verbose", "--no-color", "FILE|DIR|-..."] {
            XCTAssertTrue(help.contains("  " + label), label)
        }
        let words = help.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        for text in ["Default: 64.", "Default: on.", "Default: 1024.", "Repeatable.", "Examples:", "Exit status:",
                     "find /data -name '*.dcm' -print0 | cmr inspect --summary -0 -"] {
            XCTAssertTrue(words.contains(text), text)
        }
        for section in ["\nArguments:\n", "\nOptions:\n", "\nGlobal options:\n"] {
            XCTAssertTrue(help.contains(section), section)
        }
    }

    func testHelpFitsEightyColumnsAndHidesHiddenCommands() {
        for command in [[], ["inspect"], ["completion"], ["help"], ["version"], ["audit"], ["audit", "export"]] {
            let help = runCLI(["help"] + command).stdout
            for line in help.split(separator: "\n") {
                XCTAssertLessThanOrEqual(line.count, 80, "\(command): \(line)")
            }
            XCTAssertFalse(help.contains("_generate-docs"))
            XCTAssertFalse(help.contains("_audit-load"))
        }
    }

    func testAuditHelpListsItsCommands() {
        let help = runCLI(["audit", "--help"]).stdout
        let commands = help.components(separatedBy: "Commands:\n").last?.components(separatedBy: "\n\n").first ?? ""
        XCTAssertEqual(commands.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" },
                       ["verify", "show", "export", "checkpoint", "prove", "keygen"], help)
    }

    func testHelpWidthFollowsTheTerminal() {
        let narrow = runCLI(["help", "inspect"], terminal: Terminal(standardOutputIsTTY: true, width: 50)).stdout
        // Example command lines are never broken.
        for line in narrow.split(separator: "\n") where !line.hasPrefix("  cmr ") && !line.hasPrefix("  find ") {
            XCTAssertLessThanOrEqual(line.count, 50, String(line))
        }
    }

    func testHelpForUnknownCommand() {
        let result = runCLI(["help", "inspcet"])
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stderr, "cmr help: error: 'inspcet' is not a cmr command\nhint: did you mean 'inspect'?\n")
    }

    func testVersion() {
        XCTAssertEqual(runCLI(["--version"]).stdout, "cmr 0.1.0\n")
        XCTAssertEqual(runCLI(["version"]).stdout, "cmr 0.1.0\n")
        XCTAssertEqual(runCLI(["version", "--json"]).stdout, "{\"cmrVersion\":\"0.1.0\",\"schemaVersion\":1}\n")
        let json = runCLI(["version", "--json"]).stdout
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        XCTAssertEqual(object?["cmrVersion"] as? String, CMRCLI.version)
    }
}
