import XCTest
import DICOMCore

/// Value formats of PS3.5 §6.2, one VR at a time, through `DataSetValidator`.
///
/// Values are put in a private element with its creator, so that only the value checks apply (the
/// dictionary knows no private element's VR or VM).
final class ValidationValueFormatTests: XCTestCase {
    typealias Code = ValidationProblem.Code

    /// A value and the problem codes expected of it (empty: valid).
    struct Case {
        var vr: VR
        var bytes: [UInt8]
        var expected: [Code]
        var severity: ValidationProblem.Severity
        var line: UInt

        /// `text` as UTF-8, padded to even length with the VR's padding byte.
        init(_ vr: VR, _ text: String, _ expected: Code..., severity: ValidationProblem.Severity = .error, line: UInt = #line) {
            var bytes = Array(text.utf8)
            if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
            self.init(vr, bytes: bytes, expected, severity: severity, line: line)
        }

        /// Exactly `bytes`.
        init(_ vr: VR, bytes: [UInt8], _ expected: [Code], severity: ValidationProblem.Severity = .error, line: UInt = #line) {
            self.vr = vr
            self.bytes = bytes
            self.expected = expected
            self.severity = severity
            self.line = line
        }
    }

    static let element = Tag(0x0009, 0x1010)

    static func problems(_ vr: VR, _ bytes: [UInt8], characterSet: SpecificCharacterSet = .default) -> [ValidationProblem] {
        var creator = Array("CMR VALIDATION TEST".utf8)
        creator.append(0x20)
        let dataSet = DataSet([
            DataElement(Tag(0x0009, 0x0010), .LO, bytes: creator),
            DataElement(element, vr, bytes: bytes),
        ], characterSet: characterSet)
        return DataSetValidator().validate(dataSet)
    }

    func run(_ cases: [Case], characterSet: SpecificCharacterSet = .default, file: StaticString = #filePath) {
        for c in cases {
            let found = Self.problems(c.vr, c.bytes, characterSet: characterSet)
            let shown = "\(c.vr) " + String(decoding: c.bytes, as: UTF8.self).debugDescription
            XCTAssertEqual(found.map(\.code), c.expected, "\(shown): \(found)", file: file, line: c.line)
            for p in found {
                XCTAssertEqual(p.tag, Self.element, file: file, line: c.line)
                XCTAssertEqual(p.path, "(0009,1010)", file: file, line: c.line)
                XCTAssertEqual(p.severity, c.severity, "\(shown): \(p)", file: file, line: c.line)
            }
        }
    }

    // MARK: AE, AS, CS

    func testApplicationEntity() {
        run([
            Case(.AE, "STORESCP"), Case(.AE, " AE TITLE "), Case(.AE, "A_B-C.d"), Case(.AE, "SIXTEEN_CHARS_AE"),
            Case(.AE, "ONE\\TWO"),
            Case(.AE, "    ", .vrFormat),
            Case(.AE, "ONE\\  ", .vrFormat),
            Case(.AE, "SEVENTEEN_CHARS_A", .length),
            Case(.AE, "A\tB", .charset),
            Case(.AE, "CAFÉ", .charset),
        ])
    }

    func testAgeString() {
        run([
            Case(.AS, "045Y"), Case(.AS, "000D"), Case(.AS, "012W"), Case(.AS, "006M"),
            Case(.AS, "45Y", .vrFormat), Case(.AS, "045y", .vrFormat), Case(.AS, "045X", .vrFormat),
            Case(.AS, "45YY", .vrFormat), Case(.AS, "04 Y", .vrFormat), Case(.AS, "0045Y", .vrFormat),
            Case(.AS, " 45Y", .vrFormat),
        ])
    }

    func testCodeString() {
        run([
            Case(.CS, "ORIGINAL"), Case(.CS, "MONOCHROME2"), Case(.CS, "ISO_IR 100"), Case(.CS, " CT"),
            Case(.CS, "DERIVED\\SECONDARY"), Case(.CS, "SIXTEEN_CHARS_CS"), Case(.CS, ""),
            Case(.CS, "ot", .vrFormat), Case(.CS, "A-B", .vrFormat), Case(.CS, "A.B", .vrFormat),
            Case(.CS, "SEVENTEEN_CHARS_C", .length),
            Case(.CS, "É", .charset),
            Case(.CS, "A\nB", .charset),
        ])
    }

    // MARK: DA, DT, TM

