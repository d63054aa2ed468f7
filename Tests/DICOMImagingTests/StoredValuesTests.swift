import XCTest
@testable import DICOMImaging

final class StoredValuesTests: XCTestCase {
    func frame(_ bytes: [UInt8], rows: Int = 1, columns: Int, bitsAllocated: Int, bitsStored: Int, highBit: Int? = nil, signed: Bool) -> NativeFrame {
        NativeFrame(description: ImagePixelDescription(rows: rows, columns: columns, bitsAllocated: bitsAllocated, bitsStored: bitsStored,
                                                       highBit: highBit, isSigned: signed), bytes: bytes)
    }

    func testTwelveBitsSignedInSixteen() throws {
        // 0x0800 is −2048, 0x0FFF is −1, 0x07FF is 2047; bits above High Bit are ignored (0xF000 junk).
        let f = frame([0x00, 0x08, 0xFF, 0x0F, 0xFF, 0x07, 0x01, 0xF0, 0xFF, 0xFF], columns: 5, bitsAllocated: 16, bitsStored: 12, signed: true)
        XCTAssertEqual(try f.storedValues(), [-2048, -1, 2047, 1, -1])
        let u = frame([0x00, 0x08, 0xFF, 0x0F, 0xFF, 0x07, 0x01, 0xF0, 0xFF, 0xFF], columns: 5, bitsAllocated: 16, bitsStored: 12, signed: false)
        XCTAssertEqual(try u.storedValues(), [2048, 4095, 2047, 1, 4095])
    }

    func testHighBitNotAtTheBottom() throws {
        // Bits Stored 12, High Bit 15: the value sits in the top 12 bits.
        let f = frame([0xF0, 0xFF, 0x10, 0x00], columns: 2, bitsAllocated: 16, bitsStored: 12, highBit: 15, signed: true)
        XCTAssertEqual(try f.storedValues(), [-1, 1])
    }

    func testOneBitIsLeastSignificantBitFirst() throws {
        let f = frame([0b0000_0101, 0b1000_0000], rows: 2, columns: 5, bitsAllocated: 1, bitsStored: 1, signed: false)
        XCTAssertEqual(try f.storedValues(), [1, 0, 1, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(f.description.frameByteCount, 2)
    }

    func testEightAndThirtyTwoBits() throws {
        XCTAssertEqual(try frame([0x80, 0x7F], columns: 2, bitsAllocated: 8, bitsStored: 8, signed: true).storedValues(), [-128, 127])
        XCTAssertEqual(try frame([0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0], columns: 2, bitsAllocated: 32, bitsStored: 32, signed: true).storedValues(), [-1, 2])
        XCTAssertEqual(try frame([0xFF, 0xFF, 0xFF, 0xFF], columns: 1, bitsAllocated: 32, bitsStored: 32, signed: false).storedValues(), [4_294_967_295])
    }

    func testFloatValues() throws {
        var bytes: [UInt8] = []
        for v in [Float(1.5), -2.25] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        XCTAssertEqual(try frame(bytes, columns: 2, bitsAllocated: 32, bitsStored: 32, signed: false).floatValues(), [1.5, -2.25])
        var d: [UInt8] = []
        withUnsafeBytes(of: (0.1).bitPattern.littleEndian) { d += $0 }
        XCTAssertEqual(try frame(d, columns: 1, bitsAllocated: 64, bitsStored: 64, signed: false).floatValues(), [0.1])
    }

    func testInvalidDescriptionsThrow() {
        XCTAssertThrowsError(try frame([0, 0], columns: 1, bitsAllocated: 16, bitsStored: 17, signed: false).storedValues())
        XCTAssertThrowsError(try frame([0, 0], columns: 1, bitsAllocated: 12, bitsStored: 12, signed: false).storedValues())
        XCTAssertThrowsError(try frame([0], columns: 1, bitsAllocated: 16, bitsStored: 12, signed: false).storedValues()) { error in
            XCTAssertEqual((error as? ImagingError)?.kind, .corruptData)
        }
    }
}
