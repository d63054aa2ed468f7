import XCTest
@testable import DICOMDictionary

final class DataDictionaryTests: XCTestCase {
    func testPatientName() throws {
        let e = try XCTUnwrap(DataDictionary.entry(for: 0x0010_0010))
        XCTAssertEqual(e.tag, 0x0010_0010)
        XCTAssertEqual(e.keyword, "PatientName")
        XCTAssertEqual(e.name, "Patient's Name")
        XCTAssertEqual(e.vr, .PN)
        XCTAssertEqual(e.alternativeVRs, [])
        XCTAssertEqual(e.vm, .one)
        XCTAssertFalse(e.isRetired)
        XCTAssertFalse(e.isRepeating)
        XCTAssertEqual(e.pattern, "(0010,0010)")
        XCTAssertEqual(e.description, "(0010,0010) PN 1 PatientName")
    }

    func testPixelDataIsOBorOW() throws {
        let e = try XCTUnwrap(DataDictionary.entry(for: 0x7FE0_0010))
        XCTAssertEqual(e.keyword, "PixelData")
        XCTAssertEqual(e.vr, .OB)
        XCTAssertEqual(e.alternativeVRs, [.OB, .OW])
        XCTAssertEqual(e.description, "(7FE0,0010) OB or OW 1 PixelData")
    }

    func testSeveralVRsAndVMs() throws {
        let lut = try XCTUnwrap(DataDictionary.entry(for: 0x0028_1200))
        XCTAssertEqual(lut.keyword, "GrayLookupTableData")
        XCTAssertEqual(lut.alternativeVRs, [.US, .SS, .OW])
        XCTAssertEqual(lut.vm.description, "1-n")
        XCTAssertTrue(lut.isRetired)
        let smallest = try XCTUnwrap(DataDictionary.entry(for: 0x0028_0106))
        XCTAssertEqual(smallest.keyword, "SmallestImagePixelValue")
        XCTAssertEqual(smallest.alternativeVRs, [.US, .SS])
        XCTAssertEqual(DataDictionary.entry(for: 0x0020_0032)?.vm.description, "3")
        XCTAssertEqual(DataDictionary.entry(for: 0x0018_1149)?.vm.description, "1-2")
        XCTAssertEqual(DataDictionary.entry(for: 0x0008_0008)?.vm.description, "2-n")
    }

    func testNamesOutsideASCII() {
        XCTAssertEqual(DataDictionary.entry(for: 0x0018_1153)?.name, "Exposure in µAs")
    }

    func testItemsHaveNoVR() throws {
        let item = try XCTUnwrap(DataDictionary.entry(for: 0xFFFE_E000))
        XCTAssertEqual(item.keyword, "Item")
        XCTAssertEqual(item.vr, .UN)
        XCTAssertEqual(DataDictionary.entry(for: 0xFFFE_E0DD)?.keyword, "SequenceDelimitationItem")
    }

    func testOverlayDataInAnyOverlayGroup() throws {
        for group: UInt32 in stride(from: 0x6000, through: 0x601E, by: 2) {
            let e = try XCTUnwrap(DataDictionary.entry(for: group << 16 | 0x3000), String(group, radix: 16))
            XCTAssertEqual(e.keyword, "OverlayData")
            XCTAssertEqual(e.tag, group << 16 | 0x3000)
            XCTAssertEqual(e.alternativeVRs, [.OB, .OW])
            XCTAssertTrue(e.isRepeating)
            XCTAssertEqual(e.pattern, "(60xx,3000)")
        }
        XCTAssertEqual(DataDictionary.entry(for: 0x6002_0010)?.keyword, "OverlayRows")
        XCTAssertNil(DataDictionary.entry(for: 0x6003_3000), "odd groups are private")
        XCTAssertNil(DataDictionary.entry(for: 0x6020_3000), "overlay groups stop at 601E")
        XCTAssertEqual(DataDictionary.entry(for: 0x501E_3000)?.keyword, "CurveData")
        XCTAssertEqual(DataDictionary.entry(for: 0x7F02_0010)?.keyword, "VariablePixelData")
        XCTAssertEqual(DataDictionary.entry(for: 0x7FE0_0010)?.keyword, "PixelData", "exact entries win")
    }

