import XCTest
import DICOMCore

/// `DataSetValidator` over whole data sets: dictionary VM and VR, private creators, sequence paths,
/// Specific Character Set.
final class ValidationDataSetTests: XCTestCase {
    typealias Code = ValidationProblem.Code

    static func text(_ tag: Tag, _ vr: VR, _ s: String) -> DataElement {
        var bytes = Array(s.utf8)
        if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
        return DataElement(tag, vr, bytes: bytes)
    }

    static func latin1(_ tag: Tag, _ vr: VR, _ s: String) -> DataElement {
        var bytes = s.unicodeScalars.map { UInt8($0.value) }
        if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
        return DataElement(tag, vr, bytes: bytes)
    }

    static func us(_ tag: Tag, _ values: UInt16...) -> DataElement {
        DataElement(tag, .US, bytes: values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    }

    static func sequence(_ tag: Tag, _ items: [DataElement]...) -> DataElement {
        DataElement(tag, .SQ, .sequence(SequenceValue(items.map { DataSet($0) })))
    }

    func codes(_ elements: [DataElement], characterSet: SpecificCharacterSet = .default) -> [Code] {
        DataSetValidator().validate(DataSet(elements, characterSet: characterSet)).map(\.code)
    }

    // MARK: Valid data

    func testValidDataSetHasNoProblems() {
        let dataSet = DataSet([
            Self.text(.specificCharacterSet, .CS, "ISO_IR 100"),
            Self.text(.imageType, .CS, "ORIGINAL\\PRIMARY\\AXIAL"),
            Self.text(.sopInstanceUID, .UI, "1.2.826.0.1.3680043.2.1125.1"),
            Self.text(.studyDate, .DA, "20240131"),
            Self.text(.studyTime, .TM, "235959.123456"),
            Self.latin1(.patientName, .PN, "Müller^Jürgen"),
            Self.text(.pixelSpacing, .DS, "0.5\\0.5"),
            Self.text(.imagePositionPatient, .DS, "-125.5\\-125.5\\30"),
            Self.text(.windowCenter, .DS, "40\\400\\1000"),
            Self.us(.rows, 512),
            Self.us(.columns, 512),
            DataElement(.pixelData, .OW, bytes: [0, 0, 0, 0]),
            Self.text(Tag(0x0029, 0x0010), .LO, "CMR TEST"),
            Self.text(Tag(0x0029, 0x1001), .LO, "anything\\at all"),
            DataElement(Tag(0x0029, 0x1002), .UN, bytes: [1, 2, 3, 4]),
            Self.sequence(.referencedImageSequence, [
                Self.text(.referencedSOPClassUID, .UI, "1.2.840.10008.5.1.4.1.1.2"),
                Self.text(.referencedSOPInstanceUID, .UI, "1.2.3.4"),
            ]),
        ])
        XCTAssertEqual(DataSetValidator().validate(dataSet), [])
    }

    func testEmptyValuesAreNotVMProblems() {
        XCTAssertEqual(codes([
            DataElement(.patientName, .PN, bytes: []),
            DataElement(.pixelSpacing, .DS, bytes: []),
            Self.text(.imageType, .CS, "  "),
            DataElement(.rows, .US, bytes: []),
        ]), [])
    }

    // MARK: VM

    func testValueMultiplicityFromTheDictionary() {
        XCTAssertEqual(codes([Self.text(.patientName, .PN, "Doe^John\\Roe^Jane")]), [.vm])
        XCTAssertEqual(codes([Self.text(.pixelSpacing, .DS, "1\\2\\3")]), [.vm])
        XCTAssertEqual(codes([Self.text(.pixelSpacing, .DS, "1")]), [.vm])
        XCTAssertEqual(codes([Self.text(.pixelSpacing, .DS, "1\\2")]), [])
        XCTAssertEqual(codes([Self.text(.imageType, .CS, "ORIGINAL")]), [.vm])          // 2-n
        XCTAssertEqual(codes([Self.text(.imageType, .CS, "A\\B\\C\\D\\E")]), [])
        XCTAssertEqual(codes([Self.text(.windowCenter, .DS, "1\\2\\3\\4\\5\\6")]), [])  // 1-n
        XCTAssertEqual(codes([Self.text(.imagePositionPatient, .DS, "1\\2")]), [.vm])   // 3
        XCTAssertEqual(codes([Self.us(.rows, 1, 2)]), [.vm])
        XCTAssertEqual(codes([Self.us(.rows, 1)]), [])
        // A trailing backslash makes an empty second value.
        XCTAssertEqual(codes([Self.text(.studyDescription, .LO, "CT\\")]), [.vm])
        // LT, ST, UT hold one value whatever backslashes they contain.
        XCTAssertEqual(codes([Self.text(.patientComments, .LT, "a\\b\\c")]), [])
        // Binary VRs: the count is the number of values of their size; byte streams are one value.
        XCTAssertEqual(codes([DataElement(.pixelData, .OW, bytes: Array(repeating: 0, count: 64))]), [])

        let problem = DataSetValidator().validate(DataSet([Self.text(.pixelSpacing, .DS, "1\\2\\3")])).first
        XCTAssertEqual(problem?.message, "3 values (\"1\\2\\3\") where the dictionary's VM is 2")
        XCTAssertEqual(problem?.path, "PixelSpacing")
    }

    func testVRUNAndPrivateElementsSkipTheDictionary() {
        XCTAssertEqual(codes([DataElement(.patientName, .UN, bytes: Array("not\\checked\u{1}".utf8))]), [])
        XCTAssertEqual(codes([
            Self.text(Tag(0x0029, 0x0010), .LO, "CMR TEST"),
            Self.text(Tag(0x0029, 0x1001), .DS, "1\\2\\3\\4"),
        ]), [])
        XCTAssertEqual(codes([Self.text(Tag(0x0008, 0x0FFE), .LO, "unknown\\tag")]), [])
    }

    // MARK: VR

    func testVRDiffersFromTheDictionary() {
        XCTAssertEqual(codes([Self.text(.studyID, .LO, "S1")]), [.vrMismatch])
        XCTAssertEqual(codes([DataElement(.rows, .SS, bytes: [0, 2])]), [.vrMismatch])
        XCTAssertEqual(codes([DataElement(.pixelData, .OB, bytes: [0, 0])]), [])          // OB or OW
        XCTAssertEqual(codes([DataElement(.pixelData, .UN, bytes: [0, 0])]), [])
        XCTAssertEqual(codes([DataElement(.lutData, .OW, bytes: [0, 0])]), [])            // US or OW
        XCTAssertEqual(codes([DataElement(.lutData, .US, bytes: [0, 0, 1, 0])]), [])
        XCTAssertEqual(codes([DataElement(.lutData, .OB, bytes: [0, 0])]), [.vrMismatch])
        XCTAssertEqual(codes([Self.text(Tag(0x0029, 0x0010), .SH, "CREATOR")]), [.vrMismatch])  // private creators are LO

        let problem = DataSetValidator().validate(DataSet([DataElement(.rows, .SS, bytes: [0, 2])])).first
        XCTAssertEqual(problem?.message, "VR SS differs from the dictionary's US")
        let lut = DataSetValidator().validate(DataSet([DataElement(.lutData, .OB, bytes: [0, 0])])).first
        XCTAssertEqual(lut?.message, "VR OB differs from the dictionary's US or OW")
    }

    // MARK: Private creators

    func testPrivateCreatorMissing() {
        XCTAssertEqual(codes([Self.text(Tag(0x0011, 0x1010), .LO, "x")]), [.privateCreatorMissing])
        XCTAssertEqual(codes([
            Self.text(Tag(0x0011, 0x0010), .LO, "ACME"),
            Self.text(Tag(0x0011, 0x1010), .LO, "x"),
            Self.text(Tag(0x0011, 0x1110), .LO, "no creator for block 11"),
        ]), [.privateCreatorMissing])
        XCTAssertEqual(codes([
            DataElement(Tag(0x0011, 0x0010), .LO, bytes: []),
            Self.text(Tag(0x0011, 0x1010), .LO, "x"),
        ]), [.privateCreatorMissing])
        // Outside every block.
        XCTAssertEqual(codes([Self.text(Tag(0x0011, 0x0005), .LO, "x")]), [.privateCreatorMissing])
        XCTAssertEqual(codes([Self.text(Tag(0x0011, 0x0100), .LO, "x")]), [.privateCreatorMissing])
        // A private group length needs no creator.
        XCTAssertEqual(codes([DataElement(Tag(0x0011, 0x0000), .UL, bytes: [0, 0, 0, 0])]), [])

        let problem = DataSetValidator().validate(DataSet([Self.text(Tag(0x0013, 0x1010), .LO, "x")])).first
        XCTAssertEqual(problem?.path, "(0013,1010)")
        XCTAssertEqual(problem?.message, "no private creator (0013,0010) reserves the block of this private element")
    }

    func testPrivateCreatorMustBeInTheSameItem() {
        let dataSet = DataSet([
            Self.text(Tag(0x0011, 0x0010), .LO, "ACME"),
            Self.sequence(.referencedImageSequence, [Self.text(Tag(0x0011, 0x1010), .LO, "x")]),
        ])
        let found = DataSetValidator().validate(dataSet)
        XCTAssertEqual(found.map(\.code), [.privateCreatorMissing])
        XCTAssertEqual(found.first?.path, "ReferencedImageSequence[0].(0011,1010)")
    }

    // MARK: Sequences

    func testNestedSequencesReportPaths() {
        let dataSet = DataSet([
            Self.sequence(.referencedImageSequence,
                          [Self.text(.referencedSOPInstanceUID, .UI, "1.2.3.4")],
                          [Self.text(.referencedSOPInstanceUID, .UI, "1.2.03.4")]),
            Self.sequence(.sourceImageSequence, [
                Self.sequence(.derivationCodeSequence, [], [
                    Self.text(.codeValue, .SH, "113076"),
                    Self.text(.codingSchemeDesignator, .SH, "DCM"),
                    Self.text(.codeMeaning, .LO, String(repeating: "m", count: 65)),
                ]),
                Self.text(.referencedFrameNumber, .IS, "1.5"),
            ]),
            Self.text(.studyDate, .DA, "20230230"),
        ])
        let found = DataSetValidator().validate(dataSet)
        // Tag order, depth first.
        XCTAssertEqual(found.map(\.path), [
            "StudyDate",
            "ReferencedImageSequence[1].ReferencedSOPInstanceUID",
            "SourceImageSequence[0].ReferencedFrameNumber",
            "SourceImageSequence[0].DerivationCodeSequence[1].CodeMeaning",
        ], "\(found)")
        XCTAssertEqual(found.map(\.code), [.vrFormat, .vrFormat, .vrFormat, .length])
        XCTAssertEqual(found.map(\.tag), [.studyDate, .referencedSOPInstanceUID, .referencedFrameNumber, .codeMeaning])
    }

    func testSequenceWithWrongVRIsReportedBeforeItsItems() {
        let dataSet = DataSet([
            DataElement(.studyDate, .SQ, .sequence(SequenceValue([DataSet([
                Self.text(.referencedSOPInstanceUID, .UI, "1.2.3.abc"),
            ])]))),
        ])
        let found = DataSetValidator().validate(dataSet)
        XCTAssertEqual(found.map(\.code), [.vrMismatch, .vrFormat], "\(found)")
        XCTAssertEqual(found.map(\.path), ["StudyDate", "StudyDate[0].ReferencedSOPInstanceUID"])
    }

    // MARK: Specific Character Set

    func testSpecificCharacterSetDecidesTheRepertoire() {
        XCTAssertEqual(codes([Self.latin1(.patientName, .PN, "Müller")]), [.charset])
        XCTAssertEqual(codes([
            Self.text(.specificCharacterSet, .CS, "ISO_IR 100"),
            Self.latin1(.patientName, .PN, "Müller"),
        ]), [])
        XCTAssertEqual(codes([
            Self.text(.specificCharacterSet, .CS, "ISO_IR 192"),
            Self.text(.patientName, .PN, "Müller^Jürgen"),
        ]), [])
        // Invalid UTF-8.
        XCTAssertEqual(codes([
            Self.text(.specificCharacterSet, .CS, "ISO_IR 192"),
            DataElement(.patientName, .PN, bytes: [0x41, 0xC3, 0x28, 0x20]),
        ]), [.charset])
        // Values of the default-repertoire VRs stay ASCII whatever the character set.
        XCTAssertEqual(codes([
            Self.text(.specificCharacterSet, .CS, "ISO_IR 100"),
            Self.latin1(.modality, .CS, "É"),
        ]), [.charset])
    }

    func testLengthsOfTextVRsCountCharacters() {
        let e64 = String(repeating: "é", count: 64)
        XCTAssertEqual(codes([
            Self.text(.specificCharacterSet, .CS, "ISO_IR 192"),
            Self.text(.institutionName, .LO, e64),
        ]), [])
        XCTAssertEqual(codes([
            Self.text(.specificCharacterSet, .CS, "ISO_IR 192"),
            Self.text(.institutionName, .LO, e64 + "é"),
        ]), [.length])
        XCTAssertEqual(codes([
            Self.text(.specificCharacterSet, .CS, "ISO_IR 192"),
            Self.text(.patientName, .PN, e64 + "=" + e64),
        ]), [])
        XCTAssertEqual(codes([
            Self.text(.specificCharacterSet, .CS, "ISO_IR 192"),
            Self.text(.patientName, .PN, "a=" + e64 + "é"),
        ]), [.length])
    }

    func testISO2022EscapeSequencesNeedCodeExtensions() {
        // "ﾔﾏﾀﾞ" in JIS X 0201 katakana after ESC ) I, and 山田 in JIS X 0208 after ESC $ B.
        let name: [UInt8] = [0xD4, 0xCF, 0xC0, 0xDE, 0x5E, 0xC0, 0xDB, 0xB3, 0x3D,
                             0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x4A, 0x20]
        XCTAssertEqual(codes([
            Self.text(.specificCharacterSet, .CS, "ISO 2022 IR 13\\ISO 2022 IR 87"),
            DataElement(.patientName, .PN, bytes: name),
        ]), [])
        XCTAssertEqual(codes([
            Self.text(.specificCharacterSet, .CS, "ISO_IR 100"),
            Self.text(.patientName, .PN, "A\u{1B}(BB"),
        ]), [.charset])
    }

    func testItemsInheritTheCharacterSet() {
        let dataSet = DataSet([
            Self.text(.specificCharacterSet, .CS, "ISO_IR 100"),
            Self.sequence(.referencedImageSequence, [Self.latin1(.referencedSOPClassUID, .UI, "1.2")]),
            Self.sequence(.sourceImageSequence, [Self.latin1(Tag(0x0008, 0x0080), .LO, "Clinique Générale")]),
        ])
        // The UID is two bytes of ASCII; the institution name needs Latin-1, inherited from the parent.
        XCTAssertEqual(DataSetValidator().validate(dataSet).map(\.code), [])
    }

    func testUnknownCharacterSetTermsAreWarnings() {
        let found = DataSetValidator().validate(DataSet([Self.text(.specificCharacterSet, .CS, "ISO_IR 999")]))
        XCTAssertEqual(found.map(\.code), [.charsetTerm])
        XCTAssertEqual(found.first?.severity, .warning)
        XCTAssertEqual(found.first?.message, "\"ISO_IR 999\" is not a defined term; it is ignored")
    }

    // MARK: Elements on their own

    func testValidateOneElement() {
        let found = DataSetValidator().validate(Self.text(.studyDate, .DA, "2023.01.02"))
        XCTAssertEqual(found.map(\.code), [.retiredFormat])
        XCTAssertEqual(found.first?.path, "StudyDate")
        XCTAssertEqual(found.first?.tag, .studyDate)
    }
}
