import XCTest
@testable import DICOMImaging

final class RLEDecoderTests: XCTestCase {
    func testGreyEightBitRoundTrip() throws {
        let pixels = (0..<(7 * 5)).map { $0 < 10 ? 9 : ($0 * 37) % 256 }
        let d = ImagePixelDescription(rows: 5, columns: 7, bitsAllocated: 8, bitsStored: 8)
        let frame = try RLEDecoder().decode(TestStreams.rle(planes: [pixels], bytesPerSample: 1), as: d)
        XCTAssertEqual(frame.bytes, pixels.map { UInt8($0) })
    }

    func testSixteenBitSegmentsAreMostSignificantByteFirst() throws {
        let pixels = (0..<12).map { $0 * 5000 % 65536 }
        let d = ImagePixelDescription(rows: 3, columns: 4, bitsAllocated: 16, bitsStored: 16)
        let frame = try RLEDecoder().decode(TestStreams.rle(planes: [pixels], bytesPerSample: 2), as: d)
        XCTAssertEqual(frame.bytes, TestStreams.littleEndian16(pixels))
    }

    func testThirtyTwoBit() throws {
        let pixels = [0x0102_0304, 0x7F00_00FF, 0, 0x1234_5678]
        let d = ImagePixelDescription(rows: 2, columns: 2, bitsAllocated: 32, bitsStored: 32)
        let frame = try RLEDecoder().decode(TestStreams.rle(planes: [pixels], bytesPerSample: 4), as: d)
        XCTAssertEqual(frame.bytes, pixels.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } })
    }

    func testColourComesOutByPlane() throws {
        let r = [1, 2, 3, 4], g = [10, 20, 30, 40], b = [100, 100, 100, 100]
        let d = ImagePixelDescription(rows: 2, columns: 2, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, photometricInterpretation: "RGB")
        let frame = try RLEDecoder().decode(TestStreams.rle(planes: [r, g, b], bytesPerSample: 1), as: d)
        XCTAssertEqual(frame.description.planarConfiguration, 1)
        XCTAssertEqual(frame.bytes, (r + g + b).map { UInt8($0) })
    }

    func testShortSegmentIsCorruptWithOffset() throws {
        var stream = TestStreams.rle(planes: [[Int](repeating: 3, count: 16)], bytesPerSample: 1)
        stream.removeLast(1)
        let d = ImagePixelDescription(rows: 4, columns: 4, bitsAllocated: 8, bitsStored: 8)
        XCTAssertThrowsError(try RLEDecoder().decode(stream, as: d)) { error in
            let e = error as? ImagingError
            XCTAssertEqual(e?.kind, .corruptData)
            XCTAssertNotNil(e?.offset)
        }
    }

    func testWrongSegmentCountIsCorrupt() {
        let stream = TestStreams.rle(planes: [[1, 2, 3, 4]], bytesPerSample: 1)
        let d = ImagePixelDescription(rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 16)
        XCTAssertThrowsError(try RLEDecoder().decode(stream, as: d)) { XCTAssertEqual(($0 as? ImagingError)?.kind, .corruptData) }
    }
}
