import CMRCrypto
import Foundation
import XCTest
@testable import CMRAudit

/// The tamper suite: a 10,000-record log, checkpointed, then damaged one way at a time.
final class AuditVerifierTests: XCTestCase {
    static let recordCount = 10_000

    struct Fixture {
        let folder: String
        let path: String
        let signer: NoteSigner
        let lines: [[UInt8]]
        let checkpoints: [UInt8]
        let trusted: SignedNote
    }

    /// Builds the log once per test: 10,000 records in batches, checkpoints at 5,000 and 10,000.
    func fixture() throws -> Fixture {
        let folder = try temporaryDirectory(self)
        let path = folder + "/audit.log"
        let log = AuditLog(path: path, clock: ManualClock())
        let signer = try NoteSigner(name: "ward7-audit", privateKey: Ed25519.PrivateKey(seed: [UInt8](repeating: 7, count: 32)))
        let checkpointer = AuditCheckpointer(log: log, signer: signer, origin: "ward7.example/cmr-audit")
        for batch in 0..<(Self.recordCount / 500) {
            try log.append((0..<500).map { sampleDraft(batch * 500 + $0) })
            if batch == 9 { try checkpointer.checkpoint() }
        }
        let trusted = try checkpointer.checkpoint()
        return Fixture(folder: folder, path: path, signer: signer, lines: try readLines(path),
                       checkpoints: Array(try Data(contentsOf: URL(fileURLWithPath: log.checkpointsPath))), trusted: trusted)
    }

    func verify(_ fixture: Fixture, trusted: Bool = true) throws -> AuditVerification {
        try AuditVerifier.verify(logPath: fixture.path, publicKey: fixture.signer.verifier, trustedCheckpoint: trusted ? fixture.trusted : nil)
    }

