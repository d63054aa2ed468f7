import XCTest
@testable import DICOMDictionary

final class ConfidentialityProfileTests: XCTestCase {
    func testEveryRowOfTableE11IsThere() {
        // 621 rows in the standard's table: 620 tags or tag patterns plus the private attributes rule.
        XCTAssertEqual(ConfidentialityProfile.rows.count, 620)
        XCTAssertEqual(ConfidentialityProfile.privateAttributesRow.basicAction, .X)
        XCTAssertEqual(ConfidentialityProfile.privateAttributesRow.action(.retainSafePrivate), .C)
    }

    func testExactRowsCarryEveryColumn() throws {
        let name = try XCTUnwrap(ConfidentialityProfile.row(for: 0x0010_0010))
        XCTAssertEqual(name.name, "Patient's Name")
        XCTAssertEqual(name.basicAction, .Z)
        let studyDate = try XCTUnwrap(ConfidentialityProfile.row(for: 0x0008_0020))
        XCTAssertEqual(studyDate.action(.retainLongitudinalFullDates), .K)
        XCTAssertEqual(studyDate.action(.retainLongitudinalModifiedDates), .C)
        XCTAssertNil(studyDate.action(.cleanDescriptors))
        let sourceImages = try XCTUnwrap(ConfidentialityProfile.row(for: 0x0008_2112))
        XCTAssertEqual(sourceImages.basicAction, .XZU)
        XCTAssertEqual(sourceImages.action(.retainUIDs), .K)
        XCTAssertEqual(ConfidentialityProfile.row(for: 0x0020_000D)?.basicAction, .U)
        XCTAssertEqual(ConfidentialityProfile.row(for: 0x0008_0080)?.basicAction, .XZD)
        XCTAssertEqual(ConfidentialityProfile.row(for: 0x0008_0080)?.action(.retainInstitutionIdentity), .K)
    }

    func testRepeatingGroupsMatchEveryGroupOfTheirRange() {
        XCTAssertEqual(ConfidentialityProfile.row(for: 0x5000_3000)?.name, "Curve Data")
        XCTAssertEqual(ConfidentialityProfile.row(for: 0x501E_0010)?.name, "Curve Data")
        XCTAssertEqual(ConfidentialityProfile.row(for: 0x6002_3000)?.name, "Overlay Data")
        XCTAssertEqual(ConfidentialityProfile.row(for: 0x60FE_4000)?.name, "Overlay Comments")
        XCTAssertEqual(ConfidentialityProfile.row(for: 0x6000_3000)?.action(.cleanGraphics), .C)
        // Overlay rows and columns are not in the table.
        XCTAssertNil(ConfidentialityProfile.row(for: 0x6000_0010))
        // Pixel data and SOP Class UID are not listed: the profile keeps them.
        XCTAssertNil(ConfidentialityProfile.row(for: 0x7FE0_0010))
        XCTAssertNil(ConfidentialityProfile.row(for: 0x0008_0016))
    }

    func testSafePrivateIsMatchedByCreatorGroupAndElementByte() {
        XCTAssertTrue(ConfidentialityProfile.isSafePrivate(creator: "Philips PET Private Group", group: 0x7053, elementByte: 0x00))
        XCTAssertTrue(ConfidentialityProfile.isSafePrivate(creator: "ELSCINT1", group: 0x00E1, elementByte: 0x21))
        XCTAssertFalse(ConfidentialityProfile.isSafePrivate(creator: "ELSCINT1", group: 0x00E3, elementByte: 0x21))
        XCTAssertFalse(ConfidentialityProfile.isSafePrivate(creator: "Philips PET Private Group", group: 0x7053, elementByte: 0x01))
        XCTAssertFalse(ConfidentialityProfile.isSafePrivate(creator: "SOMEONE ELSE", group: 0x7053, elementByte: 0x00))
        XCTAssertEqual(ConfidentialityProfile.safePrivateCreators.count, 20)
    }
}
