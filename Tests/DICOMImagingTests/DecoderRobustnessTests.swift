import XCTest
@testable import DICOMImaging

/// Every decoder on damaged input: truncated at every length, and with random bytes changed.
/// Each call must return or throw `ImagingError`: a crash or a hang fails the whole run.
final class DecoderRobustnessTests: XCTestCase {
    struct Case { var name: String; var decoder: any FrameDecoder; var stream: [UInt8]; var description: ImagePixelDescription }

    var cases: [Case] {
        let grey12 = ImagePixelDescription(rows: 6, columns: 9, bitsAllocated: 16, bitsStored: 12)
        let lossless = TestStreams.losslessJPEG((0..<200).map { ($0 * 613) % 65536 }, width: 20, height: 10, precision: 16, predictor: 5, restartRows: 2)
        return [
            Case(name: "RLE", decoder: RLEDecoder(), stream: TestStreams.rle(planes: [(0..<64).map { $0 / 5 }, (0..<64).map { $0 % 7 }, [Int](repeating: 1, count: 64)], bytesPerSample: 1),
                 description: ImagePixelDescription(rows: 8, columns: 8, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, photometricInterpretation: "RGB")),
            Case(name: "baseline", decoder: JPEGDecoder(), stream: TestStreams.baseline,
                 description: ImagePixelDescription(rows: 16, columns: 16, bitsAllocated: 8, bitsStored: 8)),
            Case(name: "lossless", decoder: JPEGDecoder(), stream: lossless,
                 description: ImagePixelDescription(rows: 10, columns: 20, bitsAllocated: 16, bitsStored: 16)),
            Case(name: "JPEG-LS", decoder: JPEGLSDecoder(), stream: TestStreams.jpegLSLossless, description: grey12),
            Case(name: "JPEG-LS near", decoder: JPEGLSDecoder(), stream: TestStreams.jpegLSNear, description: grey12),
        ]
    }

    func testEveryTruncationThrows() {
        for c in cases {
            // The last bytes of a stream may be padding or EOI, which decoders tolerate missing.
            for length in 0..<(c.stream.count - 4) {
                XCTAssertThrowsError(try c.decoder.decode(Array(c.stream.prefix(length)), as: c.description), "\(c.name) cut at \(length)") { error in
                    XCTAssertTrue(error is ImagingError, "\(c.name): \(error)")
                }
            }
        }
    }

    func testRandomDamageNeverCrashes() {
        var rng = SystemRandomNumberGenerator()
        for c in cases {
            for _ in 0..<3000 {
                var s = c.stream
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    s[Int.random(in: 0..<s.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                do {
                    let frame = try c.decoder.decode(s, as: c.description)
                    XCTAssertEqual(frame.bytes.count, frame.description.frameByteCount, c.name)
                } catch {
                    XCTAssertTrue(error is ImagingError, "\(c.name): \(error)")
                }
            }
        }
    }
}
