import XCTest
@testable import DICOMImaging

final class JPEGDecoderTests: XCTestCase {
    let grey8 = ImagePixelDescription(rows: 16, columns: 16, bitsAllocated: 8, bitsStored: 8)

    func testBaselineEqualsDcmdjpeg() throws {
        let frame = try JPEGDecoder().decode(TestStreams.baseline, as: grey8)
        XCTAssertEqual(frame.bytes, TestStreams.baselineDecoded)
    }

    func testLosslessEveryPredictorAndPointTransform() throws {
        let w = 13, h = 7
        for precision in [2, 8, 12, 16] {
            let max = (1 << precision) - 1
            let samples = (0..<(w * h)).map { i in (i * 7919 + (i % w) * 97) % (max + 1) }
            let d = ImagePixelDescription(rows: h, columns: w, bitsAllocated: precision > 8 ? 16 : 8, bitsStored: precision)
            for predictor in 1...7 {
                for pt in [0, 1] where pt < precision - 1 {
                    let stream = TestStreams.losslessJPEG(samples, width: w, height: h, precision: precision, predictor: predictor, pointTransform: pt)
                    let frame = try JPEGDecoder().decode(stream, as: d)
                    let expected = samples.map { ($0 >> pt) << pt }
                    XCTAssertEqual(frame.bytes, precision > 8 ? TestStreams.littleEndian16(expected) : expected.map { UInt8($0) },
                                   "precision \(precision) predictor \(predictor) pt \(pt)")
                }
            }
        }
    }

    func testLosslessRestartIntervals() throws {
        let w = 9, h = 10
        let samples = (0..<(w * h)).map { ($0 * 1237) % 4096 }
        let d = ImagePixelDescription(rows: h, columns: w, bitsAllocated: 16, bitsStored: 12)
        for rows in [1, 3] {
            for predictor in [1, 4, 7] {
                let stream = TestStreams.losslessJPEG(samples, width: w, height: h, precision: 12, predictor: predictor, restartRows: rows)
                XCTAssertEqual(try JPEGDecoder().decode(stream, as: d).bytes, TestStreams.littleEndian16(samples), "restart every \(rows) rows, predictor \(predictor)")
            }
        }
    }

    func testLosslessColourInterleavedAndOneScanPerComponent() throws {
        let w = 11, h = 6
        let planes = (0..<3).map { c in (0..<(w * h)).map { ($0 * (31 + 17 * c) + c * 50) % 256 } }
        let d = ImagePixelDescription(rows: h, columns: w, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, photometricInterpretation: "RGB")
        let byPixel = (0..<(w * h)).flatMap { i in planes.map { UInt8($0[i]) } }
        for interleaved in [true, false] {
            for restartRows in [0, 2] {
                let stream = TestStreams.losslessJPEG(planes: planes, width: w, height: h, precision: 8, predictor: 6,
                                                      restartRows: restartRows, interleaved: interleaved)
                let frame = try JPEGDecoder().decode(stream, as: d)
                XCTAssertEqual(frame.bytes, byPixel, "interleaved \(interleaved), restart every \(restartRows) rows")
                XCTAssertEqual(frame.description.planarConfiguration, 0)
            }
        }
    }

    func testFullRangeDifferenceOfSixteenBits() throws {
        // 0 → 32768 → 0: the difference 32768 has category 16 and no extra bits (H.1.2.2).
        let samples = [0, 32768, 0, 65535, 1, 65535]
        let d = ImagePixelDescription(rows: 1, columns: 6, bitsAllocated: 16, bitsStored: 16)
        let stream = TestStreams.losslessJPEG(samples, width: 6, height: 1, precision: 16, predictor: 1)
        XCTAssertEqual(try JPEGDecoder().decode(stream, as: d).bytes, TestStreams.littleEndian16(samples))
    }

    func testCorruptMarkerIsAnErrorWithOffset() {
        var stream = TestStreams.baseline
        let dqt = stream.firstIndex(of: 0xDB)!  // FF DB → FF 00 12: not a marker
        stream[dqt] = 0x12
        XCTAssertThrowsError(try JPEGDecoder().decode(stream, as: grey8)) { error in
            let e = error as? ImagingError
            XCTAssertEqual(e?.kind, .corruptData)
            XCTAssertNotNil(e?.offset)
        }
    }

    func testMissingRestartMarkerIsAnError() {
        let samples = [Int](repeating: 100, count: 40)
        var stream = TestStreams.losslessJPEG(samples, width: 8, height: 5, precision: 8, predictor: 1, restartRows: 2)
        let rst = (0..<(stream.count - 1)).first { stream[$0] == 0xFF && stream[$0 + 1] == 0xD0 }!
        stream[rst + 1] = 0xD3
        let d = ImagePixelDescription(rows: 5, columns: 8, bitsAllocated: 8, bitsStored: 8)
        XCTAssertThrowsError(try JPEGDecoder().decode(stream, as: d)) { XCTAssertEqual(($0 as? ImagingError)?.kind, .corruptData) }
    }

    func testTruncatedScanIsAnError() {
        let stream = Array(TestStreams.baseline.prefix(TestStreams.baseline.count - 40))
        XCTAssertThrowsError(try JPEGDecoder().decode(stream, as: grey8)) { XCTAssertEqual(($0 as? ImagingError)?.kind, .corruptData) }
    }

    func testProgressiveIsUnsupported() {
        var stream = TestStreams.baseline
        let sof = (0..<(stream.count - 1)).first { stream[$0] == 0xFF && stream[$0 + 1] == 0xC0 }!
        stream[sof + 1] = 0xC2
        XCTAssertThrowsError(try JPEGDecoder().decode(stream, as: grey8)) { XCTAssertEqual(($0 as? ImagingError)?.kind, .unsupportedTransferSyntax) }
    }

    func testSizeMismatchWithTheDataSetIsInvalidDescription() {
        let d = ImagePixelDescription(rows: 15, columns: 16, bitsAllocated: 8, bitsStored: 8)
        XCTAssertThrowsError(try JPEGDecoder().decode(TestStreams.baseline, as: d)) { XCTAssertEqual(($0 as? ImagingError)?.kind, .invalidDescription) }
    }
}

final class JPEGStreamTests: XCTestCase {
    /// Regression: an empty SOS or LSE segment at the very end of the data was read past its end.
    func testEmptyScanHeaderAtTheEndIsAnError() {
        let d = ImagePixelDescription(rows: 1, columns: 1, bitsAllocated: 8, bitsStored: 8)
        for marker: UInt8 in [0xDA, 0xF8] {
            let stream: [UInt8] = [0xFF, 0xD8, 0xFF, marker, 0x00, 0x02]
            XCTAssertThrowsError(try JPEGDecoder().decode(stream, as: d)) { XCTAssertEqual(($0 as? ImagingError)?.kind, .corruptData) }
            XCTAssertThrowsError(try JPEGLSDecoder().decode(stream, as: d)) { XCTAssertEqual(($0 as? ImagingError)?.kind, .corruptData) }
        }
    }
}
