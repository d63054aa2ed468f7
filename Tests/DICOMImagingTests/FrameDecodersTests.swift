import XCTest
@testable import DICOMImaging

final class FrameDecodersTests: XCTestCase {
    func testEverySupportedSyntaxHasItsDecoder() {
        XCTAssertTrue(FrameDecoders.decoder(for: "1.2.840.10008.1.2.5") is RLEDecoder)
        for uid in ["1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"] {
            XCTAssertTrue(FrameDecoders.decoder(for: uid) is JPEGDecoder, uid)
        }
        for uid in ["1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"] {
            XCTAssertTrue(FrameDecoders.decoder(for: uid) is JPEGLSDecoder, uid)
        }
        XCTAssertNil(FrameDecoders.decoder(for: "1.2.840.10008.1.2.1"))
    }

    func testJPEG2000HTJ2KAndVideoNameTheSyntaxAndAWorkaround() {
        let d = ImagePixelDescription(rows: 1, columns: 1, bitsAllocated: 8, bitsStored: 8)
        for uid in ["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93",
                    "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203", "1.2.840.10008.1.2.4.107"] {
            guard let decoder = FrameDecoders.decoder(for: uid) else { XCTFail("no entry for \(uid)"); continue }
            XCTAssertThrowsError(try decoder.decode([0xFF, 0x4F], as: d)) { error in
                let e = error as? ImagingError
                XCTAssertEqual(e?.kind, .unsupportedTransferSyntax)
                XCTAssertTrue(e?.message.contains(uid) == true)
                XCTAssertTrue(e?.message.contains("JPEG 2000") == true || e?.message.contains("HEVC") == true, e?.message ?? "")
                XCTAssertTrue(e?.message.contains("gdcmconv --raw") == true || uid.hasSuffix(".107"), e?.message ?? "")
            }
        }
    }
}
