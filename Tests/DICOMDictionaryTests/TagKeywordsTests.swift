import XCTest
import DICOMCore

/// The generated `Tag` members agree with the dictionary and follow the naming rule.
final class TagKeywordsTests: XCTestCase {
    func testNamingRule() {
        XCTAssertEqual(Tag.patientName, Tag(0x0010, 0x0010))
        XCTAssertEqual(Tag.patientID, Tag(0x0010, 0x0020))
        XCTAssertEqual(Tag.sopInstanceUID, Tag(0x0008, 0x0018))
        XCTAssertEqual(Tag.sopClassUID, Tag(0x0008, 0x0016))
        XCTAssertEqual(Tag.rtPlanLabel, Tag(0x300A, 0x0002))
        XCTAssertEqual(Tag.xRay3DAcquisitionSequence, Tag(0x0018, 0x9507))
        XCTAssertEqual(Tag.fNumber, Tag(0x0016, 0x0005))
        XCTAssertEqual(Tag.dBdt, Tag(0x0018, 0x1318))
        XCTAssertEqual(Tag.pixelData, Tag(0x7FE0, 0x0010))
        XCTAssertEqual(Tag.transferSyntaxUID, Tag(0x0002, 0x0010))
    }

    func testRepeatingKeywordsUseTheBaseTag() {
        XCTAssertEqual(Tag.overlayData, Tag(0x6000, 0x3000))
        XCTAssertEqual(Tag.curveData, Tag(0x5000, 0x3000))
        XCTAssertEqual(Tag.sourceImageIDs, Tag(0x0020, 0x3100))
        XCTAssertEqual(Tag.rowsForNthOrderCoefficients, Tag(0x0028, 0x0400))
        XCTAssertEqual(Tag.escapeTriplet, Tag(0x1000, 0x0000))
        XCTAssertEqual(Tag.variablePixelData, Tag(0x7F00, 0x0010))
    }

    func testHandWrittenMembersAreKept() {
        XCTAssertEqual(Tag.item.rawValue, DataDictionary.tag(forKeyword: "Item"))
        XCTAssertEqual(Tag.itemDelimitationItem.rawValue, DataDictionary.tag(forKeyword: "ItemDelimitationItem"))
        XCTAssertEqual(Tag.sequenceDelimitationItem.rawValue, DataDictionary.tag(forKeyword: "SequenceDelimitationItem"))
    }

    func testParsingKeywords() {
        XCTAssertEqual(Tag(parsing: "PatientName"), .patientName)
        XCTAssertEqual(Tag(parsing: "OverlayData"), .overlayData)
        XCTAssertEqual(Tag(parsing: "(0010,0010)"), .patientName)
        XCTAssertNil(Tag(parsing: "NoSuchKeyword"))
    }
}
