import CMRCrypto
import Foundation
import XCTest
@testable import CMRAudit

final class AuditLogTests: XCTestCase {
    func testAppendChainsAndReadsBack() throws {
        let folder = try temporaryDirectory(self)
        let path = folder + "/state/cmr/audit.log"
        let log = AuditLog(path: path, clock: ManualClock())
        let first = try log.append(sampleDraft(0))
        XCTAssertEqual(first.seq, 0)
        XCTAssertEqual(first.prev, AuditRecord.genesisPrevious)
        let batch = try log.append((1...5).map(sampleDraft))
        XCTAssertEqual(batch.map(\.seq), [1, 2, 3, 4, 5])
        XCTAssertEqual(batch[0].prev, first.recordHashHex)
        XCTAssertEqual(batch[4].prev, batch[3].recordHashHex)
        XCTAssertEqual(try log.lastRecord(), batch[4])

        let lines = try readLines(path)
        XCTAssertEqual(lines.count, 6)
        XCTAssertEqual(try lines.map { try AuditRecord(canonicalLine: $0) }, [first] + batch)
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)

        // A second AuditLog on the same file continues the chain.
        let again = try AuditLog(path: path, clock: ManualClock()).append(sampleDraft(6))
        XCTAssertEqual(again.seq, 6)
        XCTAssertEqual(again.prev, batch[4].recordHashHex)
    }

    /// An `AuditLog` remembers where its own last append left the chain and skips reading the
    /// tail back only while the file is exactly as it left it.
    func testRememberedTailOnlyWhileTheFileIsUnchanged() throws {
        let folder = try temporaryDirectory(self)
        let path = folder + "/audit.log"
        let a = log(path), b = log(path)
        let first = try a.append(sampleDraft(0))
        XCTAssertEqual(a.tailCache.load()?.tail.nextSeq, 1)
        XCTAssertEqual(a.tailCache.load()?.tail.prevHex, first.recordHashHex)
        let second = try b.append(sampleDraft(1))  // another writer: a's remembered tail is stale
        let third = try a.append(sampleDraft(2))
        XCTAssertEqual(third.seq, 2)
        XCTAssertEqual(third.prev, second.recordHashHex)
        XCTAssertEqual(try a.append(sampleDraft(3)).prev, third.recordHashHex)  // remembered

        // Same size, other bytes (the last record rewritten in place): read back, not remembered.
        var lines = try readLines(path)
        var changed = try AuditRecord(canonicalLine: lines[3])
        changed.actor.user = String(repeating: "z", count: changed.actor.user.count)
        lines[3] = changed.canonicalBytes
        usleep(20_000)  // a later modification time even on coarse clocks
        let fd = open(path, O_WRONLY)
        let offset = lines[0..<3].map { $0.count + 1 }.reduce(0, +)
        _ = lines[3].withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        close(fd)
        XCTAssertEqual(try a.append(sampleDraft(4)).prev, changed.recordHashHex)
    }

    func testLongLastLineFoundFromTheEnd() throws {
        let folder = try temporaryDirectory(self)
        let log = AuditLog(path: folder + "/audit.log", clock: ManualClock())
        var draft = sampleDraft(1)
        draft.details = ["big": String(repeating: "x", count: 300_000)]
        try log.append(draft)
        let next = try log.append(draft)
        XCTAssertEqual(next.seq, 1)
        XCTAssertEqual(try log.append(sampleDraft(2)).seq, 2)
    }

    func testWriteFailureThrows() throws {
        let folder = try temporaryDirectory(self)
        let path = folder + "/audit.log"
        try log(path).append(sampleDraft(0))
        chmod(folder, 0o500)
        defer { chmod(folder, 0o700) }
        if getuid() == 0 { throw XCTSkip("root ignores permissions") }
        XCTAssertThrowsError(try AuditLog(path: folder + "/other.log").append(sampleDraft(1)))
    }

    func log(_ path: String) -> AuditLog { AuditLog(path: path, clock: ManualClock()) }
}
