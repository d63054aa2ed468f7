import Compression
import XCTest

/// Compression round trips through our own inflater, across sizes, data kinds and levels.
final class DeflateTests: XCTestCase {
    let levels = [CompressionLevel.store, .fastest, CompressionLevel(3), CompressionLevel(4), .default, .best]

    func testEverySizeFrom0To300() throws {
        for size in 0...300 {
            for (kind, data) in [
                ("random", TestData.random(size, seed: UInt64(size))),
                ("text", TestData.text(size, seed: UInt64(size))),
                ("same", [UInt8](repeating: 0x41, count: size)),
            ] {
                for level in [CompressionLevel.store, .fastest, .default, .best] {
                    let stream = Deflate.raw(data, level: level)
                    XCTAssertEqual(try Inflate.raw(stream), data, "\(kind) \(size) \(level)")
                }
            }
        }
    }

    func testEmptyInput() throws {
        XCTAssertEqual(Deflate.raw([]), [0x03, 0x00])
        XCTAssertEqual(Deflate.raw([], level: .store), [0x01, 0x00, 0x00, 0xFF, 0xFF])
        XCTAssertEqual(Deflate.zlib([]), [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
        XCTAssertEqual(try Inflate.gzip(Deflate.gzip([])), [])
    }

    func testRandomData() throws {
        let data = TestData.random(200_000, seed: 30)
        for level in levels {
            let stream = Deflate.zlib(data, level: level)
            XCTAssertEqual(try Inflate.zlib(stream), data, "\(level)")
            // Incompressible data goes into stored blocks: 5 bytes per 64 KiB plus the wrapper.
            XCTAssertLessThan(stream.count, data.count + data.count / 1000 + 64, "\(level)")
        }
    }

    func testHighlyRepetitiveData() throws {
        let abc = [UInt8](repeating: 0, count: 300_000).indices.map { UInt8(ascii: "a") + UInt8($0 % 3) }
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for level in levels {
            for data in [abc, zeros] {
                let stream = Deflate.raw(data, level: level)
                XCTAssertEqual(try Inflate.raw(stream), data, "\(level)")
                if level > .store {
                    XCTAssertLessThan(stream.count, data.count / 200, "\(level)")
                }
            }
        }
    }

    /// Inputs straddling the 32 KiB window and the 64 KiB slide, with repeats at long distances.
    func testWindowBoundaries() throws {
        for size in [32767, 32768, 32769, 65535, 65536, 65537, 98303, 98304, 98305, 131_072 + 258] {
            for data in [
                TestData.repeatedBlock(size, period: 32_000, seed: UInt64(size)),
                TestData.repeatedBlock(size, period: 1000, seed: UInt64(size)),
                TestData.text(size, seed: UInt64(size)),
            ] {
                for level in [CompressionLevel.store, .fastest, .default] {
                    let stream = Deflate.raw(data, level: level)
                    XCTAssertEqual(try Inflate.raw(stream), data, "size \(size) \(level)")
                }
            }
        }
    }

    /// Long-distance repeats are found: a 30,000-byte random block repeated compresses to about
    /// the size of one copy.
    func testFindsMatchesAcrossTheWindow() throws {
        let data = TestData.repeatedBlock(300_000, period: 30_000, seed: 31)
        let stream = Deflate.raw(data, level: .default)
        XCTAssertEqual(try Inflate.raw(stream), data)
        XCTAssertLessThan(stream.count, 30_000 + 300_000 / 97 * 6 + 10_000)
    }

    func testStreamingDeflaterInChunks() throws {
        let data = TestData.text(250_000, seed: 32) + TestData.random(70_000, seed: 33) + TestData.image16(100_000, seed: 34)
        for level in [CompressionLevel.store, .fastest, .default] {
            for format in CompressionFormat.allCases {
                for chunk in [1, 1000, 65536, 100_003] {
                    if chunk == 1 && level != .default { continue }
                    let deflater = Deflater(level: level, format: format)
                    var stream: [UInt8] = []
                    var offset = 0
                    while offset < data.count {
                        let n = min(chunk, data.count - offset)
                        data[offset..<(offset + n)].withUnsafeBytes { bytes in
                            deflater.process(bytes) { stream.append(contentsOf: $0) }
                        }
                        offset += n
                    }
                    XCTAssertEqual(deflater.consumedInputCount, data.count)
                    deflater.finish { stream.append(contentsOf: $0) }
                    let result = try Inflate.decompress(stream, format: format)
                    XCTAssertEqual(result.output, data, "\(level) \(format) chunk \(chunk)")
                    XCTAssertEqual(result.consumedInputCount, stream.count)
                }
            }
        }
    }

    /// After `finish` the deflater starts a new, independent stream.
    func testDeflaterIsReusableAfterFinish() throws {
        let deflater = Deflater(level: .default, format: .zlib)
        let first = TestData.text(10_000, seed: 35)
        let second = TestData.text(7000, seed: 36)
        let a = deflater.process(first) + deflater.finish()
        let b = deflater.process(second) + deflater.finish()
        XCTAssertEqual(try Inflate.zlib(a), first)
        XCTAssertEqual(try Inflate.zlib(b), second)
        XCTAssertEqual(b, Deflate.zlib(second))
    }

    /// Output is produced while input is still arriving, not only at `finish`.
    func testOutputIsIncremental() {
        let deflater = Deflater(level: .fastest, format: .raw)
        var produced = 0
        let data = TestData.text(2_000_000, seed: 37)
        data.withUnsafeBytes { bytes in
            deflater.process(UnsafeRawBufferPointer(rebasing: bytes[0..<1_000_000])) { produced += $0.count }
        }
        XCTAssertGreaterThan(produced, 100_000)
    }

    func testLevelsOrderSizes() {
        let text = TestData.text(200_000, seed: 38)
        let sizes = [0, 1, 6, 9].map { Deflate.raw(text, level: CompressionLevel($0)).count }
        XCTAssertGreaterThan(sizes[0], sizes[1])
        XCTAssertGreaterThan(sizes[1], sizes[2])
        XCTAssertGreaterThanOrEqual(sizes[2], sizes[3])
        XCTAssertEqual(CompressionLevel(42), .best)
        XCTAssertEqual(CompressionLevel(-1), .store)
    }
}
