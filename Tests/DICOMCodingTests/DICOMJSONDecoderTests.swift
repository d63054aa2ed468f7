import XCTest
import DICOMCore
@testable import DICOMCoding

/// DICOM JSON decoding, the JSON scanner, and encode → decode → encode stability.
final class DICOMJSONDecoderTests: XCTestCase {
    func decode(_ json: String) throws -> DataSet {
        try DICOMJSON.decode(Array(json.utf8))
    }

    func bytes(_ ds: DataSet, _ tag: UInt32) -> [UInt8]? {
        ds[Tag(tag)]?.value.bytes
    }

    func le<T: FixedWidthInteger>(_ v: [T]) -> [UInt8] { v.flatMap { x in withUnsafeBytes(of: x.littleEndian, Array.init) } }

    // MARK: Values

    func testStringsArePaddedAndJoined() throws {
        let ds = try decode("""
            {"00080008":{"vr":"CS","Value":["ORIGINAL","PRIMARY",null,"AXIAL"]},
             "00080016":{"vr":"UI","Value":["1.2.3"]},
             "00080060":{"vr":"CS","Value":["CT"]},
             "00104000":{"vr":"LT","Value":["a\\\\b\\n"]},
             "00080020":{"vr":"DA"}}
            """)
        XCTAssertEqual(bytes(ds, 0x0008_0008), Array("ORIGINAL\\PRIMARY\\\\AXIAL ".utf8))
        XCTAssertEqual(bytes(ds, 0x0008_0016), Array("1.2.3\0".utf8))
        XCTAssertEqual(bytes(ds, 0x0008_0060), Array("CT".utf8))
        XCTAssertEqual(bytes(ds, 0x0010_4000), Array("a\\b\n".utf8))
        XCTAssertEqual(bytes(ds, 0x0008_0020), [])
        XCTAssertEqual(ds[Tag(0x0008_0020)]?.vr, .DA)
    }

    func testPersonNames() throws {
        let ds = try decode("""
            {"00080005":{"vr":"CS","Value":["ISO_IR 192"]},
             "00100010":{"vr":"PN","Value":[{"Alphabetic":"Yamada^Tarou","Ideographic":"山田^太郎","Phonetic":"やまだ^たろう"}]},
             "00080090":{"vr":"PN","Value":[{"Ideographic":"山田"},null,{"Alphabetic":"A","Phonetic":"P"},{}]}}
            """)
        XCTAssertEqual(ds.strings(Tag(0x0010_0010)), ["Yamada^Tarou=山田^太郎=やまだ^たろう"])
        XCTAssertEqual(ds.strings(Tag(0x0008_0090)), ["=山田", "", "A==P", ""])
        XCTAssertEqual(bytes(ds, 0x0010_0010)!.count % 2, 0)
    }

    func testNumbersAsBinary() throws {
        let ds = try decode("""
            {"00280010":{"vr":"US","Value":[512,65535]},
             "00280106":{"vr":"SS","Value":[-32768,1.0]},
             "00186050":{"vr":"UL","Value":[4294967295]},
             "00189601":{"vr":"SL","Value":[-2147483648]},
             "0072007A":{"vr":"SV","Value":[-9223372036854775808,"42"]},
             "00720082":{"vr":"UV","Value":[18446744073709551615]},
             "00189098":{"vr":"FL","Value":[0.1,0.10000000149011612,"NaN","-Infinity"]},
             "00189087":{"vr":"FD","Value":[0.1,1e300,Infinity,NaN]},
             "00209165":{"vr":"AT","Value":["00189517","7fe00010"]}}
            """)
        XCTAssertEqual(bytes(ds, 0x0028_0010), le([UInt16(512), 65535]))
        XCTAssertEqual(bytes(ds, 0x0028_0106), le([Int16.min, 1]))
        XCTAssertEqual(bytes(ds, 0x0018_6050), le([UInt32.max]))
        XCTAssertEqual(bytes(ds, 0x0018_9601), le([Int32.min]))
        XCTAssertEqual(bytes(ds, 0x0072_007A), le([Int64.min, 42]))
        XCTAssertEqual(bytes(ds, 0x0072_0082), le([UInt64.max]))
        let fl = ds.doubles(Tag(0x0018_9098))
        XCTAssertEqual(Array(fl.prefix(2)), [Double(Float(0.1)), Double(Float(0.1))])
        XCTAssertTrue(fl[2].isNaN)
        XCTAssertEqual(fl[3], -.infinity)
        let fd = ds.doubles(Tag(0x0018_9087))
        XCTAssertEqual(Array(fd.prefix(3)), [0.1, 1e300, .infinity])
        XCTAssertTrue(fd[3].isNaN)
        XCTAssertEqual(ds.tags(Tag(0x0020_9165)), [Tag(0x0018_9517), .pixelData])
    }