    func testDate() {
        run([
            Case(.DA, "20230102"), Case(.DA, "20000229"), Case(.DA, "20240229"), Case(.DA, "19991231"),
            Case(.DA, "00010101"), Case(.DA, "20230131\\20230430"), Case(.DA, ""),
            Case(.DA, "20231301", .vrFormat), Case(.DA, "20230001", .vrFormat), Case(.DA, "20230230", .vrFormat),
            Case(.DA, "19000229", .vrFormat), Case(.DA, "20230431", .vrFormat), Case(.DA, "20230100", .vrFormat),
            Case(.DA, "2023010", .vrFormat), Case(.DA, "202301011", .vrFormat), Case(.DA, "2023-01-02", .vrFormat),
            Case(.DA, " 20230102", .vrFormat), Case(.DA, "2023010A", .vrFormat), Case(.DA, "20230101-20230102", .vrFormat),
            Case(.DA, "2023.01.02", .retiredFormat), Case(.DA, "1993.08.01", .retiredFormat),
            Case(.DA, "2023.13.02", .retiredFormat),
        ])
    }

    func testDateTime() {
        run([
            Case(.DT, "2023"), Case(.DT, "202301"), Case(.DT, "20230102"), Case(.DT, "2023010212"),
            Case(.DT, "202301021230"), Case(.DT, "20230102123059"), Case(.DT, "20230102123059.1"),
            Case(.DT, "20230102123059.123456"), Case(.DT, "20230102123059.123456+0100"), Case(.DT, "2023-0500"),
            Case(.DT, "20230102+1400"), Case(.DT, "20230102-1200"), Case(.DT, "20240229235959"),
            Case(.DT, "20231301", .vrFormat), Case(.DT, "2023013", .vrFormat), Case(.DT, "20230230", .vrFormat),
            Case(.DT, "20230102250000", .vrFormat), Case(.DT, "20230102126000", .vrFormat),
            Case(.DT, "20230102123059.", .vrFormat), Case(.DT, "20230102123059.1234567", .vrFormat),
            Case(.DT, "20230102+1500", .vrFormat), Case(.DT, "20230102-1300", .vrFormat),
            Case(.DT, "20230102+01", .vrFormat), Case(.DT, "20230102+0160", .vrFormat),
            Case(.DT, "20230102.5", .vrFormat), Case(.DT, "202", .vrFormat), Case(.DT, "2023AB", .vrFormat),
            Case(.DT, " 2023", .vrFormat), Case(.DT, "20230102 1230", .vrFormat),
            Case(.DT, "20230102235960", .vrFormat, severity: .warning),
        ])
    }

    func testTime() {
        run([
            Case(.TM, "12"), Case(.TM, "1230"), Case(.TM, "123059"), Case(.TM, "123059.1"),
            Case(.TM, "123059.123456"), Case(.TM, "000000"), Case(.TM, "235959.999999"), Case(.TM, "0700\\1900"),
            Case(.TM, "24", .vrFormat), Case(.TM, "1260", .vrFormat), Case(.TM, "123", .vrFormat),
            Case(.TM, "1230.5", .vrFormat), Case(.TM, "12.5", .vrFormat), Case(.TM, "123059.1234567", .vrFormat),
            Case(.TM, "123059.", .vrFormat), Case(.TM, "ab", .vrFormat), Case(.TM, " 1230", .vrFormat),
            Case(.TM, "12:3x", .vrFormat), Case(.TM, "1230 00", .vrFormat), Case(.TM, "256000", .vrFormat),
            Case(.TM, "12:30:00", .retiredFormat), Case(.TM, "12:30", .retiredFormat),
            Case(.TM, "12:30:00.25", .retiredFormat),
            Case(.TM, "235960", .vrFormat, severity: .warning),
        ])
    }

    // MARK: DS, IS

    func testDecimalString() {
        run([
            Case(.DS, "1"), Case(.DS, "-1.5"), Case(.DS, "+.5"), Case(.DS, "1."), Case(.DS, "1e10"),
            Case(.DS, "1.5E-3"), Case(.DS, " 12.5 "), Case(.DS, "0"), Case(.DS, "-0.0"), Case(.DS, "1\\2\\3"),
            Case(.DS, "-1.234567890E+12"),
            Case(.DS, "1.5e", .vrFormat), Case(.DS, "abc", .vrFormat), Case(.DS, "1 5", .vrFormat),
            Case(.DS, "1.5.3", .vrFormat), Case(.DS, ".", .vrFormat), Case(.DS, "+", .vrFormat),
            Case(.DS, "e5", .vrFormat), Case(.DS, "NaN", .vrFormat), Case(.DS, "0x10", .vrFormat),
            Case(.DS, "1,5", .vrFormat), Case(.DS, "--1", .vrFormat),
            Case(.DS, "12345678901234567", .length),
        ])
    }

