import Foundation
import XCTest
@testable import CMRCLI

/// `cmr render` in-process: naming, the command line's errors, partial failures and their audit
/// record. Pixels are judged against DCMTK in Tests/IntegrationTests/RenderCommandTests.swift.
final class RenderCommandCLITests: XCTestCase {
    var dir = ""
    var env: [String: String] { ["CMR_AUDIT_LOG": dir + "/audit.log"] }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "cmr-render-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A synthetic CT series of `instances` files under dir/study; their paths, sorted.
    func study(instances: Int = 2, frames: Int = 1) -> [String] {
        let r = runCLI(["synth", "--out", dir + "/study", "--patients", "1", "--series", "CT", "--instances", String(instances),
                        "--frames", String(frames), "--rows", "16", "--columns", "24", "--print-paths"], environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout.split(separator: "\n").map(String.init).sorted()
    }

    func render(_ args: [String], stdin: String = "", terminal: Terminal = .none) -> CLIResult {
        runCLI(["render"] + args, environment: env, terminal: terminal, stdin: stdin)
    }

    func testNamingMirrorsTheTreeFromArgumentsAndStandardInput() {
        let files = study()
        let r = render(["--print-paths", "--out", dir + "/png", dir + "/study"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").map(String.init),
                       files.map { dir + "/png/" + $0.dropFirst(dir.count + 1) + ".png" })
        // Paths on stdin keep their relative form, without leading "/", "./", "../".
        let s = render(["--print-paths", "--out", dir + "/from-stdin", "-"], stdin: files.joined(separator: "\n") + "\n")
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertEqual(s.stdout.split(separator: "\n").first.map(String.init),
                       dir + "/from-stdin/" + files[0].split(separator: "/").joined(separator: "/") + ".png")
        // One path on stdin still goes into a folder.
        let one = render(["--print-paths", "--out", dir + "/stdin-one", "-"], stdin: files[0] + "\n")
        XCTAssertEqual(one.stdout, dir + "/stdin-one/" + files[0].split(separator: "/").joined(separator: "/") + ".png\n", one.stderr)
        // One file: --out is the PNG; with --all-frames a .png name is the stem, another a folder.
        XCTAssertEqual(render(["--print-paths", "--out", dir + "/one.png", files[0]]).stdout, dir + "/one.png\n")
        XCTAssertEqual(render(["--all-frames", "--print-paths", "--out", dir + "/cine.png", files[0]]).stdout, dir + "/cine-0001.png\n")
        XCTAssertEqual(render(["--all-frames", "--print-paths", "--out", dir + "/cine", files[0]]).stdout, dir + "/cine/0001.dcm-0001.png\n")
    }

    func testCommandLineErrors() {
        let files = study()
        XCTAssertEqual(render([files[0]]).status, 64, "--out is required")
        XCTAssertEqual(render(["--size", "0x5", "--out", dir + "/a.png", files[0]]).status, 64)
        XCTAssertEqual(render(["--size", "12x", "--out", dir + "/a.png", files[0]]).status, 64)
        XCTAssertEqual(render(["--window", "40", "--out", dir + "/a.png", files[0]]).status, 64)
        XCTAssertEqual(render(["--window", "40,0", "--out", dir + "/a.png", files[0]]).status, 64)
        XCTAssertEqual(render(["--depth", "12", "--out", dir + "/a.png", files[0]]).status, 64)
        XCTAssertEqual(render(["--frame", "2", "--all-frames", "--out", dir + "/a", files[0]]).status, 64)
        XCTAssertEqual(render(["--window", "auto", "--window-index", "1", "--out", dir + "/a.png", files[0]]).status, 64)
        XCTAssertEqual(render(["--all-frames", "--out", "-", files[0]]).status, 64)
        let tty = render(["--out", "-", files[0]], terminal: Terminal(standardOutputIsTTY: true, width: 80))
        XCTAssertEqual(tty.status, 64)
        XCTAssertTrue(tty.stderr.contains("terminal"), tty.stderr)
        XCTAssertEqual(tty.stdout, "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/a.png"), "nothing written by a wrong command line")
    }

    func testWindowsAndSizeAreReported() throws {
        let files = study()
        for (args, expected) in [(["--window", "40,400"], "window 40/400 LINEAR"), (["--window", "minmax"], "window "),
                                 (["--window-index", "1"], "(window 1 of 1 (file))")] {
            let r = render(args + ["--json", "--overwrite", "--size", "12x12", "--out", dir + "/w.png", files[0]])
            XCTAssertEqual(r.status, 0, r.stderr)
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            XCTAssertTrue((o["window"] as? String)?.contains(expected) == true, "\(args): \(o["window"] ?? "")")
            XCTAssertEqual(o["width"] as? Int, 12)
            XCTAssertEqual(o["height"] as? Int, 8)
            XCTAssertEqual(o["schemaVersion"] as? Int, 1)
            XCTAssertEqual(o["frames"] as? Int, 1)
        }
    }

    func testPartialFailureGoesOnAndIsAudited() throws {
        let files = study(instances: 3)
        try Data("plain text".utf8).write(to: URL(fileURLWithPath: dir + "/study/notes.txt"))
        try Data("plain text".utf8).write(to: URL(fileURLWithPath: dir + "/named.txt"))
        // A non-DICOM file found in a folder is passed over; one named is an error (65).
        let r = render(["--out", dir + "/png", dir + "/study", dir + "/named.txt", dir + "/absent.dcm"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("named.txt"), r.stderr)
        XCTAssertTrue(r.stderr.contains("absent.dcm"), r.stderr)
        XCTAssertFalse(r.stderr.contains("notes.txt"), r.stderr)
        for f in files { XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/png/" + f.dropFirst(dir.count + 1) + ".png")) }
        // Existing outputs: each an error (73), nothing replaced.
        let again = render(["--out", dir + "/png", dir + "/study"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("already exists"), again.stderr)
        XCTAssertEqual(render(["--out", dir + "/png/study/" + files[0].split(separator: "/").suffix(4).joined(separator: "/") + ".png", files[0]]).status, 73)
        // Two inputs with one output name: the second fails, the first is written.
        let twice = render(["--out", dir + "/dup", files[0], files[0]])
        XCTAssertEqual(twice.status, 1)
        XCTAssertTrue(twice.stderr.contains("also the output of"), twice.stderr)

        let show = runCLI(["audit", "show", "--json", dir + "/audit.log"], environment: env)
        let records = show.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let first = try XCTUnwrap(records.first { (($0["event"] as? [String: Any])?["name"] as? String) == "render" })
        XCTAssertEqual((first["outcome"] as? [String: Any])?["code"] as? Int, 4)
        XCTAssertEqual(first["destination"] as? String, dir + "/png")
        XCTAssertEqual((first["details"] as? [String: String])?["outputs"], "3")
        XCTAssertEqual((first["details"] as? [String: String])?["failed"], "1")
        let objects = try XCTUnwrap(first["objects"] as? [[String: Any]])
        XCTAssertEqual(objects.count, 4, "three instances and the named non-DICOM file")
        XCTAssertNotNil(objects[0]["instanceUID"])
        XCTAssertNotNil(objects[0]["patientRef"])
        XCTAssertEqual(runCLI(["audit", "verify", dir + "/audit.log"], environment: env).status, 0)
    }
}
