import XCTest
import DICOMCore
import DICOMDictionary
@testable import DICOMDeidentify

final class DeidentifierTests: XCTestCase {
    let key = PseudonymKey(secret: Array(repeating: 42, count: 32))!

    func text(_ tag: Tag, _ vr: VR, _ s: String) -> DataElement {
        var b = Array(s.utf8)
        if b.count % 2 == 1 { b.append(vr == .UI ? 0 : 0x20) }
        return DataElement(tag, vr, .bytes(b))
    }

    func sequence(_ tag: Tag, _ items: [[DataElement]]) -> DataElement {
        DataElement(tag, .SQ, .sequence(SequenceValue(items: items.map { SequenceItem(DataSet($0)) })))
    }

    /// A CT-like data set with identity in every kind of place.
    func sample() -> DataSet {
        DataSet([
            text(.specificCharacterSet, .CS, "ISO_IR 100"),
            text(.sopClassUID, .UI, "1.2.840.10008.5.1.4.1.1.2"),
            text(.sopInstanceUID, .UI, "1.2.3.100"),
            text(.studyDate, .DA, "20240115"),
            text(.studyTime, .TM, "101500"),
            text(.accessionNumber, .SH, "ACC998877"),
            text(.modality, .CS, "CT"),
            text(.institutionName, .LO, "St Elsewhere Hospital"),
            text(.referringPhysicianName, .PN, "HOUSE^GREGORY"),
            text(.studyDescription, .LO, "CT HEAD for DOE"),
            sequence(.referencedImageSequence, [[text(.referencedSOPClassUID, .UI, "1.2.840.10008.5.1.4.1.1.2"),
                                                 text(.referencedSOPInstanceUID, .UI, "1.2.3.99")]]),
            text(.patientName, .PN, "DOE^JANE"),
            text(.patientID, .LO, "PID123456"),
            text(.patientBirthDate, .DA, "19700304"),
            text(.patientSex, .CS, "F"),
            text(.patientAge, .AS, "053Y"),
            text(.studyInstanceUID, .UI, "1.2.3.1"),
            text(.seriesInstanceUID, .UI, "1.2.3.2"),
            text(Tag(0x0029_0010), .LO, "SIEMENS CSA HEADER"),
            text(Tag(0x0029_1010), .LO, "secret private note about DOE"),
            text(Tag(0x7053_0010), .LO, "Philips PET Private Group"),
            text(Tag(0x7053_1000), .DS, "1.25"),
            text(Tag(0x7053_1001), .LO, "not on the safe list"),
            sequence(.contentSequence, [[text(.valueType, .CS, "TEXT"),
                                         sequence(.conceptNameCodeSequence, [[text(.codeValue, .SH, "121071"),
                                                                              text(.codingSchemeDesignator, .SH, "DCM"),
                                                                              text(.codeMeaning, .LO, "Finding")]]),
                                         text(.textValue, .UT, "Mrs Doe fell at home")]]),
            DataElement(Tag(0x6000_3000), .OW, .bytes([1, 2, 3, 4])),
            DataElement(Tag(0x6000_0010), .US, .bytes([16, 0])),
            text(Tag(0x0009_0010), .LO, "ACME"),
            DataElement(.pixelData, .OW, .bytes([9, 8, 7, 6])),
        ])
    }

    func run(_ mode: DeidentifyMode, _ options: Set<ProfileOption> = [], overrides: [Tag: OverrideAction] = [:]) throws -> DeidentifyResult {
        let policy = try DeidentifyPolicy(mode: mode, options: options, overrides: overrides, softwareName: "cmr test")
        return Deidentifier(policy: policy, key: key).apply(to: sample())
    }

    func testBasicProfileActions() throws {
        let out = try run(.deidentified).dataSet
        XCTAssertEqual(out[.patientName]?.value.bytes, [], "Z: empty")
        XCTAssertEqual(out[.patientBirthDate]?.value.bytes, [])
        XCTAssertEqual(out[.accessionNumber]?.value.bytes, [])
        XCTAssertNil(out[.studyDescription], "X: removed")
        XCTAssertNil(out[.patientAge])
        XCTAssertEqual(out.string(.institutionName), "ANONYMIZED", "X/Z/D resolves to D")
        XCTAssertEqual(out.string(.modality), "CT", "not listed: kept")
        XCTAssertEqual(out.string(.sopClassUID), "1.2.840.10008.5.1.4.1.1.2")
        XCTAssertEqual(out[.pixelData]?.value.bytes, [9, 8, 7, 6], "pixels pass through")
        XCTAssertTrue(out.string(.patientID)!.hasPrefix("ANON"), "Z/D on Patient ID: the keyed pseudonym")
        XCTAssertNil(out[Tag(0x6000_3000)], "overlay data removed")
        XCTAssertNil(out[Tag(0x6000_0010)], "and with it the rest of its overlay")
    }

