import Compression
import XCTest

/// Damaged and hostile streams must make the decoder throw or return, never crash or hang.
final class InflateRobustnessTests: XCTestCase {
    /// Every proper prefix of a valid stream is reported as truncated: the last byte of a stream
    /// always holds some of its bits.
    func testEveryTruncationThrows() throws {
        let original = TestData.text(2500, seed: 20) + TestData.random(200, seed: 21)
        for format in CompressionFormat.allCases {
            for level in [CompressionLevel.store, .fastest, .best] {
                let stream = Deflate.compress(original, format: format, level: level)
                for cut in 0..<stream.count {
                    let prefix = Array(stream.prefix(cut))
                    XCTAssertThrowsError(try Inflate.decompress(prefix, format: format), "\(format) \(level) cut \(cut)") {
                        error in
                        XCTAssertEqual((error as? CompressionError).map(caseName), "truncatedInput")
                    }
                }
            }
        }
    }

    /// 2,000 streams with random bits flipped, bytes replaced, or pieces cut: each decode ends with
    /// output or an error, and feeding one byte at a time ends the same way.
    func testMutatedStreams() throws {
        let originals: [[UInt8]] = [
            TestData.text(4000, seed: 22),
            TestData.image16(3000, seed: 23),
            TestData.repeatedBlock(5000, period: 700, seed: 24),
        ]
        var streams: [(CompressionFormat, [UInt8])] = []
        for (i, original) in originals.enumerated() {
            for format in CompressionFormat.allCases {
                streams.append((format, Deflate.compress(original, format: format, level: CompressionLevel(1 + 4 * i))))
            }
        }
        var rng = SplitMix64(seed: 25)
        var outcomes: [String: Int] = [:]
        for trial in 0..<2000 {
            let (format, valid) = streams[trial % streams.count]
            var stream = valid
            switch rng.next() % 4 {
            case 0, 1:
                for _ in 0..<(1 + rng.next() % 4) {
                    let bit = Int(rng.next() % UInt64(stream.count * 8))
                    stream[bit / 8] ^= 1 << (bit % 8)
                }
            case 2:
                stream[Int(rng.next() % UInt64(stream.count))] = UInt8(truncatingIfNeeded: rng.next())
            default:
                let at = Int(rng.next() % UInt64(stream.count))
                let length = Int(rng.next() % 16)
                stream.removeSubrange(at..<min(at + length, stream.count))
                stream.insert(contentsOf: TestData.random(Int(rng.next() % 8), seed: rng.next()), at: at)
            }
            let oneShot = Result { try Inflate.decompress(stream, format: format, maximumOutputSize: 1 << 20) }
            switch oneShot {
            case .success: outcomes["decoded", default: 0] += 1
            case .failure(let error): outcomes[errorName(error), default: 0] += 1
            }
            if trial % 10 == 0 {
                let streamed = Result {
                    try inflateInChunks(stream, format: format, chunkSizes: [1], maximumOutputSize: 1 << 20)
                }
                switch (oneShot, streamed) {
                case (.success(let a), .success(let b)):
                    XCTAssertEqual(a.output, b.output, "trial \(trial)")
                case (.failure(let a), .failure(let b)):
                    XCTAssertEqual(errorName(a), errorName(b), "trial \(trial)")
                default:
                    XCTFail("trial \(trial): one-shot \(oneShot) but streamed \(streamed)")
                }
            }
        }
        XCTAssertEqual(outcomes.values.reduce(0, +), 2000)
        XCTAssertGreaterThan(outcomes.count, 4, "\(outcomes)")
    }

    /// Random bytes as raw DEFLATE: mostly errors, never a crash.
    func testRandomGarbage() throws {
        var rng = SplitMix64(seed: 26)
        for trial in 0..<1000 {
            let garbage = TestData.random(Int(rng.next() % 600), seed: UInt64(trial))
            for format in CompressionFormat.allCases {
                _ = try? Inflate.decompress(garbage, format: format, maximumOutputSize: 1 << 20)
            }
        }
    }

    /// Blocks that are all matches of distance 1 decode at full speed up to the limit and stop.
    func testLongRunOfMatchesHitsTheLimit() throws {
        // A fixed block: literal 0, then length-258 matches at distance 1 forever (no end-of-block).
        var bits: [UInt8] = []
        func put(_ value: Int, _ count: Int) { for i in 0..<count { bits.append(UInt8((value >> i) & 1)) } }
        func putCode(_ code: Int, _ count: Int) { for i in stride(from: count - 1, through: 0, by: -1) { bits.append(UInt8((code >> i) & 1)) } }
        put(1, 1)
        put(1, 2)
        putCode(0x30, 8)  // literal 0
        for _ in 0..<20_000 {
            putCode(0xC5, 8)  // length symbol 285: 258
            putCode(0, 5)  // distance 1
        }
        var stream = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (i, bit) in bits.enumerated() { stream[i / 8] |= bit << (i % 8) }
        XCTAssertThrowsError(try Inflate.raw(stream, maximumOutputSize: 1_000_000)) { error in
            XCTAssertEqual((error as? CompressionError).map(caseName), "outputLimitExceeded")
        }
        XCTAssertThrowsError(try Inflate.raw(stream)) { error in
            XCTAssertEqual((error as? CompressionError).map(caseName), "truncatedInput")
        }
    }
}
