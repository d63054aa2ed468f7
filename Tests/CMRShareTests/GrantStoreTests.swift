import Foundation
import XCTest
@testable import CMRShare

/// `ShareStore`: grants, revocations and uses on disk.
final class GrantStoreTests: XCTestCase {
    var root = ""
    var dir: String { root + "/share" }

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "cmr-share-store-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func record(_ id: String) -> ShareStore.GrantRecord {
        ShareStore.GrantRecord(grant: ShareGrant(id: id, issuer: "site", recipient: "r", studyUID: "1.2", scope: .view,
                                                 notBefore: Date(timeIntervalSince1970: 0), expires: Date(timeIntervalSince1970: 100),
                                                 mode: "deidentified", note: "n", issuedAt: Date(timeIntervalSince1970: 0)),
                               token: "v4.public.x", source: "/data/study")
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func testGrantsRoundTripWithPrivateModes() throws {
        let store = ShareStore(directory: dir)
        try store.prepare()
        try store.add(record("a"))
        try store.add(record("b"))
        XCTAssertThrowsError(try store.add(record("a")), "an id is issued once")
        XCTAssertEqual(try store.grants().map(\.grant.id), ["a", "b"])
        XCTAssertEqual(try ShareStore(directory: dir).grant(id: "b"), record("b"), "read back by another value")
        XCTAssertNil(try store.grant(id: "c"))
        XCTAssertEqual(try mode(dir), 0o700)
        XCTAssertEqual(try mode(store.grantsPath), 0o600)
        let line = try String(contentsOfFile: store.grantsPath, encoding: .utf8).split(separator: "\n")[0]
        XCTAssertTrue(line.contains(#""expires":"1970-01-01T00:01:40Z""#), String(line))
    }

    func testRevocationIsSeenByAnotherStoreValue() throws {
        let server = ShareStore(directory: dir)
        XCTAssertFalse(server.isRevoked("a"), "no file: nothing revoked")
        let cli = ShareStore(directory: dir)
        let time = Date(timeIntervalSince1970: 1000)
        let first = try cli.revoke(id: "a", reason: "sent to the wrong person", by: "u@h", time: time)
        XCTAssertFalse(first.alreadyRevoked)
        XCTAssertTrue(server.isRevoked("a"), "reloaded when the file changed")
        XCTAssertEqual(server.revocationTime("a"), time)
        XCTAssertFalse(server.isRevoked("b"))
        let again = try cli.revoke(id: "a", reason: "again", by: "u@h", time: time.addingTimeInterval(5))
        XCTAssertTrue(again.alreadyRevoked)
        XCTAssertEqual(again.revocation.reason, "sent to the wrong person")
        _ = try ShareStore(directory: dir).revoke(id: "b", reason: nil, by: "v@h", time: time)
        XCTAssertTrue(server.isRevoked("b"))
        XCTAssertEqual(try String(contentsOfFile: server.revokedPath, encoding: .utf8).split(separator: "\n").count, 2)
    }

    func testRevocationFailsClosedOnAnUnreadableFile() throws {
        let store = ShareStore(directory: dir)
        try store.prepare()
        try FileManager.default.createDirectory(atPath: store.revokedPath, withIntermediateDirectories: true)  // not a file
        XCTAssertTrue(store.isRevoked("anything"))
    }

    func testConcurrentRecordUseCountsEveryUseOnce() throws {
        let stores = [ShareStore(directory: dir), ShareStore(directory: dir)]  // as two processes would
        try stores[0].prepare()
        let numbers = Locked<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            let n = try! stores[i % 2].recordUse(id: i % 4 == 0 ? "x" : "y", address: "10.0.0.\(i % 250)")
            numbers.mutate { $0.append(n) }
        }
        XCTAssertEqual(try stores[0].useCounts(), ["x": 50, "y": 150])
        XCTAssertEqual(try stores[1].uses(id: "x").map(\.n), Array(1...50))
        XCTAssertEqual(try stores[0].uses(id: "y").map(\.n), Array(1...150))
        XCTAssertEqual(numbers.value.count, 200)
    }

    func testUseLimitIsCheckedUnderTheLock() throws {
        let store = ShareStore(directory: dir)
        let refused = Locked(0), failed = Locked<[String]>([])
        let dir = self.dir
        DispatchQueue.concurrentPerform(iterations: 20) { _ in
            do { try ShareStore(directory: dir).recordUse(id: "g", address: nil, limit: 3) } catch GrantRefusal.usesExhausted(3) {
                refused.mutate { $0 += 1 }
            } catch { failed.mutate { $0.append("\(error)") } }
        }
        XCTAssertEqual(failed.value, [])
        XCTAssertEqual(refused.value, 17)
        XCTAssertEqual(try store.uses(id: "g").count, 3)
    }

    func testATornLineIsSkippedAndEnded() throws {
        let store = ShareStore(directory: dir)
        try store.recordUse(id: "g", address: "a")
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: store.usesPath))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"id":"g","ti"#.utf8))  // a crash mid-write
        try handle.close()
        XCTAssertEqual(try ShareStore(directory: dir).recordUse(id: "g", address: "b"), 2)
        XCTAssertEqual(try ShareStore(directory: dir).uses(id: "g").map(\.address), ["a", "b"])
        let lines = try String(contentsOfFile: store.usesPath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 4, "use, torn line ended by a newline, use, final newline")
    }
}

/// A value guarded by a lock, for collecting results from concurrent work in tests.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func mutate(_ body: (inout Value) -> Void) { lock.lock(); body(&stored); lock.unlock() }
}
