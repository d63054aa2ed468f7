import Foundation
import XCTest
@testable import CMRCrypto

/// SHA-256 and SHA-512 against FIPS 180-4, and streaming against one-shot.
final class HashFunctionTests: XCTestCase {
    struct Vector: Decodable {
        let name: String
        let text: String
        let `repeat`: Int
        let sha256: String
        let sha512: String

        var message: [UInt8] {
            let unit = Array(text.utf8)
            var message: [UInt8] = []
            message.reserveCapacity(unit.count * self.repeat)
            for _ in 0..<self.repeat { message.append(contentsOf: unit) }
            return message
        }
    }

    /// The SHA-extension path (taken on this processor when it has them) and the portable one agree
    /// on FIPS vectors and on random messages of every length across several block boundaries.
    func testProcessorExtensionsAgreeWithPortableRounds() throws {
        XCTAssertEqual(Hex.encode(SHA256.portableHash(Array("abc".utf8))),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var random = SplitMix64(seed: 0x5AA5_2026)
        let message = random.bytes(64 * 7 + 3)
        for length in 0...message.count {
            let prefix = Array(message[0..<length])
            XCTAssertEqual(SHA256.hash(prefix), SHA256.portableHash(prefix), "length \(length)")
        }
        let large = random.bytes(1 << 20)
        XCTAssertEqual(SHA256.hash(large), SHA256.portableHash(large))
        #if arch(x86_64)
        // Which path ran is stated, so that a log shows whether the extensions were exercised.
        print("SHA-256 on the processor's SHA extensions: \(SHA256.usesProcessorExtensions)")
        #endif
    }

    func testFIPS180Examples() throws {
        let vectors = try VectorFile.load("sha2-fips180-4.json", as: Vector.self)
        XCTAssertEqual(vectors.count, 5)
        for vector in vectors {
            let message = vector.message
            XCTAssertEqual(Hex.encode(SHA256.hash(message)), vector.sha256, vector.name)
            XCTAssertEqual(Hex.encode(SHA512.hash(message)), vector.sha512, vector.name)
        }
    }

    func testOneMillionAFedOneByteAtATime() throws {
        let vector = try XCTUnwrap(VectorFile.load("sha2-fips180-4.json", as: Vector.self).first { $0.repeat == 1_000_000 })
        var sha256 = SHA256()
        var sha512 = SHA512()
        let a: [UInt8] = [UInt8(ascii: "a")]
        for _ in 0..<1_000_000 {
            sha256.update(a)
            sha512.update(a)
        }
        XCTAssertEqual(Hex.encode(sha256.finalize()), vector.sha256)
        XCTAssertEqual(Hex.encode(sha512.finalize()), vector.sha512)
    }

    func testStreamingInOddChunksEqualsOneShot() {
        var generator = SplitMix64(seed: 0x5eed)
        let message = (0..<5000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let expected256 = SHA256.hash(message)
        let expected512 = SHA512.hash(message)
        for chunkSizes in [[1], [3], [7], [13], [55, 1, 8], [63], [64], [65], [111, 17], [127], [128], [129], [1000]] {
            var sha256 = SHA256()
            var sha512 = SHA512()
            var offset = 0
            var turn = 0
            while offset < message.count {
                let size = min(chunkSizes[turn % chunkSizes.count], message.count - offset)
                sha256.update(message[offset..<(offset + size)])
                message[offset..<(offset + size)].withUnsafeBytes { sha512.update($0) }
                offset += size
                turn += 1
            }
            XCTAssertEqual(sha256.finalize(), expected256, "chunks \(chunkSizes)")
            XCTAssertEqual(sha512.finalize(), expected512, "chunks \(chunkSizes)")
        }
    }

    /// Every length around the padding boundaries, streamed in two parts at every split point.
    func testEveryLengthAndSplitAroundBlockBoundaries() {
        let message = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for length in 0...260 {
            let whole = Array(message[0..<length])
            let expected256 = SHA256.hash(whole)
            let expected512 = SHA512.hash(whole)
            for split in Set([0, length / 2, length, max(0, length - 1)]) {
                var sha256 = SHA256()
                sha256.update(whole[0..<split])
                sha256.update(whole[split...])
                XCTAssertEqual(sha256.finalize(), expected256, "length \(length) split \(split)")
                var sha512 = SHA512()
                sha512.update(whole[0..<split])
                sha512.update(whole[split...])
                XCTAssertEqual(sha512.finalize(), expected512, "length \(length) split \(split)")
            }
        }
    }

    func testFinalizeLeavesStateUsable() {
        var hash = SHA256()
        hash.update(Array("ab".utf8))
        XCTAssertEqual(hash.finalize(), SHA256.hash(Array("ab".utf8)))
        hash.update(Array("c".utf8))
        XCTAssertEqual(Hex.encode(hash.finalize()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testNonContiguousCollections() {
        let text = "The quick brown fox jumps over the lazy dog"
        let expected = SHA512.hash(Array(text.utf8))
        XCTAssertEqual(SHA512.hash(text.utf8.lazy.map { $0 }), expected)
        XCTAssertEqual(SHA512.hash(Data(text.utf8)), expected)
        XCTAssertEqual(
            Hex.encode(SHA256.hash(text.utf8)),
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592")
    }

    func testSizes() {
        XCTAssertEqual(SHA256.blockSize, 64)
        XCTAssertEqual(SHA256.digestSize, 32)
        XCTAssertEqual(SHA512.blockSize, 128)
        XCTAssertEqual(SHA512.digestSize, 64)
        XCTAssertEqual(SHA256.hash([UInt8]()).count, 32)
        XCTAssertEqual(SHA512.hash([UInt8]()).count, 64)
    }
}
