import XCTest
import Foundation

/// The built cmr appending audit records from several processes at once.
final class AuditConcurrencyTests: XCTestCase {
    func testParallelInspectRunsKeepTheChainIntact() throws {
        let cmr = try Peers.cmrPath()
        let dir = try Peers.temporaryFolder(self)
        let log = dir + "/audit.log"
        let synth = try Peers.run(cmr, ["synth", "--out", dir + "/study", "--patients", "2", "--series", "CT", "--instances", "3",
                                        "--rows", "8", "--columns", "8", "--print-paths", "--audit-log", log])
        XCTAssertEqual(synth.status, 0, synth.err)
        let files = synth.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(files.count, 6)

        // 8 processes × 5 runs each, all appending to one log.
        let processes = 8, runs = 5
        final class Failures: @unchecked Sendable { var items: [String] = []; let lock = NSLock() }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: processes) { i in
            for r in 0..<runs {
                let file = files[(i + r) % files.count]
                do {
                    let result = try Peers.run(cmr, ["inspect", "--summary", "--audit-log", log, file])
                    if result.status != 0 { failures.lock.lock(); failures.items.append(result.err); failures.lock.unlock() }
                } catch {
                    failures.lock.lock(); failures.items.append("\(error)"); failures.lock.unlock()
                }
            }
        }
        XCTAssertEqual(failures.items, [])

        let verify = try Peers.run(cmr, ["audit", "verify", "--json", log])
        XCTAssertEqual(verify.status, 0, verify.err)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: verify.stdout) as? [String: Any])
        XCTAssertEqual(result["intact"] as? Bool, true)
        let verification = try XCTUnwrap(result["verification"] as? [String: Any])
        XCTAssertEqual(verification["recordCount"] as? Int, 1 + processes * runs)

        let shown = try Peers.run(cmr, ["audit", "show", "--event", "inspect", "--json", log])
        XCTAssertEqual(shown.status, 0, shown.err)
        XCTAssertEqual(shown.out.split(separator: "\n").count, processes * runs)
    }
}
