import XCTest
@testable import DICOMImaging

final class JPEGLSDecoderTests: XCTestCase {
    let grey12 = ImagePixelDescription(rows: 6, columns: 9, bitsAllocated: 16, bitsStored: 12)

    func testLosslessWithPresetParameters() throws {
        let frame = try JPEGLSDecoder().decode(TestStreams.jpegLSLossless, as: grey12)
        XCTAssertEqual(frame.bytes, TestStreams.littleEndian16(TestStreams.grey12))
    }

    func testNearLosslessEqualsDcmdjplsAndStaysWithinNear() throws {
        let frame = try JPEGLSDecoder().decode(TestStreams.jpegLSNear, as: grey12)
        XCTAssertEqual(frame.bytes, TestStreams.littleEndian16(TestStreams.jpegLSNearDecoded))
        for (a, b) in zip(TestStreams.jpegLSNearDecoded, TestStreams.grey12) { XCTAssertLessThanOrEqual(abs(a - b), 3) }
    }

    func testDefaultThresholdsOfT87() {
        // T.87 C.2.4.1.1.1 table C.3: 8-bit defaults 3, 7, 21; 12-bit 18, 67, 276; 16-bit as 12-bit.
        XCTAssertTrue(JPEGLSScanDecoder.defaultThresholds(maxVal: 255, near: 0) == (3, 7, 21))
        XCTAssertTrue(JPEGLSScanDecoder.defaultThresholds(maxVal: 4095, near: 0) == (18, 67, 276))
        XCTAssertTrue(JPEGLSScanDecoder.defaultThresholds(maxVal: 65535, near: 0) == (18, 67, 276))
    }

    func testTruncatedStreamIsAnError() {
        let stream = Array(TestStreams.jpegLSLossless.prefix(60))
        XCTAssertThrowsError(try JPEGLSDecoder().decode(stream, as: grey12)) { XCTAssertEqual(($0 as? ImagingError)?.kind, .corruptData) }
    }
}