    func assertOnly(_ kind: AuditBreak.Kind, _ result: AuditVerification, seq: UInt64? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.intact, file: file, line: line)
        XCTAssertEqual(result.breaks.first?.kind, kind, "\(result.breaks)", file: file, line: line)
        if let seq { XCTAssertEqual(result.breaks.first?.seq, seq, "\(result.breaks)", file: file, line: line) }
    }

    func testUntouchedLogVerifies() throws {
        let fixture = try fixture()
        let result = try verify(fixture)
        XCTAssertTrue(result.intact, "\(result.breaks)")
        XCTAssertEqual(result.recordCount, 10_000)
        XCTAssertEqual(result.lineCount, 10_000)
        XCTAssertEqual(result.latestSignedSize, 10_000)
        XCTAssertEqual(result.checkpointCount, 2)
        XCTAssertEqual(result.firstTime, AuditTime.format(milliseconds: 1_795_000_000_000))
        XCTAssertEqual(result.headHash, Hex.encode(MerkleTree.leafHash(fixture.lines.last!)))
        XCTAssertEqual(result.rootHash, Hex.encode(try AuditCheckpoint(body: fixture.trusted.body).rootHash))
        var strict = AuditVerifier(publicKey: fixture.signer.verifier)
        strict.strict = true
        XCTAssertTrue(try strict.verify(logPath: fixture.path).intact)
    }

    func testModifiedRecord() throws {
        let fixture = try fixture()
        var lines = fixture.lines
        let text = String(decoding: lines[1234], as: UTF8.self).replacingOccurrences(of: "\"count\":34", with: "\"count\":35")
        XCTAssertNotEqual(Array(text.utf8), lines[1234])
        lines[1234] = Array(text.utf8)
        try writeLines(lines, to: fixture.path)
        let result = try verify(fixture)
        assertOnly(.modifiedRecord, result, seq: 1234)
        XCTAssertTrue(result.kinds.contains(.fork))  // both checkpoints cover it

        // A byte that breaks the canonical form is named too.
        lines = fixture.lines
        lines[77][10] = UInt8(ascii: " ")
        try writeLines(lines, to: fixture.path)
        assertOnly(.modifiedRecord, try verify(fixture), seq: 77)
    }

    func testDeletedRecord() throws {
        let fixture = try fixture()
        var lines = fixture.lines
        lines.remove(at: 4000)
        try writeLines(lines, to: fixture.path)
        let result = try verify(fixture)
        assertOnly(.deletedRecord, result, seq: 4000)
        XCTAssertEqual(result.breaks.filter { $0.kind == .deletedRecord }.count, 1)
    }

    func testInsertedRecord() throws {
        let fixture = try fixture()
        var lines = fixture.lines
        // A forger copies record 2999's successor position: seq 3000 chained to record 2999.
        var forged = try AuditRecord(canonicalLine: lines[3000])
        forged.outcome = AuditOutcome(code: .success, message: "nothing to see")
        lines.insert(forged.canonicalBytes, at: 3000)
        try writeLines(lines, to: fixture.path)
        let result = try verify(fixture)
        assertOnly(.insertedRecord, result, seq: 3000)
        XCTAssertEqual(result.breaks.filter { $0.kind != .fork && $0.kind != .insertedRecord }, [])
    }

    func testReorderedRecords() throws {
        let fixture = try fixture()
        var lines = fixture.lines
        lines.swapAt(6000, 6001)
        try writeLines(lines, to: fixture.path)
        let result = try verify(fixture)
        assertOnly(.reorderedRecords, result, seq: 6001)
        XCTAssertEqual(result.breaks.filter { $0.kind != .fork }.count, 1, "\(result.breaks)")
    }

    func testTruncatedTail() throws {
        let fixture = try fixture()
        try writeLines(Array(fixture.lines[0..<9_990]), to: fixture.path)
        let result = try verify(fixture)
        assertOnly(.truncatedTail, result)
        XCTAssertEqual(result.breaks.count, 2)  // the log's own last checkpoint and the trusted one
    }

    func testForkRewrittenAndResignedWithAnotherKey() throws {
        let fixture = try fixture()
        // The attacker rewrites the history from record 0 and re-signs with their own key.
        try FileManager.default.removeItem(atPath: fixture.path)
        try FileManager.default.removeItem(atPath: fixture.path + ".checkpoints")
        let log = AuditLog(path: fixture.path, clock: ManualClock())
        try log.append((0..<Self.recordCount).map { sampleDraft($0 == 42 ? 43 : $0) })
        let attacker = try NoteSigner.generate(name: "ward7-audit")
        try AuditCheckpointer(log: log, signer: attacker, origin: "ward7.example/cmr-audit").checkpoint()
        let result = try verify(fixture)
        XCTAssertTrue(result.kinds.contains(.badSignature), "\(result.breaks)")
        XCTAssertTrue(result.kinds.contains(.fork), "\(result.breaks)")
        XCTAssertEqual(result.breaks.first { $0.kind == .fork }?.line, 10_000)
    }

    func testForkSameKeyDifferentRoot() throws {
        let fixture = try fixture()
        // The rewritten history is signed with the real key (an insider), but the auditor kept
        // the earlier checkpoint.
        try FileManager.default.removeItem(atPath: fixture.path)
        try FileManager.default.removeItem(atPath: fixture.path + ".checkpoints")
        let log = AuditLog(path: fixture.path, clock: ManualClock())
        try log.append((0..<Self.recordCount).map { sampleDraft($0 == 42 ? 43 : $0) })
        try AuditCheckpointer(log: log, signer: fixture.signer, origin: "ward7.example/cmr-audit").checkpoint()
        XCTAssertTrue(try verify(fixture, trusted: false).intact)
        let result = try verify(fixture)
        XCTAssertEqual(result.kinds, [.fork])
    }

    func testBadSignature() throws {
        let fixture = try fixture()
        var text = String(decoding: fixture.checkpoints, as: UTF8.self)
        // Change the first checkpoint's size without re-signing.
        text = text.replacingOccurrences(of: "\n5000\n", with: "\n4999\n")
        try Data(text.utf8).write(to: URL(fileURLWithPath: fixture.path + ".checkpoints"))
        let result = try verify(fixture)
        XCTAssertEqual(result.kinds, [.badSignature])
        XCTAssertEqual(result.latestSignedSize, 10_000)
    }

    func testTimeGoingBackwards() throws {
        let folder = try temporaryDirectory(self)
        let path = folder + "/audit.log"
        let clock = ManualClock()
        let log = AuditLog(path: path, clock: clock)
        try log.append((0..<100).map(sampleDraft))
        clock.set(milliseconds: 1_795_000_000_000 - 60_000)  // wall clock stepped back a minute
        try log.append((100..<200).map(sampleDraft))
        clock.set(monotonic: 5, boot: "another-boot")  // a reboot: monotonic restarts, no break
        try log.append((200..<300).map(sampleDraft))
        clock.set(monotonic: 1, boot: "test-boot")  // back on the first boot's clock, going backwards
        try log.append(sampleDraft(300))
        let result = try AuditVerifier.verify(logPath: path)
        XCTAssertEqual(result.breaks.map(\.kind), [.timeWentBackwards, .timeWentBackwards], "\(result.breaks)")
        XCTAssertEqual(result.breaks.map(\.seq), [100, 300])
    }

    func testTornLineAndRecovery() throws {
        let folder = try temporaryDirectory(self)
        let path = folder + "/audit.log"
        let log = AuditLog(path: path, clock: ManualClock())
        try log.append((0..<10).map(sampleDraft))
        let half = Array(sampleDraft(10).record(seq: 10, prev: "x", clock: ManualClock().now()).canonicalBytes.prefix(80))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: half)
        try handle.close()

        let torn = try AuditVerifier.verify(logPath: path)
        XCTAssertEqual(torn.kinds, [.tornLine])

        let next = try log.append(sampleDraft(11))
        XCTAssertEqual(next.seq, 11)  // 10 is the recovery record
        let lines = try readLines(path)
        let recovery = try AuditRecord(canonicalLine: lines[10])
        XCTAssertEqual(recovery.event, AuditEvent(code: "110101", action: .update, name: "recovery"))
        XCTAssertEqual(recovery.details?["quarantinedBytes"], "80")
        XCTAssertEqual(recovery.details?["quarantinedSHA256"], Hex.encode(SHA256.hash(half)))
        let quarantine = try readLines(path + ".quarantine")
        XCTAssertEqual(quarantine.count, 1)
        guard case let .object(entry) = try CanonicalJSON.parse(quarantine[0]) else { return XCTFail() }
        XCTAssertEqual(entry["length"], .unsigned(80))
        XCTAssertEqual(entry["offset"], .unsigned(UInt64(lines[0..<10].map { $0.count + 1 }.reduce(0, +))))

        let result = try AuditVerifier.verify(logPath: path)
        XCTAssertTrue(result.intact, "\(result.breaks)")
        XCTAssertEqual(result.recoveries, [10])
        XCTAssertEqual(result.recordCount, 12)
    }

    func testInclusionProof() throws {
        let fixture = try fixture()
        let proof = try InclusionProof.make(logPath: fixture.path, index: 4321, checkpoint: fixture.trusted)
        let text = proof.text
        XCTAssertNil(AuditVerifier.verify(proof: text, publicKey: fixture.signer.verifier))
        XCTAssertEqual(try InclusionProof(text: text), proof)
        var forged = proof
        forged.record = forged.record.replacingOccurrences(of: "\"count\":21", with: "\"count\":22")
        XCTAssertNotNil(forged.verify(publicKey: fixture.signer.verifier))
        let other = try NoteSigner.generate(name: "ward7-audit")
        XCTAssertNotNil(proof.verify(publicKey: other.verifier))
    }
}
