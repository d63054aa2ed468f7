import Compression
import XCTest

/// One-shot decoding of known streams (`Vectors/inflate-vectors.json`) and the `Inflate` API.
final class InflateTests: XCTestCase {
    func testVectors() throws {
        let vectors = try InflateVector.load()
        XCTAssertGreaterThan(vectors.count, 25)
        for vector in vectors {
            do {
                let result = try Inflate.decompress(vector.inputBytes, format: vector.compressionFormat)
                XCTAssertNil(vector.error, "\(vector.name): decoded, but should fail")
                vector.check(result.output)
                XCTAssertEqual(result.consumedInputCount, vector.inputBytes.count, vector.name)
            } catch {
                XCTAssertEqual(caseName(error), vector.error, "\(vector.name): \(error)")
                XCTAssertLessThanOrEqual(error.offset, vector.inputBytes.count, vector.name)
            }
        }
    }

    func testEmptyStreams() throws {
        XCTAssertEqual(try Inflate.raw([0x03, 0x00]), [])
        XCTAssertEqual(try Inflate.raw([0x01, 0x00, 0x00, 0xFF, 0xFF]), [])
        XCTAssertEqual(try Inflate.zlib([0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), [])
    }

    func testFormatsAgree() throws {
        let text = TestData.text(5000, seed: 5)
        XCTAssertEqual(try Inflate.raw(Deflate.raw(text)), text)
        XCTAssertEqual(try Inflate.zlib(Deflate.zlib(text)), text)
        XCTAssertEqual(try Inflate.gzip(Deflate.gzip(text)), text)
        let zlib = Deflate.zlib(text)
        XCTAssertEqual(try zlib.withUnsafeBytes { try Inflate.zlib($0) }, text)
    }

    /// A DICOM deflated data set may be followed by a padding byte: decoding stops at the end of
    /// the stream and says where that is.
    func testTrailingBytesAreNotConsumed() throws {
        let text = TestData.text(3000, seed: 6)
        for format in CompressionFormat.allCases {
            let stream = Deflate.compress(text, format: format)
            let result = try Inflate.decompress(stream + [0x00, 0xFF, 0x12], format: format)
            XCTAssertEqual(result.output, text)
            XCTAssertEqual(result.consumedInputCount, stream.count, "\(format)")
        }
        // Stored blocks end on a byte boundary; fixed blocks rarely do.
        XCTAssertEqual(try Inflate.decompress([0x03, 0x00, 0x00], format: .raw).consumedInputCount, 2)
        XCTAssertEqual(try Inflate.decompress([0x01, 0x00, 0x00, 0xFF, 0xFF, 0x07], format: .raw).consumedInputCount, 5)
    }

    func testOutputLimit() throws {
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let stream = Deflate.raw(zeros)
        XCTAssertLessThan(stream.count, 2000)
        XCTAssertEqual(try Inflate.raw(stream, maximumOutputSize: 1 << 20).count, 1 << 20)
        for limit in [0, 1, 1000, 300_000, (1 << 20) - 1] {
            XCTAssertThrowsError(try Inflate.raw(stream, maximumOutputSize: limit)) { error in
                XCTAssertEqual((error as? CompressionError).map(caseName), "outputLimitExceeded", "limit \(limit)")
            }
        }
        let stored = Deflate.raw(TestData.random(5000, seed: 7), level: .store)
        XCTAssertThrowsError(try Inflate.raw(stored, maximumOutputSize: 4999))
        XCTAssertEqual(try Inflate.raw(stored, maximumOutputSize: 5000).count, 5000)
    }

    /// A bomb: 10 MB of zeros from about 10 KB; the limit stops it early.
    func testDecompressionBombStopsAtLimit() throws {
        let stream = Deflate.raw([UInt8](repeating: 0, count: 10_000_000), level: .fastest)
        XCTAssertLessThan(stream.count, 50_000)
        XCTAssertThrowsError(try Inflate.raw(stream, maximumOutputSize: 100_000)) { error in
            guard case .outputLimitExceeded(let offset, let limit)? = error as? CompressionError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(limit, 100_000)
            XCTAssertLessThan(offset, 1000)
        }
    }

    /// One-shot decoding writes into the result array and moves to a larger one when it fills;
    /// the first size comes from a guess, which for gzip is the trailer's ISIZE.
    func testOneShotGrowsPastAWrongSizeGuess() throws {
        let text = TestData.text(300_000, seed: 9)
        var gzip = Deflate.gzip(text)
        XCTAssertEqual(try Inflate.gzip(gzip), text)
        for i in gzip.count - 4..<gzip.count { gzip[i] = 0 }  // ISIZE says 0
        XCTAssertThrowsError(try Inflate.gzip(gzip)) { error in
            XCTAssertEqual((error as? CompressionError).map(caseName), "lengthMismatch")
        }
        for i in gzip.count - 4..<gzip.count { gzip[i] = 0xFF }  // ISIZE says 4 GiB
        XCTAssertThrowsError(try Inflate.gzip(gzip))
        // 1 MiB of zeros from about a kilobyte: many doublings from the 4:1 guess.
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        XCTAssertEqual(try Inflate.zlib(Deflate.zlib(zeros, level: .best)), zeros)
    }

    func testErrorOffsetsPointIntoTheInput() throws {
        let text = TestData.text(20_000, seed: 8)
        var stream = Deflate.raw(text, level: .default)
        stream[stream.count / 2] ^= 0xFF
        do {
            let output = try Inflate.raw(stream)
            XCTAssertNotEqual(output, text)
        } catch {
            XCTAssertGreaterThan(error.offset, stream.count / 2 - 64)
            XCTAssertLessThanOrEqual(error.offset, stream.count)
        }
        XCTAssertThrowsError(try Inflate.raw(Array(stream.prefix(10)))) { error in
            XCTAssertEqual(error as? CompressionError, .truncatedInput(offset: 10))
        }
    }

    func testErrorDescriptions() {
        XCTAssertEqual(
            CompressionError.adler32Mismatch(offset: 9, expected: 1, computed: 0xABCDEF).description,
            "Adler-32 mismatch at byte 9: stream says 0x00000001, data gives 0x00ABCDEF")
        XCTAssertEqual(CompressionError.invalidBlockType(offset: 3).offset, 3)
    }
}
