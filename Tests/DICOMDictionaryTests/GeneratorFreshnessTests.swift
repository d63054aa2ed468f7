import Foundation
import XCTest

/// The committed generated sources match what `scripts/generate-dictionary` and `scripts/generate-profile` make from the standard's
/// tables, when those tables are at `../shared/standard` beside the package (skipped otherwise).
final class GeneratorFreshnessTests: XCTestCase {
    func testGeneratedSourcesAreCurrent() throws {
        try check(script: "generate-dictionary", needs: "attributes.json")
    }

    func testGeneratedProfileIsCurrent() throws {
        try check(script: "generate-profile", needs: "confidentiality_profile_attributes.json")
    }

    private func check(script name: String, needs input: String) throws {
        // Tests/DICOMDictionaryTests/<this file> → package root.
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let standard = root.deletingLastPathComponent().appendingPathComponent("shared/standard")
        guard FileManager.default.fileExists(atPath: standard.appendingPathComponent(input).path) else {
            throw XCTSkip("no standard tables at \(standard.path)")
        }
        let script = root.appendingPathComponent("scripts/" + name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--check", standard.path]
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw XCTSkip("cannot run python3: \(error)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "generated sources are stale; run scripts/\(name)\n" + text)
    }
}
