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

import DICOMCore

final class ImagePixelDescriptionDataSetTests: XCTestCase {
    func module(_ edit: (inout DataSet) -> Void = { _ in }) -> DataSet {
        var ds = DataSet()
        ds.setInt(.samplesPerPixel, 1)
        ds.setString(.photometricInterpretation, "MONOCHROME1")
        ds.setInt(.rows, 4)
        ds.setInt(.columns, 5)
        ds.setInt(.bitsAllocated, 16)
        ds.setInt(.bitsStored, 12)
        ds.setInt(.highBit, 11)
        ds.setInt(.pixelRepresentation, 1)
        edit(&ds)
        return ds
    }

    func testReadsTheModule() throws {
        let d = try ImagePixelDescription(dataSet: module())
        XCTAssertEqual(d, ImagePixelDescription(rows: 4, columns: 5, bitsAllocated: 16, bitsStored: 12, isSigned: true, photometricInterpretation: "MONOCHROME1"))
    }

    func testMissingRowsIsNamed() {
        XCTAssertThrowsError(try ImagePixelDescription(dataSet: module { _ = $0.remove(.rows) })) { error in
            XCTAssertEqual((error as? ImagingError)?.kind, .invalidDescription)
            XCTAssertTrue("\(error)".contains("Rows"))
        }
    }

    func testContradictionsAreInvalid() {
        let edits: [(inout DataSet) -> Void] = [
            { $0.setInt(.bitsStored, 17) },
            { $0.setInt(.highBit, 3) },
            { $0.setInt(.bitsAllocated, 12) },
            { $0.setString(.photometricInterpretation, "RGB") },
            { $0.setInt(.planarConfiguration, 2) },
            { $0.setString(.numberOfFrames, "0") },
        ]
        for (i, edit) in edits.enumerated() {
            XCTAssertThrowsError(try ImagePixelDescription(dataSet: module(edit)), "case \(i)") {
                XCTAssertEqual(($0 as? ImagingError)?.kind, .invalidDescription)
            }
        }
    }
}