    func testRepeatingElements() throws {
        let ids = try XCTUnwrap(DataDictionary.entry(for: 0x0020_3100))
        XCTAssertEqual(ids.keyword, "SourceImageIDs")
        XCTAssertEqual(ids.pattern, "(0020,31xx)")
        XCTAssertTrue(ids.isRetired)
        XCTAssertEqual(DataDictionary.entry(for: 0x0020_31FF)?.keyword, "SourceImageIDs")
        XCTAssertEqual(DataDictionary.entry(for: 0x0028_0410)?.keyword, "RowsForNthOrderCoefficients")
        XCTAssertEqual(DataDictionary.entry(for: 0x0028_04F0)?.keyword, "RowsForNthOrderCoefficients")
        XCTAssertEqual(DataDictionary.entry(for: 0x0028_0431)?.keyword, "ColumnsForNthOrderCoefficients")
        XCTAssertEqual(DataDictionary.entry(for: 0x0028_0410)?.pattern, "(0028,04x0)")
        // Tags the standard lists exactly win over a pattern they fit, and element 0000 is a group length.
        XCTAssertEqual(DataDictionary.entry(for: 0x0028_0400)?.keyword, "TransformLabel")
        XCTAssertEqual(DataDictionary.entry(for: 0x1000_0000)?.keyword, "GroupLength")
        XCTAssertEqual(DataDictionary.tag(forKeyword: "RowsForNthOrderCoefficients"), 0x0028_0400, "the base tag")
        XCTAssertEqual(DataDictionary.entry(for: 0x1000_0010)?.keyword, "EscapeTriplet")
        XCTAssertEqual(DataDictionary.entry(for: 0x1000_FFF5)?.keyword, "ShiftTableTriplet")
        XCTAssertEqual(DataDictionary.entry(for: 0x1000_0010)?.pattern, "(1000,xxx0)")
        XCTAssertEqual(DataDictionary.entry(for: 0x1010_1234)?.keyword, "ZonalMap")
    }

    func testGroupLengths() throws {
        let meta = try XCTUnwrap(DataDictionary.entry(for: 0x0002_0000))
        XCTAssertEqual(meta.keyword, "FileMetaInformationGroupLength")
        XCTAssertFalse(meta.isSynthesised)
        for tag: UInt32 in [0x0008_0000, 0x0010_0000, 0x6002_0000, 0x7FE0_0000] {
            let e = try XCTUnwrap(DataDictionary.entry(for: tag))
            XCTAssertEqual(e.tag, tag)
            XCTAssertEqual(e.keyword, "GroupLength")
            XCTAssertEqual(e.name, "Group Length")
            XCTAssertEqual(e.vr, .UL)
            XCTAssertEqual(e.vm, .one)
            XCTAssertTrue(e.isSynthesised)
            XCTAssertEqual(e.pattern, "(gggg,0000)")
        }
        XCTAssertNil(DataDictionary.entry(for: 0x0009_0000), "odd groups get no group length")
        XCTAssertNil(DataDictionary.tag(forKeyword: "GroupLength"))
    }

    func testPrivateCreators() throws {
        for tag: UInt32 in [0x0009_0010, 0x0029_0011, 0x7FE1_00FF, 0xFFFD_0010] {
            let e = try XCTUnwrap(DataDictionary.entry(for: tag), String(tag, radix: 16))
            XCTAssertEqual(e.tag, tag)
            XCTAssertEqual(e.keyword, "PrivateCreator")
            XCTAssertEqual(e.name, "Private Creator")
            XCTAssertEqual(e.vr, .LO)
            XCTAssertEqual(e.pattern, "(gggg,00xx)")
        }
        for tag: UInt32 in [0x0009_000F, 0x0009_0100, 0x0029_1010, 0x0001_0010, 0x0007_0010, 0xFFFF_0010] {
            XCTAssertNil(DataDictionary.entry(for: tag), String(tag, radix: 16))
        }
        XCTAssertNil(DataDictionary.tag(forKeyword: "PrivateCreator"))
    }