    func testOutOfRangeNumbersAreErrors() {
        for (vr, value) in [("US", "65536"), ("US", "-1"), ("SS", "32768"), ("UL", "1.5"), ("SL", "\"x\""), ("UV", "-1"), ("FD", "\"abc\""), ("FL", "null")] {
            XCTAssertThrowsError(try decode(#"{"00091001":{"vr":"\#(vr)","Value":[\#(value)]}}"#), "\(vr) \(value)") { error in
                guard case DICOMJSONError.model(let location, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(location, "00091001")
            }
        }
    }

    func testDecimalAndIntegerStrings() throws {
        var issues: [DICOMJSON.Issue] = []
        var bulk: [DICOMJSON.BulkDataReference] = []
        let ds = try DICOMJSON.decode(Array("""
            {"00200032":{"vr":"DS","Value":[1E3,-0.5,null,"1,5",0.10000000149011612,1]},
             "00200013":{"vr":"IS","Value":[12,1e2,"abc",1.5]}}
            """.utf8), bulkData: &bulk, issues: &issues)
        XCTAssertEqual(ds.strings(Tag(0x0020_0032)), ["1E3", "-0.5", "", "1,5", "0.10000000149012", "1"])
        XCTAssertEqual(ds.strings(Tag(0x0020_0013)), ["12", "100", "abc", "1.5"])
        XCTAssertEqual(issues.map(\.tag), [Tag(0x0020_0032), Tag(0x0020_0013)])
    }

    func testInlineBinaryAndBulkData() throws {
        var issues: [DICOMJSON.Issue] = []
        var bulk: [DICOMJSON.BulkDataReference] = []
        let ds = try DICOMJSON.decode(Array("""
            {"00420011":{"vr":"OB","InlineBinary":"AQID"},
             "00660023":{"vr":"OW","InlineBinary":"AQACAA=="},
             "00081140":{"vr":"SQ","Value":[{"7FE00010":{"vr":"OW","BulkDataURI":"https://x/1"}}]},
             "7FE00010":{"vr":"OB","BulkDataURI":"https://x/2"}}
            """.utf8), bulkData: &bulk, issues: &issues)
        XCTAssertEqual(bytes(ds, 0x0042_0011), [1, 2, 3, 0])
        XCTAssertEqual(bytes(ds, 0x0066_0023), [1, 0, 2, 0])
        XCTAssertEqual(bytes(ds, 0x7FE0_0010), [])
        XCTAssertEqual(bulk, [
            DICOMJSON.BulkDataReference(path: DICOMJSON.Path([.init(sequence: Tag(0x0008_1140), item: 0)]), tag: .pixelData, vr: .OW, uri: "https://x/1"),
            DICOMJSON.BulkDataReference(path: DICOMJSON.Path(), tag: .pixelData, vr: .OB, uri: "https://x/2"),
        ])
        XCTAssertEqual(issues, [])
    }

    func testSequences() throws {
        let ds = try decode("""
            {"00081140":{"vr":"SQ","Value":[{"00081155":{"vr":"UI","Value":["1.2"]},
               "0040A168":{"vr":"SQ","Value":[{},{"00080100":{"vr":"SH","Value":["113100"]}}]}}, {}]},
             "00081115":{"vr":"SQ"},
             "00081120":{"vr":"SQ","Value":[]}}
            """)
        let items = ds.items(Tag(0x0008_1140))
        XCTAssertEqual(items.count, 2)
        XCTAssertEqual(items[0].string(Tag(0x0008_1155)), "1.2")
        let inner = items[0].items(Tag(0x0040_A168))
        XCTAssertEqual(inner.count, 2)
        XCTAssertTrue(inner[0].isEmpty)
        XCTAssertEqual(inner[1].string(Tag(0x0008_0100)), "113100")
        XCTAssertTrue(items[1].isEmpty)
        XCTAssertEqual(ds[Tag(0x0008_1115)]?.value.sequence?.items.count, 0)
        XCTAssertEqual(ds[Tag(0x0008_1120)]?.value.sequence?.items.count, 0)
    }

    func testSpecificCharacterSetEncodesText() throws {
        let ds = try decode("""
            {"00080005":{"vr":"CS","Value":["ISO_IR 100"]},
             "00100010":{"vr":"PN","Value":[{"Alphabetic":"Müller^Jürgen"}]},
             "00081140":{"vr":"SQ","Value":[{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Böhm"}]}}]}}
            """)
        XCTAssertEqual(bytes(ds, 0x0010_0010), [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x5E, 0x4A, 0xFC, 0x72, 0x67, 0x65, 0x6E, 0x20])
        XCTAssertEqual(ds.items(Tag(0x0008_1140))[0][Tag(0x0010_0010)]?.value.bytes, [0x42, 0xF6, 0x68, 0x6D])
        XCTAssertEqual(ds.strings(Tag(0x0010_0010)), ["Müller^Jürgen"])
    }

    func testTextTheCharacterSetCannotHoldSwitchesToUTF8() throws {
        var issues: [DICOMJSON.Issue] = []
        var bulk: [DICOMJSON.BulkDataReference] = []
        let ds = try DICOMJSON.decode(Array("""
            {"00080005":{"vr":"CS","Value":["ISO_IR 100"]},
             "00100010":{"vr":"PN","Value":[{"Alphabetic":"Müller"}]},
             "00081140":{"vr":"SQ","Value":[{"00100010":{"vr":"PN","Value":[{"Alphabetic":"山田"}]}}]}}
            """.utf8), bulkData: &bulk, issues: &issues)
        XCTAssertEqual(ds.strings(.specificCharacterSet), ["ISO_IR 192"])
        XCTAssertEqual(bytes(ds, 0x0010_0010), Array("Müller ".utf8))
        XCTAssertEqual(ds.items(Tag(0x0008_1140))[0].strings(Tag(0x0010_0010)), ["山田"])
        XCTAssertEqual(issues.count, 1)
        XCTAssertEqual(issues.first?.path.description, "00081140/0")

        // No Specific Character Set at all: non-ASCII text needs one.
        let plain = try decode(#"{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Müller"}]}}"#)
        XCTAssertEqual(plain.strings(.specificCharacterSet), ["ISO_IR 192"])
        XCTAssertEqual(plain.strings(Tag(0x0010_0010)), ["Müller"])
    }

    func testLenientAndStrictParts() throws {
        var issues: [DICOMJSON.Issue] = []
        var bulk: [DICOMJSON.BulkDataReference] = []
        let ds = try DICOMJSON.decode(Array("""
            {"00100010":{"Value":[{"Alphabetic":"Doe"}]},
             "00080000":{"vr":"UL","Value":[4]},
             "00080060":{"vr":"CS","Value":["CT"],"extra":1},
             "00291001":{"InlineBinary":"AAE="}}
            """.utf8), bulkData: &bulk, issues: &issues)
        XCTAssertEqual(ds[Tag(0x0010_0010)]?.vr, .PN)
        XCTAssertEqual(ds[Tag(0x0029_1001)]?.vr, .UN)
        XCTAssertNil(ds[Tag(0x0008_0000)])
        XCTAssertEqual(issues.count, 4)

        let invalid = [
            #"[]"#,
            #"{"0010001":{"vr":"PN"}}"#,
            #"{"00100010":{"vr":"XX"}}"#,
            #"{"00100010":"Doe"}"#,
            #"{"00100010":{"vr":"PN","Value":"Doe"}}"#,
            #"{"00100010":{"vr":"PN","Value":[{"Alphabetic":1}]}}"#,
            #"{"00420011":{"vr":"OB","Value":[1]}}"#,
            #"{"00420011":{"vr":"OB","InlineBinary":"A*=="}}"#,
            #"{"00420011":{"vr":"OB","InlineBinary":"AA==","BulkDataURI":"x"}}"#,
            #"{"00081140":{"vr":"SQ","Value":[1]}}"#,
            #"{"00209165":{"vr":"AT","Value":["0018951"]}}"#,
        ]
        for text in invalid {
            XCTAssertThrowsError(try decode(text), text) { error in
                guard case DICOMJSONError.model = error else { return XCTFail("\(text): \(error)") }
            }
        }
    }

    func testDecodeList() throws {
        let list = try DICOMJSON.decodeList(Array(#"[{"00080060":{"vr":"CS","Value":["CT"]}},{}]"#.utf8))
        XCTAssertEqual(list.count, 2)
        XCTAssertEqual(list[0].string(Tag(0x0008_0060)), "CT")
        XCTAssertEqual(try DICOMJSON.decodeList(Array("{}".utf8)).count, 1)
        XCTAssertThrowsError(try DICOMJSON.decodeList(Array("[1]".utf8)))
    }

    // MARK: Scanner

    func testScannerSyntax() throws {
        func parse(_ s: String) throws -> DICOMJSON.JSONValue {
            try Array(s.utf8).withUnsafeBytes { try DICOMJSON.Scanner.parse($0) }
        }
        guard case .string(let s) = try parse(#" "a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud83d" "#) else { return XCTFail() }
        XCTAssertEqual(s, "a\"\\/\u{08}\u{0C}\n\r\té😀\u{FFFD}")
        guard case .number(let n) = try parse("-0.5e+10") else { return XCTFail() }
        XCTAssertEqual(n, "-0.5e+10")
        guard case .array(let a) = try parse("[true,false,null,-Infinity,{}]"), a.count == 5 else { return XCTFail() }
        XCTAssertNoThrow(try parse("\u{FEFF}{}"))

        let bad = ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\u{01}\"", "\"\\x\"", "{} x", "tru", "[1 2]", "{\"a\":1,}", "\"\\u12G4\""]
        for text in bad {
            XCTAssertThrowsError(try parse(text), text) { error in
                guard case DICOMJSONError.syntax = error else { return XCTFail("\(text): \(error)") }
            }
        }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try parse(deep))
    }

    // MARK: Round trip

    func assertStable(_ ds: DataSet, _ options: DICOMJSON.EncodeOptions = .init(), file: StaticString = #filePath, line: UInt = #line) throws {
        let first = DICOMJSON.encode(ds, options: options)
        var bulk: [DICOMJSON.BulkDataReference] = []
        var issues: [DICOMJSON.Issue] = []
        let decoded = try DICOMJSON.decode(first, bulkData: &bulk, issues: &issues)
        // BulkDataURIs come back through the references the decoder reported.
        var again = options
        if !bulk.isEmpty {
            let uris = Dictionary(uniqueKeysWithValues: bulk.map { ($0.path.description(appending: $0.tag), $0.uri) })
            again.bulkDataThreshold = -1
            again.bulkDataURI = { tag, path in uris[path.description(appending: tag)] }
        }
        let second = DICOMJSON.encode(decoded, options: again)
        XCTAssertEqual(String(decoding: second, as: UTF8.self), String(decoding: first, as: UTF8.self), file: file, line: line)
        XCTAssertEqual(issues, [], file: file, line: line)
    }

    func testRoundTripEveryVR() throws {
        try assertStable(TestData.everyVR())
        try assertStable(TestData.everyVR(), .init(pretty: true))
        try assertStable(TestData.everyVR(), .init(bulkDataThreshold: 8, bulkDataURI: { tag, path in "bulk/" + path.description(appending: tag) }))
    }

    func testRoundTripOddValues() throws {
        var ds = DataSet(characterSet: .utf8)
        func put(_ tag: UInt32, _ vr: VR, _ s: String) {
            var b = Array(s.utf8)
            if b.count % 2 == 1 { b.append(vr.paddingByte) }
            ds.insert(DataElement(Tag(tag), vr, .bytes(b)))
        }
        put(0x0008_0005, .CS, "ISO_IR 192")
        put(0x0008_0008, .CS, "A\\\\\\B")
        put(0x0010_0010, .PN, "Yamada^Tarou=山田^太郎=やまだ^たろう\\=X\\\\A^B^^^")
        put(0x0020_0032, .DS, "+.5\\007\\1E3\\abc\\\\-0")
        put(0x0020_0013, .IS, "+12\\x")
        put(0x0010_4000, .LT, "quote \" backslash \\ tab \t nul-free \u{1}")
        ds.insert(DataElement(Tag(0x0018_9087), .FD, .bytes([Double.nan, .infinity, 0.1].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })))
        ds.insert(DataElement(Tag(0x0018_9098), .FL, .bytes([Float(0.1), -.infinity].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })))
        ds.insert(DataElement(Tag(0x0009_1010), .UN, .sequence(SequenceValue([DataSet()]))))
        ds.insert(DataElement(Tag(0x0008_1115), .SQ, .sequence(SequenceValue())))
        let first = DICOMJSON.encode(ds)
        let second = DICOMJSON.encode(try DICOMJSON.decode(first))
        XCTAssertEqual(String(decoding: second, as: UTF8.self), String(decoding: first, as: UTF8.self))
    }

    func testRoundTripLatin1KeepsBytes() throws {
        var ds = DataSet()
        ds.insert(DataElement(.specificCharacterSet, .CS, bytes: Array("ISO_IR 100".utf8)))
        ds.insert(DataElement(Tag(0x0010_0010), .PN, bytes: [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x5E, 0x4A]))
        let decoded = try DICOMJSON.decode(DICOMJSON.encode(ds))
        XCTAssertEqual(decoded[Tag(0x0010_0010)]?.value.bytes, ds[Tag(0x0010_0010)]?.value.bytes)
    }

    func testRoundTripISO2022Japanese() throws {
        // PS3.5 H.3.1: Yamada^Tarou=山田^太郎=やまだ^たろう in ISO 2022 IR 87.
        var ds = DataSet()
        ds.insert(DataElement(.specificCharacterSet, .CS, bytes: Array("\\ISO 2022 IR 87 ".utf8)))
        let name: [UInt8] = Array("Yamada^Tarou=".utf8)
            + [0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B, 0x28, 0x42]
            + [0x3D]
            + [0x1B, 0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x42, 0x20]
        ds.insert(DataElement(Tag(0x0010_0010), .PN, bytes: name))
        let first = DICOMJSON.encode(ds)
        let decoded = try DICOMJSON.decode(first)
        XCTAssertEqual(decoded.strings(.specificCharacterSet), ["", "ISO 2022 IR 87"])
        XCTAssertEqual(decoded.strings(Tag(0x0010_0010)), ["Yamada^Tarou=山田^太郎=やまだ^たろう"])
        XCTAssertEqual(String(decoding: DICOMJSON.encode(decoded), as: UTF8.self), String(decoding: first, as: UTF8.self))
    }
}