    func testUIDsAreRemappedConsistentlyIncludingReferences() throws {
        let out = try run(.deidentified).dataSet
        XCTAssertEqual(out.string(.sopInstanceUID), key.uid(for: "1.2.3.100"))
        XCTAssertEqual(out.string(.studyInstanceUID), key.uid(for: "1.2.3.1"))
        let reference = out.items(.referencedImageSequence).first
        XCTAssertEqual(reference?.string(.referencedSOPInstanceUID), key.uid(for: "1.2.3.99"))
        XCTAssertEqual(reference?.string(.referencedSOPClassUID), "1.2.840.10008.5.1.4.1.1.2", "class UIDs stay")
    }

    func testPrivateAttributesAreRemovedUnlessSafeUnderTheOption() throws {
        let plain = try run(.deidentified).dataSet
        XCTAssertFalse(plain.contains { $0.tag.isPrivate })
        let safe = try run(.deidentified, [.retainSafePrivate]).dataSet
        XCTAssertEqual(safe.string(Tag(0x7053_1000)), "1.25")
        XCTAssertEqual(safe.string(Tag(0x7053_0010)), "Philips PET Private Group", "the creator of a kept block stays")
        XCTAssertNil(safe[Tag(0x7053_1001)])
        XCTAssertNil(safe[Tag(0x0029_1010)])
        XCTAssertNil(safe[Tag(0x0029_0010)], "a creator whose block is empty goes")
    }

    func testOptionsRetain() throws {
        let uids = try run(.deidentified, [.retainUIDs]).dataSet
        XCTAssertEqual(uids.string(.sopInstanceUID), "1.2.3.100")
        let full = try run(.deidentified, [.retainLongitudinalFullDates]).dataSet
        XCTAssertEqual(full.string(.studyDate), "20240115")
        let patient = try run(.deidentified, [.retainPatientCharacteristics]).dataSet
        XCTAssertEqual(patient.string(.patientSex), "F")
        XCTAssertEqual(patient.string(.patientAge), "053Y")
        let institution = try run(.deidentified, [.retainInstitutionIdentity]).dataSet
        XCTAssertEqual(institution.string(.institutionName), "St Elsewhere Hospital")
    }

    func testModifiedDatesShiftByThePatientsShift() throws {
        let result = try run(.deidentified, [.retainLongitudinalModifiedDates])
        let shift = try XCTUnwrap(result.dateShiftDays)
        XCTAssertEqual(shift, key.dateShiftDays(of: PatientIdentity(issuer: "", patientID: "PID123456")))
        XCTAssertEqual(result.dataSet.string(.studyDate), DateShift.shiftDA("20240115", days: shift))
        XCTAssertEqual(result.dataSet.string(.studyTime), "101500", "times of day stay")
        XCTAssertEqual(result.dataSet.string(.longitudinalTemporalInformationModified), "MODIFIED")
    }

    func testCleanDescriptorsRedactsIdentityInText() throws {
        let out = try run(.deidentified, [.cleanDescriptors]).dataSet
        XCTAssertEqual(out.string(.studyDescription), "CT HEAD for ***")
    }

    func testContentSequenceKeepsStructureButNotText() throws {
        let basic = try run(.deidentified).dataSet
        let item = try XCTUnwrap(basic.items(.contentSequence).first)
        XCTAssertEqual(item.string(.valueType), "TEXT")
        XCTAssertEqual(item.items(.conceptNameCodeSequence).first?.string(.codeMeaning), "Finding")
        XCTAssertEqual(item.string(.textValue), "ANONYMIZED", "D sequence: unlisted text becomes a dummy")
        let cleaned = try run(.deidentified, [.cleanStructuredContent]).dataSet
        XCTAssertEqual(cleaned.items(.contentSequence).first?.string(.textValue), "Mrs *** fell at home")
    }

    func testMethodAttributes() throws {
        let out = try run(.deidentified, [.retainUIDs, .cleanDescriptors]).dataSet
        XCTAssertEqual(out.string(.patientIdentityRemoved), "YES")
        let codes = out.items(.deidentificationMethodCodeSequence).compactMap { $0.string(.codeValue) }
        XCTAssertEqual(codes, ["113100", "113110", "113105"])
        XCTAssertEqual(out.items(.deidentificationMethodCodeSequence).first?.string(.codingSchemeDesignator), "DCM")
        XCTAssertTrue(out.strings(.deidentificationMethod).first!.hasPrefix("cmr test deidentified"))
        XCTAssertEqual(out.string(.longitudinalTemporalInformationModified), "REMOVED")
    }

