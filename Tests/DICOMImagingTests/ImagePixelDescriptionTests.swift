import XCTest
@testable import DICOMImaging

final class ImagePixelDescriptionTests: XCTestCase {
    func testFrameByteCountRoundsBitsUp() {
        XCTAssertEqual(ImagePixelDescription(rows: 512, columns: 512, bitsAllocated: 16, bitsStored: 12).frameByteCount, 524_288)
        XCTAssertEqual(ImagePixelDescription(rows: 3, columns: 3, bitsAllocated: 1, bitsStored: 1).frameByteCount, 2)
        XCTAssertEqual(ImagePixelDescription(rows: 2, columns: 2, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8).frameByteCount, 12)
    }

    func testHighBitDefaultsToBitsStoredMinusOne() {
        XCTAssertEqual(ImagePixelDescription(rows: 1, columns: 1, bitsAllocated: 16, bitsStored: 12).highBit, 11)
    }
}
