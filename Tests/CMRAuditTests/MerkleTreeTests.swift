import CMRCrypto
import Foundation
import XCTest
@testable import CMRAudit

final class MerkleTreeTests: XCTestCase {
    /// The leaves of certificate-transparency's merkle_tree_test.cc.
    static let leaves: [[UInt8]] = [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        Array(0x50...0x57), Array(0x60...0x6f),
    ]
    /// Its roots for sizes 1…8.
    static let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    func testReferenceRoots() {
        XCTAssertEqual(Hex.encode(MerkleTree.emptyRoot), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let hashes = Self.leaves.map { MerkleTree.leafHash($0) }
        for size in 1...8 {
            XCTAssertEqual(Hex.encode(MerkleTree.root(leafHashes: hashes[0..<size])), Self.roots[size - 1], "size \(size)")
        }
    }

    func testReferenceInclusionAndConsistencyProofs() throws {
        let hashes = Self.leaves.map { MerkleTree.leafHash($0) }
        // Published paths: leaf 0 of 8, leaf 5 of 8, leaf 2 of 3, leaf 1 of 5.
        XCTAssertEqual(MerkleTree.inclusionProof(index: 0, leafHashes: hashes).map { Hex.encode($0) }, [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ])
        XCTAssertEqual(MerkleTree.inclusionProof(index: 5, leafHashes: hashes).map { Hex.encode($0) }, [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ])
        // Consistency 1→8, 6→8, 2→5 (merkle_tree_test.cc).
        XCTAssertEqual(MerkleTree.consistencyProof(oldSize: 1, leafHashes: hashes).map { Hex.encode($0) }, [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ])
        XCTAssertEqual(MerkleTree.consistencyProof(oldSize: 6, leafHashes: hashes).map { Hex.encode($0) }, [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ])
        XCTAssertEqual(MerkleTree.consistencyProof(oldSize: 2, leafHashes: Array(hashes[0..<5])).map { Hex.encode($0) }, [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ])
    }

    func testEveryProofVerifiesAndTamperingFails() {
        let hashes = (0..<37).map { MerkleTree.leafHash([UInt8(truncatingIfNeeded: $0), 7]) }
        for size in 1...hashes.count {
            let tree = Array(hashes[0..<size])
            let root = MerkleTree.root(leafHashes: tree)
            for index in 0..<size {
                let proof = MerkleTree.inclusionProof(index: index, leafHashes: tree)
                XCTAssertTrue(MerkleTree.verifyInclusion(leafHash: tree[index], index: UInt64(index), treeSize: UInt64(size), proof: proof, root: root))
                if !proof.isEmpty {
                    var bad = proof
                    bad[0][0] ^= 1
                    XCTAssertFalse(MerkleTree.verifyInclusion(leafHash: tree[index], index: UInt64(index), treeSize: UInt64(size), proof: bad, root: root))
                }
            }
            for old in 0...size {
                let oldRoot = MerkleTree.root(leafHashes: tree[0..<old])
                let proof = MerkleTree.consistencyProof(oldSize: old, leafHashes: tree)
                XCTAssertTrue(MerkleTree.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(size), oldRoot: oldRoot, newRoot: root, proof: proof), "\(old)→\(size)")
                if old > 0 && old < size {
                    var forked = oldRoot
                    forked[0] ^= 1
                    XCTAssertFalse(MerkleTree.verifyConsistency(oldSize: UInt64(old), newSize: UInt64(size), oldRoot: forked, newRoot: root, proof: proof))
                }
            }
        }
    }

    /// Roots and audit paths against an independent Python implementation of RFC 6962.
    func testAgainstPython() throws {
        guard let python = try pythonOrSkip() else { return }
        let script = #"""
import hashlib, sys, json
leaves = [bytes.fromhex(l) for l in json.load(sys.stdin)]
H = lambda b: hashlib.sha256(b).digest()
def mth(d):
    if len(d) == 0: return H(b"")
    if len(d) == 1: return H(b"\x00" + d[0])
    k = 1
    while k * 2 < len(d): k *= 2
    return H(b"\x01" + mth(d[:k]) + mth(d[k:]))
def path(m, d):
    if len(d) <= 1: return []
    k = 1
    while k * 2 < len(d): k *= 2
    return path(m, d[:k]) + [mth(d[k:])] if m < k else path(m - k, d[k:]) + [mth(d[:k])]
out = {"roots": [mth(leaves[:n]).hex() for n in range(len(leaves) + 1)],
       "paths": [[p.hex() for p in path(m, leaves)] for m in range(len(leaves))]}
print(json.dumps(out))
"""#
        var generator = SystemRandomNumberGenerator()
        let leaves = (0..<70).map { _ in (0..<Int.random(in: 0..<40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        let input = try JSONEncoder().encode(leaves.map { Hex.encode($0) })
        let output = try runPython(python, script, input: Array(input))
        struct Answer: Decodable { let roots: [String]; let paths: [[String]] }
        let answer = try JSONDecoder().decode(Answer.self, from: Data(output))
        let hashes = leaves.map { MerkleTree.leafHash($0) }
        for size in 0...leaves.count {
            XCTAssertEqual(Hex.encode(MerkleTree.root(leafHashes: hashes[0..<size])), answer.roots[size])
        }
        for index in 0..<leaves.count {
            XCTAssertEqual(MerkleTree.inclusionProof(index: index, leafHashes: hashes).map { Hex.encode($0) }, answer.paths[index])
        }
    }

    func testManyLeavesRootInOnePass() {
        var builder = MerkleTree.Builder()
        let leaf = MerkleTree.leafHash([1, 2, 3])
        let start = DispatchTime.now()
        for _ in 0..<100_000 { builder.append(leafHash: leaf) }
        _ = builder.root
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        XCTAssertEqual(builder.size, 100_000)
        XCTAssertLessThan(seconds, 30)
    }
}