    func testPseudonymousModeShiftsDatesAndNamesThePatientByPseudonym() throws {
        let result = try run(.pseudonymous)
        let pseudonym = key.patientPseudonym(of: PatientIdentity(issuer: "", patientID: "PID123456"))
        XCTAssertEqual(result.pseudonym, pseudonym)
        XCTAssertEqual(result.dataSet.string(.patientID), pseudonym)
        XCTAssertEqual(result.dataSet.string(.patientName), pseudonym)
        XCTAssertNotNil(result.dateShiftDays)
        XCTAssertNotEqual(result.dataSet.string(.studyDate), "20240115")
    }

    func testAnonymousModeRefusesLinkingOptions() {
        XCTAssertThrowsError(try DeidentifyPolicy(mode: .anonymous, options: [.retainUIDs]))
        XCTAssertThrowsError(try DeidentifyPolicy(mode: .anonymous, options: [.retainSafePrivate]))
        XCTAssertThrowsError(try DeidentifyPolicy(mode: .deidentified, options: [.retainLongitudinalFullDates, .retainLongitudinalModifiedDates]))
        XCTAssertEqual(try DeidentifyPolicy(mode: .anonymous).options, [.cleanDescriptors, .cleanStructuredContent, .cleanGraphics])
    }

    func testIdentifiedModeChangesNothing() throws {
        let result = try run(.identified)
        XCTAssertEqual(result.dataSet.count, sample().count)
        XCTAssertTrue(result.changes.isEmpty)
        XCTAssertThrowsError(try DeidentifyPolicy(mode: .identified, options: [.retainUIDs]))
    }

    func testRecipeOverridesBeatTheProfile() throws {
        let out = try run(.deidentified, overrides: [.studyDescription: .keep, .institutionName: .replace("Site A"), .modality: .remove]).dataSet
        XCTAssertEqual(out.string(.studyDescription), "CT HEAD for DOE")
        XCTAssertEqual(out.string(.institutionName), "Site A")
        XCTAssertNil(out[.modality])
    }

    func testLeakPatternsNameIdentityButNotWhatTheOutputKeeps() throws {
        let result = try run(.deidentified)
        let patterns = Set(result.leakPatterns.map { String(decoding: $0.bytes, as: UTF8.self) })
        XCTAssertTrue(patterns.contains("DOE^JANE"))
        XCTAssertTrue(patterns.contains("PID123456"))
        XCTAssertTrue(patterns.contains("1.2.3.100"))
        XCTAssertTrue(patterns.contains("19700304"))
        XCTAssertTrue(patterns.contains("St Elsewhere Hospital"))
        XCTAssertFalse(patterns.contains("CT"), "too short to be told from chance")
        let kept = try run(.deidentified, [.retainInstitutionIdentity])
        XCTAssertFalse(kept.leakPatterns.contains { $0.bytes == Array("St Elsewhere Hospital".utf8) }, "kept by policy: not a leak")
    }

    func testUnknownStandardAttributesAreRemoved() throws {
        var ds = sample()
        ds.insert(text(Tag(0x0008_7777), .LO, "X"))   // not in the dictionary
        let out = Deidentifier(policy: try DeidentifyPolicy(mode: .deidentified), key: key).apply(to: ds)
        XCTAssertNil(out.dataSet[Tag(0x0008_7777)])
        XCTAssertTrue(out.changes.contains { $0.path == "(0008,7777)" && $0.source == "unknown" })
    }

    func testBurnedInAnnotationRule() {
        var ds = sample()
        XCTAssertNil(BurnedInAnnotation.reason(for: ds))
        ds.setString(.burnedInAnnotation, "YES", vr: .CS)
        XCTAssertNotNil(BurnedInAnnotation.reason(for: ds))
        var us = sample()
        us.setString(.sopClassUID, "1.2.840.10008.5.1.4.1.1.6.1", vr: .UI)
        XCTAssertNotNil(BurnedInAnnotation.reason(for: us))
        us.setString(.burnedInAnnotation, "NO", vr: .CS)
        XCTAssertNil(BurnedInAnnotation.reason(for: us))
    }

