import CMRCrypto
import Foundation
import XCTest
@testable import CMRAudit

/// The default verify examines and hashes lines in parallel batches and adds whole batches to the
/// Merkle tree as subtrees: it must still catch every non-canonical line, wherever it falls in a
/// batch, and give the same roots as adding leaves one by one.
final class AuditVerifierFastPathTests: XCTestCase {
    /// Roots at checkpoints on, inside and after whole batches match those the checkpointer
    /// computes leaf by leaf; a change in a whole batch is a fork of every later checkpoint.
    func testRootsOfWholeBatches() throws {
        let folder = try temporaryDirectory(self)
        let path = folder + "/audit.log"
        let log = AuditLog(path: path, clock: ManualClock())
        let signer = try NoteSigner(name: "ward7-audit", privateKey: Ed25519.PrivateKey(seed: [UInt8](repeating: 9, count: 32)))
        let checkpointer = AuditCheckpointer(log: log, signer: signer, origin: "ward7.example/cmr-audit")
        let batch = AuditVerifier.LinesAhead.batchSize
        var written = 0
        for size in [batch, 2 * batch + 5, 3 * batch, 3 * batch + 1000] {
            try log.append((written..<size).map(sampleDraft))
            written = size
            _ = try checkpointer.checkpoint()
        }
        let result = try AuditVerifier.verify(logPath: path, publicKey: signer.verifier)
        XCTAssertTrue(result.intact, "\(result.breaks)")
        XCTAssertEqual(result.checkpointCount, 4)
        XCTAssertEqual(result.lineCount, UInt64(written))
        let lines = try readLines(path)
        XCTAssertEqual(result.rootHash, Hex.encode(MerkleTree.root(leafHashes: lines.map { MerkleTree.leafHash($0) })))

        // Hashes the verifier computed for a whole batch must be the lines' hashes.
        var changed = lines
        changed[batch + 10] = Array(String(decoding: changed[batch + 10], as: UTF8.self)
            .replacingOccurrences(of: "\"count\":\((batch + 10) % 50),", with: "\"count\":\((batch + 10) % 50 + 1),").utf8)
        XCTAssertNotEqual(changed[batch + 10], lines[batch + 10])
        try writeLines(changed, to: path)
        let forked = try AuditVerifier.verify(logPath: path, publicKey: signer.verifier)
        XCTAssertEqual(forked.breaks.first?.kind, .modifiedRecord, "\(forked.breaks)")
        XCTAssertEqual(forked.breaks.first?.seq, UInt64(batch + 10))
        XCTAssertEqual(forked.breaks.filter { $0.kind == .fork }.count, 3, "\(forked.breaks)")
    }

    func testSubtreeAppendMatchesLeafAppend() {
        let leaves = (0..<64).map { MerkleTree.leafHash([UInt8(truncatingIfNeeded: $0)]) }
        var byLeaf = MerkleTree.Builder()
        for leaf in leaves { byLeaf.append(leafHash: leaf) }
        var bySubtree = MerkleTree.Builder()
        for start in stride(from: 0, to: 32, by: 16) { bySubtree.append(subtreeRoot: MerkleTree.root(leafHashes: leaves[start..<start + 16]), size: 16) }
        bySubtree.append(subtreeRoot: MerkleTree.root(leafHashes: leaves[32..<40]), size: 8)
        for leaf in leaves[40...] { bySubtree.append(leafHash: leaf) }
        XCTAssertEqual(bySubtree.size, 64)
        XCTAssertEqual(bySubtree.root, byLeaf.root)
    }
}

extension AuditVerifierTests {
    /// A non-canonical spelling of the same record is a modified record under the default
    /// (non-strict) verify, at the start, middle and end of a batch and in the last, partial one.
    func testNonCanonicalLinesAreCaught() throws {
        let fixture = try fixture()
        let batch = AuditVerifier.LinesAhead.batchSize
        let code = AuditEvent.Code.export
        let variants: [(String, (String) -> String)] = [
            ("space inserted", { $0.replacingOccurrences(of: "\"boot\":", with: "\"boot\": ") }),
            ("top-level keys reordered", { "{\"version\":1," + $0.dropFirst().replacingOccurrences(of: ",\"version\":1}", with: "}") }),
            ("nested keys reordered", {
                $0.replacingOccurrences(of: "{\"action\":\"R\",\"code\":\"\(code)\"", with: "{\"code\":\"\(code)\",\"action\":\"R\"")
            }),
            ("1.0 for an integer", { $0.replacingOccurrences(of: ",\"version\":1}", with: ",\"version\":1.0}") }),
            ("leading zero", { $0.replacingOccurrences(of: "\"pid\":4242", with: "\"pid\":04242") }),
            ("non-minimal escape", { $0.replacingOccurrences(of: "\"user\":\"tester\"", with: "\"user\":\"\\u0074ester\"") }),
        ]
        for index in [0, batch - 1, batch, AuditVerifierTests.recordCount - 1] {
            for (name, change) in variants {
                var lines = fixture.lines
                let text = change(String(decoding: lines[index], as: UTF8.self))
                XCTAssertNotEqual(Array(text.utf8), lines[index], name)
                lines[index] = Array(text.utf8)
                try writeLines(lines, to: fixture.path)
                let result = try verify(fixture)
                XCTAssertFalse(result.intact, "\(name) at \(index)")
                let first = result.breaks.first
                XCTAssertEqual(first?.kind, .modifiedRecord, "\(name) at \(index): \(result.breaks)")
                XCTAssertEqual(first?.seq, UInt64(index), "\(name) at \(index): \(result.breaks)")
                XCTAssertEqual(first?.line, UInt64(index + 1), "\(name) at \(index): \(result.breaks)")
                XCTAssertTrue(first?.found.contains("not a canonical record") ?? false, "\(name) at \(index): \(result.breaks)")
            }
        }
    }
}
