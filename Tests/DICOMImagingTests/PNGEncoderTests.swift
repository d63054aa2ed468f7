import XCTest
import Compression
@testable import DICOMImaging

final class PNGEncoderTests: XCTestCase {
    /// Chunks of a PNG file: (type, data), checking every CRC on the way.
    func chunks(_ png: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> [(String, [UInt8])] {
        XCTAssertEqual(Array(png.prefix(8)), PNGEncoder.signature, file: file, line: line)
        var out: [(String, [UInt8])] = []
        var i = 8
        func be32(_ at: Int) -> UInt32 { png[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        while i + 12 <= png.count {
            let length = Int(be32(i))
            let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
            let data = Array(png[(i + 8)..<(i + 8 + length)])
            XCTAssertEqual(be32(i + 8 + length), CRC32.checksum(Array(png[(i + 4)..<(i + 8 + length)])), "CRC of \(type)", file: file, line: line)
            out.append((type, data))
            i += 12 + length
        }
        XCTAssertEqual(i, png.count, "no bytes after IEND", file: file, line: line)
        return out
    }

    /// Decodes the scanlines of IDAT back to pixels (inverse filters), as a PNG reader would.
    func unfilter(_ raw: [UInt8], rowBytes: Int, bpp: Int, rows: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: rows * rowBytes)
        for y in 0..<rows {
            let type = raw[y * (rowBytes + 1)]
            for x in 0..<rowBytes {
                let f = Int(raw[y * (rowBytes + 1) + 1 + x])
                let a = x >= bpp ? Int(out[y * rowBytes + x - bpp]) : 0
                let b = y > 0 ? Int(out[(y - 1) * rowBytes + x]) : 0
                let c = x >= bpp && y > 0 ? Int(out[(y - 1) * rowBytes + x - bpp]) : 0
                let p: Int
                switch type {
                case 0: p = 0
                case 1: p = a
                case 2: p = b
                case 3: p = (a + b) / 2
                default: p = PNGEncoder.paeth(a, b, c)
                }
                out[y * rowBytes + x] = UInt8((f + p) & 0xFF)
            }
        }
        return out
    }

    func sampleImage(_ format: RenderedImage.Format, width: Int = 13, height: Int = 7) -> RenderedImage {
        let n = width * height * format.bytesPerPixel
        return RenderedImage(width: width, height: height, format: format,
                             bytes: (0..<n).map { UInt8(truncatingIfNeeded: ($0 * 7) ^ ($0 / 5) &+ ($0 % 11) * 13) })
    }

    func testEveryFormatAndFilterRoundTrips() throws {
        for format in [RenderedImage.Format.grey8, .grey16, .rgb8] {
            for filter in [PNGEncoder.Filter.none, .sub, .up, .average, .paeth, .adaptive] {
                let image = sampleImage(format)
                let png = PNGEncoder(level: .default, filter: filter).encode(image)
                let c = chunks(png)
                XCTAssertEqual(c.map(\.0), ["IHDR", "IDAT", "IEND"])
                let ihdr = c[0].1
                XCTAssertEqual(Array(ihdr[0..<8]), [0, 0, 0, 13, 0, 0, 0, 7])
                XCTAssertEqual(ihdr[8], UInt8(format.bitDepth))
                XCTAssertEqual(ihdr[9], format == .rgb8 ? 2 : 0)
                XCTAssertEqual(Array(ihdr[10...]), [0, 0, 0])
                let raw = try Inflate.zlib(c[1].1)
                XCTAssertEqual(unfilter(raw, rowBytes: image.rowByteCount, bpp: format.bytesPerPixel, rows: 7), image.bytes, "\(format) \(filter)")
            }
        }
    }

    func testFilterNoneWritesTypeZeroRows() throws {
        let image = sampleImage(.grey8, width: 4, height: 3)
        let raw = try Inflate.zlib(chunks(PNGEncoder(filter: .none).encode(image))[1].1)
        XCTAssertEqual([raw[0], raw[5], raw[10]], [0, 0, 0])
        XCTAssertEqual(Array(raw[1...4]), Array(image.bytes[0..<4]))
    }

    func testAdaptiveChoosesUpForVerticalStripes() throws {
        // Every row the same: Up gives all zeros from the second row on.
        let row: [UInt8] = [3, 200, 17, 90, 250, 1, 66, 128]
        let image = RenderedImage(width: 8, height: 4, format: .grey8, bytes: Array([[UInt8]](repeating: row, count: 4).joined()))
        let raw = try Inflate.zlib(chunks(PNGEncoder(filter: .adaptive).encode(image))[1].1)
        XCTAssertEqual(raw[9], 2)
        XCTAssertEqual(Array(raw[10..<18]), [UInt8](repeating: 0, count: 8))
    }

    /// `PNGEncoder.apply` against the PNG specification's definitions written out plainly, filtered
    /// bytes and adaptive scores, for every filter type, pixel sizes 1, 2, 3 and many row lengths.
    func testFiltersMatchTheDefinition() {
        var state: UInt64 = 42
        func byte() -> UInt8 { state = state &* 6364136223846793005 &+ 1442695040888963407; return UInt8(truncatingIfNeeded: state >> 40) }
        for n in [1, 5, 16, 17, 33, 2047, 2048, 2049, 5000] {
            let row = (0..<n).map { _ in byte() }, prior = (0..<n).map { _ in byte() }
            for bpp in [1, 2, 3] {
                for type in UInt8(0)...4 {
                    var want = [UInt8](repeating: 0, count: n)
                    var wantScore = 0
                    for i in 0..<n {
                        let a = i >= bpp ? Int(row[i - bpp]) : 0, b = Int(prior[i]), c = i >= bpp ? Int(prior[i - bpp]) : 0
                        let p: Int
                        switch type {
                        case 0: p = 0
                        case 1: p = a
                        case 2: p = b
                        case 3: p = (a + b) / 2
                        default:
                            let e = a + b - c
                            p = abs(e - a) <= abs(e - b) && abs(e - a) <= abs(e - c) ? a : (abs(e - b) <= abs(e - c) ? b : c)
                        }
                        want[i] = UInt8((Int(row[i]) - p) & 0xFF)
                        wantScore += abs(Int(Int8(bitPattern: want[i])))
                    }
                    var got = [UInt8](repeating: 0, count: n)
                    let score = row.withUnsafeBufferPointer { r in
                        prior.withUnsafeBufferPointer { p in
                            got.withUnsafeMutableBufferPointer { o in
                                PNGEncoder.apply(type, row: r.baseAddress!, prior: p.baseAddress!, count: n, bpp: bpp, into: o.baseAddress!)
                            }
                        }
                    }
                    XCTAssertEqual(got, want, "type \(type), \(n) bytes, bpp \(bpp)")
                    XCTAssertEqual(score, wantScore, "score: type \(type), \(n) bytes, bpp \(bpp)")
                }
            }
        }
    }

    func testPaethPredictor() {
        XCTAssertEqual(PNGEncoder.paeth(10, 20, 10), 20)  // p = 20: b is exact
        XCTAssertEqual(PNGEncoder.paeth(20, 10, 10), 20)  // p = 20: a is exact
        XCTAssertEqual(PNGEncoder.paeth(5, 5, 5), 5)      // ties prefer a
        XCTAssertEqual(PNGEncoder.paeth(0, 100, 50), 50)   // p = 50: c is closest
        XCTAssertEqual(PNGEncoder.paeth(100, 0, 50), 50)
    }

    func testTextChunks() throws {
        let png = PNGEncoder(text: [("Software", "cmr"), ("bad\u{7}key", "x"), ("", "x"), ("Comment", "CT – 40/400")]).encode(sampleImage(.grey8))
        let c = chunks(png)
        XCTAssertEqual(c.map(\.0), ["IHDR", "tEXt", "tEXt", "IDAT", "IEND"])
        XCTAssertEqual(c[1].1, Array("Software\0cmr".utf8))
        XCTAssertEqual(c[2].1, Array("Comment\0CT ? 40/400".utf8))
    }

    func testSixteenBitSamplesAreBigEndian() throws {
        let image = RenderedImage(width: 2, height: 1, format: .grey16, bytes: [0x12, 0x34, 0xAB, 0xCD])
        let raw = try Inflate.zlib(chunks(PNGEncoder(filter: .none).encode(image))[1].1)
        XCTAssertEqual(raw, [0, 0x12, 0x34, 0xAB, 0xCD])
        XCTAssertEqual(image.sample(x: 1, y: 0), 0xABCD)
    }

    func testEmptyTextAndLevelsStillDecode() throws {
        let image = sampleImage(.rgb8, width: 64, height: 64)
        for level in [CompressionLevel.store, .fastest, .best] {
            let raw = try Inflate.zlib(chunks(PNGEncoder(level: level).encode(image))[1].1)
            XCTAssertEqual(unfilter(raw, rowBytes: 192, bpp: 3, rows: 64), image.bytes)
        }
    }
}