    func testRecipeParsing() throws {
        let recipe = try DeidentifyRecipe(json: Array(#"{"options":["uids"],"attributes":{"StudyDescription":"keep","(0008,0080)":{"replace":"A"}}}"#.utf8))
        XCTAssertEqual(recipe.options, [.retainUIDs])
        XCTAssertEqual(recipe.overrides[.studyDescription], .keep)
        XCTAssertEqual(recipe.overrides[.institutionName], .replace("A"))
        XCTAssertThrowsError(try DeidentifyRecipe(json: Array(#"{"options":["nope"]}"#.utf8))) { error in
            XCTAssertTrue("\(error)".contains("unknown option \"nope\""))
        }
        XCTAssertThrowsError(try DeidentifyRecipe(json: Array(#"{"attributes":{"NotAKeyword":"keep"}}"#.utf8)))
        XCTAssertThrowsError(try DeidentifyRecipe(json: Array(#"{"attributes":{"PixelData":"remove"}}"#.utf8)))
        XCTAssertThrowsError(try DeidentifyRecipe(json: Array(#"{"extra":1}"#.utf8)))
        XCTAssertThrowsError(try DeidentifyRecipe(json: Array("not json".utf8)))
    }

    // Regression (pydicom's rtdose_rle.dcm, every element explicit UN): UIDs read as UN were
    // replaced by empty values and the file meta lost its SOP class and instance.
    func testElementsReadAsUNAreHandledWithTheirDictionaryVR() throws {
        let ds = DataSet([
            DataElement(.sopClassUID, .UN, .bytes(Array("1.2.840.10008.5.1.4.1.1.481.2".utf8) + [0])),
            DataElement(.sopInstanceUID, .UN, .bytes(Array("1.2.3.4.5".utf8) + [0])),
            DataElement(.patientName, .UN, .bytes(Array("DOE^JOHN".utf8))),
        ])
        let out = Deidentifier(policy: try DeidentifyPolicy(mode: .deidentified), key: key).apply(to: ds).dataSet
        XCTAssertEqual(out[.sopInstanceUID]?.vr, .UI)
        XCTAssertEqual(out.string(.sopInstanceUID), key.uid(for: "1.2.3.4.5"))
        XCTAssertEqual(out[.sopClassUID]?.vr, .UI)
        XCTAssertEqual(out.string(.sopClassUID), "1.2.840.10008.5.1.4.1.1.481.2")
        XCTAssertEqual(out[.patientName]?.value.bytes, [])
    }

    // Regression (pydicom's examples_overlay.dcm): removing only Overlay Data left an overlay plane
    // without its Type 1 bitmap.
    func testAnOverlayWhoseDataIsRemovedGoesWhole() throws {
        let plain = try run(.deidentified).dataSet
        XCTAssertFalse(plain.contains { $0.tag.group == 0x6000 })
        let graphics = try run(.deidentified, [.cleanGraphics]).dataSet
        XCTAssertFalse(graphics.contains { $0.tag.group == 0x6000 }, "overlay bitmaps cannot be cleaned: removed")
        let kept = try run(.deidentified, overrides: [Tag(0x6000_3000): .keep]).dataSet
        XCTAssertEqual(kept[Tag(0x6000_3000)]?.value.bytes, [1, 2, 3, 4])
        XCTAssertNotNil(kept[Tag(0x6000_0010)])
    }

    /// PS3.15 E.1.1 note 4: a date the table does not list (Expiry Date, (0014,1020)) follows its VR.
    func testUnlistedDatesFollowTheirVR() throws {
        XCTAssertNil(ConfidentialityProfile.row(for: 0x0014_1020))
        var ds = sample()
        ds.insert(text(Tag(0x0014_1020), .DA, "20240115"))
        func out(_ options: Set<ProfileOption>) throws -> DataSet {
            Deidentifier(policy: try DeidentifyPolicy(mode: .deidentified, options: options), key: key).apply(to: ds).dataSet
        }
        XCTAssertEqual(try out([]).string(Tag(0x0014_1020)), "19000101")
        XCTAssertEqual(try out([.retainLongitudinalFullDates]).string(Tag(0x0014_1020)), "20240115")
        let shifted = try out([.retainLongitudinalModifiedDates])
        XCTAssertEqual(shifted.string(Tag(0x0014_1020)), shifted.string(.studyDate), "moved like the listed dates")
    }

    func testARecipeThatKeepsANameDoesNotClaimIdentityRemoved() throws {
        XCTAssertEqual(try run(.deidentified, overrides: [.patientName: .keep]).dataSet.string(.patientIdentityRemoved), "NO")
        XCTAssertEqual(try run(.deidentified, overrides: [.studyDescription: .keep]).dataSet.string(.patientIdentityRemoved), "YES")
    }
}