    func testUnknownTags() {
        XCTAssertNil(DataDictionary.entry(for: 0x0008_0003))
        XCTAssertNil(DataDictionary.entry(for: 0x0010_FFFE))
        XCTAssertNil(DataDictionary.entry(for: 0xFFFE_FFFF))
        XCTAssertNil(DataDictionary.entry(for: 0x0000_0001))
        XCTAssertNil(DataDictionary.tag(forKeyword: ""))
        XCTAssertNil(DataDictionary.tag(forKeyword: "patientName"), "keywords are case-sensitive")
        XCTAssertNil(DataDictionary.tag(forKeyword: "PatientNam"))
        XCTAssertNil(DataDictionary.tag(forKeyword: "PatientNameX"))
        XCTAssertNil(DataDictionary.tag(forKeyword: "ZZZ"))
        XCTAssertNil(DataDictionary.tag(forKeyword: "A"))
    }

    func testEveryEntryRoundTrips() throws {
        let all = DataDictionary.allEntries
        XCTAssertEqual(all.count, DataDictionary.count)
        XCTAssertEqual(all.count, 5129)
        var keywords = Set<String>()
        for e in all {
            if !e.isRepeating {
                XCTAssertEqual(DataDictionary.entry(for: e.tag), e, e.description)
            } else {
                // The pattern matches its own base tag, though an exact entry or a group length may claim it.
                XCTAssertEqual(DataDictionary.repeatingRow(for: e.tag), e.row, e.description)
                let found = try XCTUnwrap(DataDictionary.entry(for: e.tag), e.description)
                XCTAssertTrue(found.keyword == e.keyword || !found.isRepeating, e.description)
            }
            guard !e.keyword.isEmpty else { continue }
            XCTAssertTrue(keywords.insert(e.keyword).inserted, "duplicate keyword \(e.keyword)")
            XCTAssertEqual(DataDictionary.tag(forKeyword: e.keyword), e.tag, e.keyword)
        }
        XCTAssertEqual(all.filter { $0.keyword.isEmpty }.count, 6)
        XCTAssertEqual(all.filter(\.isRepeating).count, 88)
    }

    func testGeneratedTablesAreConsistent() {
        let rows = DataDictionary.privateCreatorRow + 1
        XCTAssertEqual(DataDictionary.records.utf8CodeUnitCount, rows * DataDictionary.recordSize - 1)
        XCTAssertEqual(DataDictionary.repeatingMasks.count, DataDictionary.repeatingCount)
        XCTAssertEqual(DataDictionary.repeatingTags.count, DataDictionary.repeatingCount)
        let exact = (0..<DataDictionary.exactCount).map(DataDictionary.tag(row:))
        XCTAssertEqual(exact, exact.sorted())
        XCTAssertEqual(Set(exact).count, exact.count)
        for i in 0..<DataDictionary.repeatingCount {
            XCTAssertEqual(DataDictionary.tag(row: DataDictionary.exactCount + i), DataDictionary.repeatingTags[i])
            XCTAssertEqual(DataDictionary.repeatingTags[i] & DataDictionary.repeatingMasks[i], DataDictionary.repeatingTags[i])
        }
        for row in 0..<rows {
            let record = UnsafeBufferPointer(start: DataDictionary.record(row), count: DataDictionary.recordSize - 1)
            XCTAssertEqual(String(decoding: record, as: UTF8.self).split(separator: " ").count, 6, "row \(row)")
            XCTAssertEqual(DataDictionary.hexKey(DataDictionary.tag(row: row)), DataDictionary.recordKey(row))
        }
        XCTAssertEqual(TableText.hexFieldCount(DataDictionary.keywordOrder, digits: 4),
                       DataDictionary.allEntries.filter { !$0.keyword.isEmpty }.count)
    }

    func testHexKeysSortAsTags() {
        let tags: [UInt32] = [0, 1, 9, 0xA, 0xF, 0x10, 0x0010_0010, 0x7FE0_0010, 0x9999_9999, 0xA000_0000, 0xFFFF_FFFF]
        XCTAssertEqual(tags.map(DataDictionary.hexKey), tags.map(DataDictionary.hexKey).sorted())
        XCTAssertEqual(DataDictionary.hexKey(0x7FE0_0010), Array("7FE00010".utf8).reduce(0) { $0 << 8 | UInt64($1) })
    }
}