    func testIntegerString() {
        run([
            Case(.IS, "0"), Case(.IS, "-2147483648"), Case(.IS, "2147483647"), Case(.IS, "+12"),
            Case(.IS, " 42 "), Case(.IS, "007"), Case(.IS, "1\\-2"),
            Case(.IS, "12.5", .vrFormat), Case(.IS, "2147483648", .vrFormat), Case(.IS, "-2147483649", .vrFormat),
            Case(.IS, "99999999999", .vrFormat), Case(.IS, "1 2", .vrFormat), Case(.IS, "+", .vrFormat),
            Case(.IS, "1e3", .vrFormat), Case(.IS, ""),
            Case(.IS, "0000000000001", .length),
            Case(.IS, "-00000000000000000001", .length),
        ])
    }

    // MARK: UI, UR

    func testUniqueIdentifier() {
        let long = "1.2.840.10008.1.2.1.999999999999999999999999999999999999999999999"
        run([
            Case(.UI, "1.2.840.10008.1.2"), Case(.UI, "2.25.1234"), Case(.UI, "1.2.0.3"), Case(.UI, "0.1"),
            Case(.UI, "1.2.3\\1.2.4"), Case(.UI, String(long.prefix(64))),
            Case(.UI, "1.2.03", .vrFormat), Case(.UI, "1.2.3.", .vrFormat), Case(.UI, ".1.2", .vrFormat),
            Case(.UI, "1..2", .vrFormat), Case(.UI, "1.2.a", .vrFormat), Case(.UI, "3.1.2", .vrFormat),
            Case(.UI, "10.1", .vrFormat), Case(.UI, "1.2 .3", .vrFormat), Case(.UI, "01.2", .vrFormat),
            Case(.UI, long, .length),
            Case(.UI, "0", .vrFormat, severity: .warning), Case(.UI, "0.0.0", .vrFormat, severity: .warning),
            Case(.UI, bytes: Array("1.2.3 ".utf8), [.padding]),
            Case(.UI, bytes: Array("1.2.34".utf8) + [0, 0], [.padding], severity: .warning),
            Case(.UI, bytes: Array("1.2\u{0}34".utf8), [.charset]),
        ])
    }

    func testURI() {
        run([
            Case(.UR, "http://example.org/a?b=c#d"), Case(.UR, "urn:oid:1.2.3"), Case(.UR, "http://x/%20"),
            Case(.UR, "https://example.org/wado?requestType=WADO&studyUID=1.2.3"),
            Case(.UR, " http://x", .vrFormat), Case(.UR, "http://x y", .vrFormat), Case(.UR, "http://x/\"q\"", .vrFormat),
            Case(.UR, "http://x/a\\b", .vrFormat),
        ])
    }

    // MARK: Text VRs

    func testTextVRs() {
        let sixtyFour = String(repeating: "x", count: 64)
        run([
            Case(.LO, "Hello World"), Case(.LO, "a^b"), Case(.LO, sixtyFour), Case(.LO, "one\\two"),
            Case(.LO, sixtyFour + "x", .length), Case(.LO, "a\nb", .charset), Case(.LO, "a\u{1B}b", .charset),
            Case(.LO, "Müller", .charset),
            Case(.SH, "SIXTEEN CHARS SH"), Case(.SH, "SEVENTEEN CHARS S", .length),
            Case(.LT, "line1\r\nline2\ttab\u{0C}page"), Case(.LT, "back\\slash"), Case(.LT, "  leading"),
            Case(.LT, "a\u{01}b", .charset), Case(.LT, String(repeating: "y", count: 10241), .length),
            Case(.ST, "text\r\n"), Case(.ST, String(repeating: "y", count: 1025), .length), Case(.ST, "\u{7F}", .charset),
            Case(.UT, String(repeating: "z", count: 20000)), Case(.UT, "a\u{00}b", .charset),
            Case(.UC, String(repeating: "w", count: 300)), Case(.UC, "a\tb", .charset),
        ])
    }

