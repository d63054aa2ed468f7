import XCTest
import Foundation

/// Processes appending to one audit log at once, some killed with SIGKILL at random moments,
/// after a power loss left a torn line at its end: the chain must verify, the torn line must be
/// quarantined with a recovery record, and every record whose append returned must be there.
final class AuditCrashTests: XCTestCase {
    func testEightWritersSomeKilledMidWrite() throws {
        let cmr = try Peers.cmrPath()
        let dir = try Peers.temporaryFolder(self)
        let log = dir + "/audit.log"
        XCTAssertEqual(try Peers.run(cmr, ["_audit-load", "--audit-log", log, "--count", "1", "--tag", "seed"]).status, 0)
        // A power loss in the middle of a write: half a record, no newline.
        let torn = Array(try String(contentsOfFile: log, encoding: .utf8).utf8.prefix(200))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(torn))
        try handle.close()

        // 8 writers × 1,000 records; 3 of them are killed at random moments. Writers print
        // "TAG INDEX SEQ" (flushed) after each append returned.
        let writers = 8, count = 1000
        let killed: Set<Int> = [1, 4, 6]
        var generator = SystemRandomNumberGenerator()
        var processes: [Process] = []
        for w in 0..<writers {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: cmr)
            // Writers 4–7 append 10 records at a time: bigger writes, more chances to be cut.
            p.arguments = ["_audit-load", "--audit-log", log, "--count", String(count), "--tag", "w\(w)",
                           "--batch", w >= 4 ? "10" : "1", "--print-seqs"]
            let outPath = dir + "/w\(w).out"
            FileManager.default.createFile(atPath: outPath, contents: nil)
            p.standardOutput = FileHandle(forWritingAtPath: outPath)
            p.standardError = FileHandle(forWritingAtPath: "/dev/null")
            processes.append(p)
        }
        let started = Date()
        for p in processes { try p.run() }
        for w in killed.sorted() {
            usleep(UInt32.random(in: 20_000...400_000, using: &generator))
            kill(processes[w].processIdentifier, SIGKILL)
        }
        for p in processes { p.waitUntilExit() }
        let elapsed = Date().timeIntervalSince(started)
        for w in 0..<writers where !killed.contains(w) {
            XCTAssertEqual(processes[w].terminationStatus, 0, "writer \(w)")
        }
        // A later run recovers a torn line a killed writer may have left at the very end.
        XCTAssertEqual(try Peers.run(cmr, ["_audit-load", "--audit-log", log, "--count", "1", "--tag", "after"]).status, 0)

        let verify = try Peers.run(cmr, ["audit", "verify", "--json", log])
        XCTAssertEqual(verify.status, 0, verify.out + verify.err)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: verify.stdout) as? [String: Any])
        let verification = try XCTUnwrap(result["verification"] as? [String: Any])
        let recoveries = try XCTUnwrap(verification["recoveries"] as? [Int])
        XCTAssertGreaterThanOrEqual(recoveries.count, 1, "the torn line was not recovered")

        // Every quarantined piece has its recovery record; the first holds the power-loss bytes.
        let quarantine = try String(contentsOfFile: log + ".quarantine", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(quarantine.count, recoveries.count)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(quarantine[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["length"] as? Int, torn.count)
        XCTAssertEqual((first["bytes"] as? String).flatMap { Data(base64Encoded: $0) }, Data(torn), "the quarantined bytes are the torn ones")

        // The records in the log, by writer and index, with their seq.
        let shown = try Peers.run(cmr, ["audit", "show", "--json", log])
        XCTAssertEqual(shown.status, 0, shown.err)
        var present: [String: Int] = [:]  // "w3 17" → seq
        var recoveryDigests: [String] = []
        for line in shown.out.split(separator: "\n") {
            let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if (record["event"] as? [String: String])?["name"] == "recovery" {
                recoveryDigests.append((record["details"] as? [String: String])?["quarantinedSHA256"] ?? "")
                XCTAssertTrue(recoveries.contains(record["seq"] as? Int ?? -1))
            }
            guard let details = record["details"] as? [String: String], let writer = details["writer"], let index = details["index"] else { continue }
            let key = writer + " " + index
            XCTAssertNil(present[key], "\(key) appears twice")
            present[key] = record["seq"] as? Int
        }
        XCTAssertEqual(recoveryDigests, try quarantine.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["sha256"] as? String ?? "?" },
                       "each recovery record names its quarantined bytes")
        var acknowledged = 0
        for w in 0..<writers {
            let lines = try String(contentsOfFile: dir + "/w\(w).out", encoding: .utf8).split(separator: "\n")
            acknowledged += lines.count
            for line in lines {
                let parts = line.split(separator: " ")
                XCTAssertEqual(parts.count, 3, "w\(w): \(line)")
                guard parts.count == 3 else { continue }
                XCTAssertEqual(present["\(parts[0]) \(parts[1])"], Int(parts[2]), "acknowledged record \(line) missing or at another seq")
            }
            let kept = (0..<count).filter { present["w\(w) \($0)"] != nil }
            if killed.contains(w) {
                // A killed writer's records are its first ones: those acknowledged, and at most
                // one more append whose sync returned before the kill.
                XCTAssertEqual(kept, Array(0..<kept.count), "w\(w) has gaps")
                XCTAssertLessThanOrEqual(kept.count - lines.count, w >= 4 ? 10 : 1, "w\(w)")
            } else {
                XCTAssertEqual(lines.count, count, "w\(w)")
                XCTAssertEqual(kept.count, count, "w\(w)")
            }
        }
        XCTAssertEqual(verification["recordCount"] as? Int, present.count + recoveries.count)  // writers, seed, "after"
        print("crash test: \(acknowledged) acknowledged appends, \(present.count) writer records, \(recoveries.count) recoveries, writers ran \(String(format: "%.1f", elapsed)) s")
    }
}
