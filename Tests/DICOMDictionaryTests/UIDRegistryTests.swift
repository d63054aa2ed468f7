import XCTest
@testable import DICOMDictionary

final class UIDRegistryTests: XCTestCase {
    func testTransferSyntax() throws {
        let e = try XCTUnwrap(UIDRegistry.entry(for: "1.2.840.10008.1.2.1"))
        XCTAssertEqual(e.uid, "1.2.840.10008.1.2.1")
        XCTAssertEqual(e.name, "Explicit VR Little Endian")
        XCTAssertEqual(e.type, .transferSyntax)
        XCTAssertEqual(e.keyword, "ExplicitVRLittleEndian")
        XCTAssertFalse(e.isRetired)
        XCTAssertNil(e.iod)
        XCTAssertEqual(UIDRegistry.entry(for: "1.2.840.10008.1.2")?.info, "Default Transfer Syntax for DICOM")
        XCTAssertEqual(UIDRegistry.entry(for: "1.2.840.10008.1.2.2")?.isRetired, true)
        XCTAssertEqual(UID.explicitVRLittleEndian, "1.2.840.10008.1.2.1")
        XCTAssertEqual(UID.implicitVRLittleEndian, "1.2.840.10008.1.2")
        XCTAssertEqual(UID.jpeg2000, "1.2.840.10008.1.2.4.91")
    }

    func testSOPClassHasIOD() throws {
        let ct = try XCTUnwrap(UIDRegistry.entry(for: UID.ctImageStorage))
        XCTAssertEqual(ct.uid, "1.2.840.10008.5.1.4.1.1.2")
        XCTAssertEqual(ct.name, "CT Image Storage")
        XCTAssertEqual(ct.type, .sopClass)
        XCTAssertEqual(ct.iod, "CT Image")
        XCTAssertEqual(UIDRegistry.entry(for: UID.verification)?.type, .sopClass)
        XCTAssertEqual(UIDRegistry.entry(for: UID.studyRootQueryRetrieveInformationModelFind)?.name,
                       "Study Root Query/Retrieve Information Model - FIND")
    }

    func testPaddingAndUnknowns() {
        XCTAssertEqual(UIDRegistry.entry(for: "1.2.840.10008.1.2\0")?.keyword, "ImplicitVRLittleEndian")
        XCTAssertEqual(UIDRegistry.entry(for: "1.2.840.10008.1.2.1 ")?.keyword, "ExplicitVRLittleEndian")
        XCTAssertNil(UIDRegistry.entry(for: "1.2.840"))
        XCTAssertNil(UIDRegistry.entry(for: ""))
        XCTAssertNil(UIDRegistry.entry(for: "2.25.1"))
        XCTAssertNil(UIDRegistry.uid(forKeyword: "explicitVRLittleEndian"))
        XCTAssertEqual(UIDRegistry.uid(forKeyword: "ExplicitVRLittleEndian"), "1.2.840.10008.1.2.1")
    }

    func testTransferSyntaxList() {
        let list = UIDRegistry.transferSyntaxes
        XCTAssertEqual(list.count, 59)
        XCTAssertTrue(list.allSatisfy { $0.type == .transferSyntax })
        XCTAssertEqual(list.first?.uid, "1.2.840.10008.1.2")
    }

    func testEveryEntryRoundTrips() {
        let all = UIDRegistry.allEntries
        XCTAssertEqual(all.count, 482)
        XCTAssertEqual(UIDRegistry.count, 482)
        for e in all {
            XCTAssertEqual(UIDRegistry.entry(for: e.uid), e, e.uid)
            if case .other(let name) = e.type { XCTFail("unknown UID type \(name)") }
            XCTAssertEqual(UIDType(standardName: e.type.standardName), e.type)
            guard !e.keyword.isEmpty else { continue }
            XCTAssertEqual(UIDRegistry.uid(forKeyword: e.keyword), e.uid, e.keyword)
        }
        XCTAssertEqual(all.filter { $0.iod != nil }.count, 175)
        XCTAssertEqual(UIDType(standardName: "Something New"), .other("Something New"))
        XCTAssertEqual(TableText.hexFieldCount(UIDRegistry.lineOffsets, digits: 6), UIDRegistry.count)
        XCTAssertEqual(TableText.hexFieldCount(UIDRegistry.uidOrder, digits: 4), UIDRegistry.count)
    }
}