    func testPersonName() {
        run([
            Case(.PN, "Doe^John"), Case(.PN, "Doe^John^^^"), Case(.PN, "Doe^John^M^Dr^Jr"), Case(.PN, "A=B=C"),
            Case(.PN, "=B"), Case(.PN, "Doe^John\\Roe^Jane"),
            Case(.PN, String(repeating: "p", count: 64) + "=" + String(repeating: "q", count: 64)),
            Case(.PN, "A=B=C=D", .vrFormat), Case(.PN, "A^B^C^D^E^F", .vrFormat),
            Case(.PN, String(repeating: "p", count: 65), .length),
            Case(.PN, "Doe\nJohn", .charset),
        ])
    }

    // MARK: Length and padding

    func testOddLengthAndPadding() {
        run([
            Case(.LO, bytes: Array("ABC".utf8), [.length]),
            Case(.LO, bytes: Array("ABC".utf8) + [0], [.padding]),
            Case(.DA, bytes: Array("2023010".utf8) + [0], [.padding, .vrFormat]),
            Case(.CS, bytes: Array("CT".utf8) + [0, 0], [.padding]),
            Case(.UI, bytes: Array("1.2.3".utf8), [.length]),
            Case(.UI, bytes: Array("1.2.3".utf8) + [0], []),
            Case(.UT, bytes: [], []),
        ])
    }

    func testBinaryValueLengths() {
        func le(_ count: Int) -> [UInt8] { Array(repeating: 0x01, count: count) }
        run([
            Case(.US, bytes: le(2), []), Case(.US, bytes: le(8), []), Case(.US, bytes: le(3), [.length]),
            Case(.SS, bytes: le(6), []), Case(.SS, bytes: le(1), [.length]),
            Case(.UL, bytes: le(4), []), Case(.UL, bytes: le(6), [.length]), Case(.SL, bytes: le(2), [.length]),
            Case(.FL, bytes: le(12), []), Case(.FL, bytes: le(10), [.length]), Case(.AT, bytes: le(2), [.length]),
            Case(.AT, bytes: le(8), []),
            Case(.FD, bytes: le(16), []), Case(.FD, bytes: le(12), [.length]),
            Case(.SV, bytes: le(4), [.length]), Case(.UV, bytes: le(8), []),
            Case(.OB, bytes: le(4), []), Case(.OB, bytes: le(3), [.length]),
            Case(.OW, bytes: le(6), []), Case(.OW, bytes: le(3), [.length]),
            Case(.OF, bytes: le(6), [.length]), Case(.OL, bytes: le(8), []),
            Case(.OD, bytes: le(4), [.length]), Case(.OV, bytes: le(12), [.length]), Case(.OV, bytes: le(16), []),
            Case(.UN, bytes: le(3), []),
        ])
    }

    // MARK: Messages

    func testMessageNamesTheValueAndReason() throws {
        let date = try XCTUnwrap(Self.problems(.DA, Array("20231301".utf8)).first)
        XCTAssertEqual(date.message, "DA value \"20231301\": month 13 is out of range 01-12")
        XCTAssertEqual(date.description, "error vr-format (0009,1010) (0009,1010): DA value \"20231301\": month 13 is out of range 01-12")

        let uid = try XCTUnwrap(Self.problems(.UI, Array("1.2.3.04".utf8)).first)
        XCTAssertEqual(uid.message, "UI value \"1.2.3.04\": component 4 \"04\" has a leading zero")

        let control = try XCTUnwrap(Self.problems(.LO, Array("a\nb ".utf8)).first)
        XCTAssertEqual(control.message, "LO value \"a\\nb \": control character 0x0A is not allowed in LO")

        let odd = try XCTUnwrap(Self.problems(.LO, Array("ABC".utf8)).first)
        XCTAssertEqual(odd.message, "LO value \"ABC\" has odd length 3; values are padded to even length")

        let binary = try XCTUnwrap(Self.problems(.US, [1, 2, 3]).first)
        XCTAssertEqual(binary.message, "value length 3 is not a multiple of 2, the size of one US value")

        let retired = try XCTUnwrap(Self.problems(.TM, Array("12:30:00".utf8)).first)
        XCTAssertTrue(retired.message.contains("retired ACR-NEMA form"), retired.message)
    }

    func testSeveralBadValuesOfOneElementAreCounted() {
        let found = Self.problems(.DS, Array("a\\1\\b\\c ".utf8))
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertEqual(found.first?.message, "DS value 1 \"a\": character 'a' where a digit is expected (and 2 more values)")
    }

    func testDifferentRulesOfOneElementAreEachReported() {
        let long = "1.2.03." + String(repeating: "1", count: 60)
        let found = Self.problems(.UI, Array(long.utf8))
        XCTAssertEqual(Set(found.map(\.code)), [.length, .vrFormat], "\(found)")
    }
}
