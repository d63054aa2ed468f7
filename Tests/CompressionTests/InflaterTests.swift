import Compression
import XCTest

/// Streaming decoding: input split anywhere gives the same result as one piece.
final class InflaterTests: XCTestCase {
    func testVectorsOneByteAtATime() throws {
        for vector in try InflateVector.load() {
            let input = vector.inputBytes
            let oneShot = Result { try Inflate.decompress(input, format: vector.compressionFormat) }
            let streamed = Result { try inflateInChunks(input, format: vector.compressionFormat, chunkSizes: [1]) }
            switch (oneShot, streamed) {
            case (.success(let a), .success(let b)):
                XCTAssertEqual(a.output, b.output, vector.name)
                XCTAssertEqual(a.consumedInputCount, b.consumed, vector.name)
            case (.failure(let a), .failure(let b)):
                XCTAssertEqual(errorName(a), errorName(b), vector.name)
            default:
                XCTFail("\(vector.name): one-shot \(oneShot) but streamed \(streamed)")
            }
        }
    }

    func testChunkSizesAllAgree() throws {
        let inputs: [[UInt8]] = [
            TestData.text(150_000, seed: 10),
            TestData.image16(100_000, seed: 11),
            TestData.random(40_000, seed: 12),
            TestData.repeatedBlock(200_000, period: 30_000, seed: 13),
        ]
        for (i, original) in inputs.enumerated() {
            for level in [CompressionLevel.store, .fastest, .default] {
                for format in CompressionFormat.allCases {
                    let stream = Deflate.compress(original, format: format, level: level)
                    for sizes in [[1], [2, 3, 5, 7], [8], [4096], [1, 65536, 9], [stream.count]] {
                        let (output, consumed) = try inflateInChunks(stream, format: format, chunkSizes: sizes)
                        XCTAssertEqual(output, original, "input \(i) \(level) \(format) chunks \(sizes)")
                        XCTAssertEqual(consumed, stream.count)
                    }
                }
            }
        }
    }

    /// Output arrives while input is still being fed, in pieces of bounded size.
    func testOutputIsIncrementalAndBounded() throws {
        let original = TestData.text(3_000_000, seed: 14)
        let stream = Deflate.raw(original, level: .fastest)
        let inflater = Inflater(format: .raw)
        var output: [UInt8] = []
        var largestPiece = 0
        var outputAfterHalfTheInput = 0
        var offset = 0
        while offset < stream.count {
            let n = min(10_000, stream.count - offset)
            _ = try stream[offset..<(offset + n)].withUnsafeBytes { bytes in
                try inflater.process(bytes) { piece in
                    largestPiece = max(largestPiece, piece.count)
                    output.append(contentsOf: piece)
                }
            }
            offset += n
            if offset <= stream.count / 2 { outputAfterHalfTheInput = output.count }
        }
        try inflater.finish()
        XCTAssertEqual(output, original)
        XCTAssertLessThanOrEqual(largestPiece, 256 * 1024)
        XCTAssertGreaterThan(outputAfterHalfTheInput, original.count / 3)
        XCTAssertEqual(inflater.producedOutputCount, original.count)
        XCTAssertEqual(inflater.consumedInputCount, stream.count)
    }

    /// The call in which the stream ends reports how much of its input belonged to the stream.
    func testConsumedCountInTheFinalChunk() throws {
        let original = TestData.text(10_000, seed: 15)
        for format in CompressionFormat.allCases {
            let stream = Deflate.compress(original, format: format)
            let padded = stream + [UInt8](repeating: 0xAA, count: 100)
            for chunk in [1, 7, 64, 1000, padded.count] {
                let inflater = Inflater(format: format)
                var output: [UInt8] = []
                var consumed = 0
                var offset = 0
                while offset < padded.count {
                    let n = min(chunk, padded.count - offset)
                    consumed += try padded[offset..<(offset + n)].withUnsafeBytes { bytes in
                        try inflater.process(bytes) { output.append(contentsOf: $0) }
                    }
                    offset += n
                }
                XCTAssertTrue(inflater.isFinished)
                XCTAssertEqual(consumed, stream.count, "\(format) chunk \(chunk)")
                XCTAssertEqual(inflater.consumedInputCount, stream.count)
                XCTAssertEqual(output, original)
            }
        }
    }

    func testFinishThrowsWhenTruncated() throws {
        let stream = Deflate.zlib(TestData.text(1000, seed: 16))
        let inflater = Inflater(format: .zlib)
        _ = try inflater.process(Array(stream.dropLast()))
        XCTAssertFalse(inflater.isFinished)
        XCTAssertThrowsError(try inflater.finish()) { error in
            XCTAssertEqual(error as? CompressionError, .truncatedInput(offset: stream.count - 1))
        }
        _ = try inflater.process([stream.last!])
        XCTAssertNoThrow(try inflater.finish())
    }

    func testErrorsAreSticky() throws {
        let inflater = Inflater(format: .raw)
        XCTAssertThrowsError(try inflater.process([0x07]))
        XCTAssertThrowsError(try inflater.process([0x03, 0x00])) { error in
            XCTAssertEqual(error as? CompressionError, .invalidBlockType(offset: 0))
        }
        XCTAssertThrowsError(try inflater.finish())
    }

    func testOutputLimitWhileStreaming() throws {
        let stream = Deflate.raw([UInt8](repeating: 7, count: 500_000))
        XCTAssertThrowsError(try inflateInChunks(stream, format: .raw, chunkSizes: [1], maximumOutputSize: 400_000))
        XCTAssertEqual(
            try inflateInChunks(stream, format: .raw, chunkSizes: [3], maximumOutputSize: 500_000).output.count,
            500_000)
    }

    func testErrorsFromTheOutputClosurePropagate() throws {
        struct Stop: Error {}
        let inflater = Inflater(format: .raw)
        let stream = Deflate.raw(TestData.text(1000, seed: 17))
        XCTAssertThrowsError(try stream.withUnsafeBytes { bytes in
            try inflater.process(bytes) { _ in throw Stop() }
        }) { error in
            XCTAssertTrue(error is Stop)
        }
    }
}
