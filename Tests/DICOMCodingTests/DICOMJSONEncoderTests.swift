import Foundation
import XCTest
import DICOMCore
@testable import DICOMCoding

/// DICOM JSON encoding (PS3.18 F.2), checked against exact expected text.
final class DICOMJSONEncoderTests: XCTestCase {
    // MARK: Helpers

    static func text(_ tag: UInt32, _ vr: VR, _ s: String) -> DataElement {
        var b = Array(s.utf8)
        if b.count % 2 == 1 { b.append(vr.paddingByte) }
        return DataElement(Tag(tag), vr, .bytes(b))
    }

    static func raw(_ tag: UInt32, _ vr: VR, _ bytes: [UInt8]) -> DataElement {
        DataElement(Tag(tag), vr, .bytes(bytes))
    }

    func json(_ elements: [DataElement], _ options: DICOMJSON.EncodeOptions = .init()) -> String {
        json(DataSet(elements), options)
    }

    func json(_ ds: DataSet, _ options: DICOMJSON.EncodeOptions = .init()) -> String {
        String(decoding: DICOMJSON.encode(ds, options: options), as: UTF8.self)
    }

    func issues(_ elements: [DataElement], _ options: DICOMJSON.EncodeOptions = .init()) -> [DICOMJSON.Issue] {
        var issues: [DICOMJSON.Issue] = []
        _ = DICOMJSON.encode(DataSet(elements), options: options, issues: &issues)
        return issues
    }

    let text = DICOMJSONEncoderTests.text
    let raw = DICOMJSONEncoderTests.raw

    // MARK: Strings

    func testStringVRs() {
        let cases: [(UInt32, VR, String, String)] = [
            (0x0008_0054, .AE, "CMR_TEST", #"["CMR_TEST"]"#),
            (0x0010_1010, .AS, "042Y", #"["042Y"]"#),
            (0x0008_0008, .CS, "ORIGINAL\\PRIMARY", #"["ORIGINAL","PRIMARY"]"#),
            (0x0008_0020, .DA, "20240131", #"["20240131"]"#),
            (0x0008_002A, .DT, "20240131235959.123456+0100", #"["20240131235959.123456+0100"]"#),
            (0x0008_0080, .LO, "  Synthetic Hospital ", #"["Synthetic Hospital"]"#),
            (0x0010_4000, .LT, "  Line one\nLine two\\x ", #"["  Line one\nLine two\\x"]"#),
            (0x0008_0050, .SH, "ACC\\0001", #"["ACC","0001"]"#),
            (0x0008_0081, .ST, "1 Street\r\nNowhere", #"["1 Street\r\nNowhere"]"#),
            (0x0008_0030, .TM, "235959.123456", #"["235959.123456"]"#),
            (0x0008_0119, .UC, "code one\\code two", #"["code one","code two"]"#),
            (0x0008_0016, .UI, "1.2.840.10008.5.1.4.1.1.2\0", #"["1.2.840.10008.5.1.4.1.1.2"]"#),
            (0x0008_0120, .UR, "http://example.org/a\\b", #"["http://example.org/a\\b"]"#),
            (0x0040_A160, .UT, "Unlimited\\text  ", #"["Unlimited\\text"]"#),
        ]
        for (tag, vr, value, expected) in cases {
            let key = Tag(tag).jsonKey
            XCTAssertEqual(json([text(tag, vr, value)]), #"{"\#(key)":{"vr":"\#(vr)","Value":\#(expected)}}"#, "\(vr)")
        }
    }

    func testEmptyValuesOmitValue() {
        for vr in VR.allCases where vr != .SQ {
            let tag: UInt32 = vr == .PN ? 0x0010_0010 : 0x0009_1000
            XCTAssertEqual(json([raw(tag, vr, [])]), #"{"\#(Tag(tag).jsonKey)":{"vr":"\#(vr)"}}"#, "\(vr)")
        }
        // Padding only is empty too.
        XCTAssertEqual(json([text(0x0008_0060, .CS, "  ")]), #"{"00080060":{"vr":"CS"}}"#)
        XCTAssertEqual(json([raw(0x0020_000D, .UI, [0, 0])]), #"{"0020000D":{"vr":"UI"}}"#)
        XCTAssertEqual(json([DataElement(Tag(0x0008_1115), .SQ, .sequence(SequenceValue()))]), #"{"00081115":{"vr":"SQ"}}"#)
    }

    func testEmptyValuesInMultiValuedElementsAreNull() {
        XCTAssertEqual(json([text(0x0008_0008, .CS, "A\\\\B")]), #"{"00080008":{"vr":"CS","Value":["A",null,"B"]}}"#)
        XCTAssertEqual(json([text(0x0008_0008, .CS, "\\")]), #"{"00080008":{"vr":"CS","Value":[null,null]}}"#)
        XCTAssertEqual(json([text(0x0020_0032, .DS, "1\\\\-2.5")]), #"{"00200032":{"vr":"DS","Value":[1,null,-2.5]}}"#)
        XCTAssertEqual(json([text(0x0020_0013, .IS, "\\7")]), #"{"00200013":{"vr":"IS","Value":[null,7]}}"#)
        XCTAssertEqual(json([text(0x0008_1070, .PN, "A^B\\\\C")]),
                       #"{"00081070":{"vr":"PN","Value":[{"Alphabetic":"A^B"},null,{"Alphabetic":"C"}]}}"#)
    }

    func testEscaping() {
        let s = "q\"b\\s/\u{01}\u{1F}\t\u{08}\u{0C}é山\u{7F}"
        var ds = DataSet(characterSet: .utf8)
        ds.insert(text(0x0008_0005, .CS, "ISO_IR 192"))
        ds.insert(text(0x0010_4000, .LT, s))
        XCTAssertEqual(json(ds), #"{"00080005":{"vr":"CS","Value":["ISO_IR 192"]},"00104000":{"vr":"LT","Value":["q\"b\\s/\u0001\u001f\t\b\fé山\#u{7F}"]}}"#)
    }

    func testSpecificCharacterSetIsDecoded() {
        var latin1 = DataSet()
        latin1.insert(text(0x0008_0005, .CS, "ISO_IR 100"))
        latin1.insert(raw(0x0010_0010, .PN, [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x5E, 0x4A]))
        XCTAssertEqual(json(latin1), #"{"00080005":{"vr":"CS","Value":["ISO_IR 100"]},"00100010":{"vr":"PN","Value":[{"Alphabetic":"Müller^J"}]}}"#)
    }

    // MARK: Person names

    func testPersonNameGroups() {
        var ds = DataSet(characterSet: .utf8)
        ds.insert(text(0x0008_0005, .CS, "ISO_IR 192"))
        ds.insert(text(0x0010_0010, .PN, "Yamada^Tarou=山田^太郎=やまだ^たろう"))
        ds.insert(text(0x0008_0090, .PN, "=山田^太郎"))
        ds.insert(text(0x0008_1050, .PN, "Doe^John^^^=="))
        ds.insert(text(0x0008_1060, .PN, "A==P"))
        ds.insert(text(0x0008_1070, .PN, "=="))
        XCTAssertEqual(json(ds), """
            {"00080005":{"vr":"CS","Value":["ISO_IR 192"]},\
            "00080090":{"vr":"PN","Value":[{"Ideographic":"山田^太郎"}]},\
            "00081050":{"vr":"PN","Value":[{"Alphabetic":"Doe^John^^^"}]},\
            "00081060":{"vr":"PN","Value":[{"Alphabetic":"A","Phonetic":"P"}]},\
            "00081070":{"vr":"PN"},\
            "00100010":{"vr":"PN","Value":[{"Alphabetic":"Yamada^Tarou","Ideographic":"山田^太郎","Phonetic":"やまだ^たろう"}]}}
            """)
    }

    func testPersonNameWithTooManyGroupsIsKeptAndReported() {
        let e = text(0x0010_0010, .PN, "A=B=C=D")
        XCTAssertEqual(json([e]), #"{"00100010":{"vr":"PN","Value":[{"Alphabetic":"A","Ideographic":"B","Phonetic":"C=D"}]}}"#)
        XCTAssertEqual(issues([e]).count, 1)
    }

    // MARK: Numbers

    func testDecimalStringsKeepTheirDigits() {
        let e = text(0x0020_0032, .DS, " +.5\\007\\-1.250\\1E3\\5.\\-0\\1.234567890123456\\2e-05")
        XCTAssertEqual(json([e]), #"{"00200032":{"vr":"DS","Value":[0.5,7,-1.250,1E3,5,-0,1.234567890123456,2e-05]}}"#)
        XCTAssertEqual(issues([e]), [])
    }

    func testIntegerStrings() {
        XCTAssertEqual(json([text(0x0020_0013, .IS, "+12\\-007\\-0\\0\\2147483647")]),
                       #"{"00200013":{"vr":"IS","Value":[12,-7,0,0,2147483647]}}"#)
    }

    func testNumberStringsThatAreNoNumbersStayStrings() {
        let elements = [text(0x0020_0013, .IS, "abc\\1.5"), text(0x0020_0032, .DS, "1,5\\NaN\\1e999\\.")]
        XCTAssertEqual(json(elements), #"{"00200013":{"vr":"IS","Value":["abc","1.5"]},"00200032":{"vr":"DS","Value":["1,5","NaN","1e999","."]}}"#)
        XCTAssertEqual(issues(elements).count, 6)
        XCTAssertEqual(issues(elements).first?.tag, Tag(0x0020_0013))
    }

    func testBinaryIntegers() {
        func le<T: FixedWidthInteger>(_ v: [T]) -> [UInt8] { v.flatMap { x in withUnsafeBytes(of: x.littleEndian, Array.init) } }
        let elements = [
            raw(0x0028_0010, .US, le([UInt16(0), 512, 65535])),
            raw(0x0028_0106, .SS, le([Int16.min, -1, Int16.max])),
            raw(0x0018_6050, .UL, le([UInt32.max, 0])),
            raw(0x0018_9601, .SL, le([Int32.min, Int32.max])),
            raw(0x0072_007A, .SV, le([Int64.min, -9_000_000_000, Int64.max])),
            raw(0x0072_0082, .UV, le([UInt64.max, 18_000_000_000])),
        ]
        XCTAssertEqual(json(elements), """
            {"00186050":{"vr":"UL","Value":[4294967295,0]},\
            "00189601":{"vr":"SL","Value":[-2147483648,2147483647]},\
            "00280010":{"vr":"US","Value":[0,512,65535]},\
            "00280106":{"vr":"SS","Value":[-32768,-1,32767]},\
            "0072007A":{"vr":"SV","Value":[-9223372036854775808,-9000000000,9223372036854775807]},\
            "00720082":{"vr":"UV","Value":[18446744073709551615,18000000000]}}
            """)
    }

    func testTruncatedBinaryValueIsReported() {
        let e = raw(0x0028_0010, .US, [1, 0, 2])
        XCTAssertEqual(json([e]), #"{"00280010":{"vr":"US","Value":[1]}}"#)
        XCTAssertEqual(issues([e]).count, 1)
    }

    func testFloatsAreShortestRoundTrip() {
        let fl: [Float] = [0.1, 1, -2.5, 1e-7, 3.4028235e38, -0.0, .leastNonzeroMagnitude]
        let fd: [Double] = [0.1, 1, 1e300, -1.5e-10, 5e-324]
        let elements = [
            raw(0x0018_9098, .FL, fl.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }),
            raw(0x0018_9087, .FD, fd.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }),
        ]
        XCTAssertEqual(json(elements), """
            {"00189087":{"vr":"FD","Value":[0.1,1.0,1e+300,-1.5e-10,5e-324]},\
            "00189098":{"vr":"FL","Value":[0.1,1.0,-2.5,1e-07,3.4028235e+38,-0.0,1e-45]}}
            """)
        XCTAssertEqual(issues(elements), [])
    }

    func testNonFiniteFloatsAreStrings() {
        let fd: [Double] = [.nan, .infinity, -.infinity, 2]
        let fl: [Float] = [.nan, -.infinity]
        let elements = [
            raw(0x0018_9087, .FD, fd.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }),
            raw(0x0018_9098, .FL, fl.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }),
        ]
        XCTAssertEqual(json(elements), #"{"00189087":{"vr":"FD","Value":["NaN","Infinity","-Infinity",2.0]},"00189098":{"vr":"FL","Value":["NaN","-Infinity"]}}"#)
        XCTAssertEqual(issues(elements).count, 5)
    }

    func testAttributeTags() {
        XCTAssertEqual(json([raw(0x0020_9165, .AT, [0x18, 0x00, 0x17, 0x95, 0xE0, 0x7F, 0x10, 0x00])]),
                       #"{"00209165":{"vr":"AT","Value":["00189517","7FE00010"]}}"#)
    }

    // MARK: Binary values

    func testInlineBinary() {
        let elements = [
            raw(0x0042_0011, .OB, [1, 2, 3, 4, 5, 6]),
            raw(0x0066_0016, .OF, [0, 0, 0x80, 0x3F]),
            raw(0x0066_0040, .OL, [1, 0, 0, 0]),
            raw(0x0066_0023, .OW, [1, 0, 2, 0]),
            raw(0x0070_1506, .OD, [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]),
            raw(0x7FE0_0001, .OV, [0, 0, 0, 0, 0, 0, 0, 1]),
            raw(0x0009_1002, .UN, [0xCA, 0xFE, 0xBA]),
        ]
        XCTAssertEqual(json(elements), """
            {"00091002":{"vr":"UN","InlineBinary":"yv66"},\
            "00420011":{"vr":"OB","InlineBinary":"AQIDBAUG"},\
            "00660016":{"vr":"OF","InlineBinary":"AACAPw=="},\
            "00660023":{"vr":"OW","InlineBinary":"AQACAA=="},\
            "00660040":{"vr":"OL","InlineBinary":"AQAAAA=="},\
            "00701506":{"vr":"OD","InlineBinary":"AAAAAAAA8D8="},\
            "7FE00001":{"vr":"OV","InlineBinary":"AAAAAAAAAAE="}}
            """)
    }

    func testBulkDataThreshold() {
        let small = raw(0x0042_0011, .OB, [UInt8](repeating: 7, count: 8))
        let large = raw(0x7FE0_0010, .OW, [UInt8](repeating: 9, count: 10))
        var options = DICOMJSON.EncodeOptions(bulkDataThreshold: 8)
        options.bulkDataURI = { tag, path in "https://example.org/bulk/\(path.description(appending: tag))" }
        XCTAssertEqual(json([small, large], options),
                       #"{"00420011":{"vr":"OB","InlineBinary":"BwcHBwcHBwc="},"7FE00010":{"vr":"OW","BulkDataURI":"https://example.org/bulk/7FE00010"}}"#)
        // Without a closure, or when it answers nil, everything is inline.
        XCTAssertEqual(json([large], DICOMJSON.EncodeOptions(bulkDataThreshold: 0)), #"{"7FE00010":{"vr":"OW","InlineBinary":"CQkJCQkJCQkJCQ=="}}"#)
        options.bulkDataURI = { _, _ in nil }
        XCTAssertEqual(json([large], options), #"{"7FE00010":{"vr":"OW","InlineBinary":"CQkJCQkJCQkJCQ=="}}"#)
        // Only binary VRs are bulk data.
        options.bulkDataURI = { _, _ in "x" }
        options.bulkDataThreshold = 0
        XCTAssertEqual(json([text(0x0040_A160, .UT, "long text")], options), #"{"0040A160":{"vr":"UT","Value":["long text"]}}"#)
        // A negative threshold offers empty values too.
        options.bulkDataThreshold = -1
        XCTAssertEqual(json([raw(0x7FE0_0010, .OW, [])], options), #"{"7FE00010":{"vr":"OW","BulkDataURI":"x"}}"#)
    }

    func testEncapsulatedPixelData() {
        let pixels = DataElement(.pixelData, .OB, .fragments(EncapsulatedPixelData(basicOffsetTable: [0], fragments: [.bytes([1, 2, 3])])))
        // Inline: the item stream (Basic Offset Table item, then the fragment padded to even length).
        let stream: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0, 4, 0, 0, 0, 0, 0, 0, 0, 0xFE, 0xFF, 0x00, 0xE0, 4, 0, 0, 0, 1, 2, 3, 0]
        let inline = #"{"7FE00010":{"vr":"OB","InlineBinary":""# + Data(stream).base64EncodedString() + #""}}"#
        XCTAssertEqual(json([pixels], .init()), inline)
        // Above the threshold, offered to the closure like any other bulk value.
        let options = DICOMJSON.EncodeOptions(bulkDataThreshold: 16, bulkDataURI: { _, _ in "frames" })
        XCTAssertEqual(json([pixels], options), #"{"7FE00010":{"vr":"OB","BulkDataURI":"frames"}}"#)
        let high = DICOMJSON.EncodeOptions(bulkDataThreshold: 1 << 30, bulkDataURI: { _, _ in "frames" })
        XCTAssertEqual(json([pixels], high), inline)
    }

    // MARK: Sequences, private tags, meta

    func testNestedSequencesAndPaths() {
        var inner = DataSet()
        inner.insert(text(0x0008_0100, .SH, "113100"))
        inner.insert(raw(0x7FE0_0010, .OB, [1, 2, 3, 4]))
        var item = DataSet()
        item.insert(text(0x0008_1155, .UI, "1.2.3"))
        item.insert(DataElement(Tag(0x0040_A168), .SQ, .sequence(SequenceValue([DataSet(), inner]))))
        let ds = DataSet([DataElement(Tag(0x0008_1140), .SQ, .sequence(SequenceValue([item, DataSet()])))])
        let options = DICOMJSON.EncodeOptions(bulkDataThreshold: 2, bulkDataURI: { tag, path in path.description(appending: tag) })
        XCTAssertEqual(json(ds, options), """
            {"00081140":{"vr":"SQ","Value":[{"00081155":{"vr":"UI","Value":["1.2.3"]},\
            "0040A168":{"vr":"SQ","Value":[{},{"00080100":{"vr":"SH","Value":["113100"]},\
            "7FE00010":{"vr":"OB","BulkDataURI":"00081140/0/0040A168/1/7FE00010"}}]}},{}]}}
            """)
    }

    func testItemsInheritTheParentCharacterSet() {
        var item = DataSet()
        item.insert(raw(0x0010_0010, .PN, [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72]))
        var ds = DataSet()
        ds.insert(text(0x0008_0005, .CS, "ISO_IR 100"))
        ds.insert(DataElement(Tag(0x0008_1120), .SQ, .sequence(SequenceValue([item]))))
        XCTAssertTrue(json(ds).contains(#"{"Alphabetic":"Müller"}"#))
    }

    func testUNSequenceIsWrittenAsSQ() {
        let e = DataElement(Tag(0x0009_1010), .UN, .sequence(SequenceValue([DataSet([text(0x0008_0100, .SH, "X")])])))
        XCTAssertEqual(json([e]), #"{"00091010":{"vr":"SQ","Value":[{"00080100":{"vr":"SH","Value":["X"]}}]}}"#)
    }

    func testPrivateElementsAndCreators() {
        let elements = [
            text(0x0029_0010, .LO, "CMR TEST CREATOR"),
            text(0x0029_1001, .LO, "private text"),
            raw(0x0029_1002, .UN, [0xCA, 0xFE]),
            raw(0x0029_1003, .US, [7, 0]),
        ]
        XCTAssertEqual(json(elements), """
            {"00290010":{"vr":"LO","Value":["CMR TEST CREATOR"]},"00291001":{"vr":"LO","Value":["private text"]},\
            "00291002":{"vr":"UN","InlineBinary":"yv4="},"00291003":{"vr":"US","Value":[7]}}
            """)
    }

    func testGroupLengthsAndMeta() {
        let elements = [
            raw(0x0002_0000, .UL, [10, 0, 0, 0]),
            text(0x0002_0010, .UI, "1.2.840.10008.1.2.1"),
            raw(0x0008_0000, .UL, [10, 0, 0, 0]),
            text(0x0008_0060, .CS, "CT"),
        ]
        XCTAssertEqual(json(elements), #"{"00080060":{"vr":"CS","Value":["CT"]}}"#)
        XCTAssertEqual(json(elements, .init(includeMeta: true)),
                       #"{"00020010":{"vr":"UI","Value":["1.2.840.10008.1.2.1"]},"00080060":{"vr":"CS","Value":["CT"]}}"#)

        let file = DICOMFile(meta: DataSet([text(0x0002_0010, .UI, "1.2.840.10008.1.2")]),
                             dataSet: DataSet([text(0x0008_0060, .CS, "MR")]), transferSyntax: .explicitVRLittleEndian)
        XCTAssertEqual(String(decoding: DICOMJSON.encode(file), as: UTF8.self), #"{"00080060":{"vr":"CS","Value":["MR"]}}"#)
        XCTAssertEqual(String(decoding: DICOMJSON.encode(file, options: .init(includeMeta: true)), as: UTF8.self),
                       #"{"00020010":{"vr":"UI","Value":["1.2.840.10008.1.2"]},"00080060":{"vr":"CS","Value":["MR"]}}"#)
    }

    func testKeysAscend() {
        let ds = TestData.everyVR()
        let object = String(decoding: DICOMJSON.encode(ds), as: UTF8.self)
        // Top-level keys in text order.
        let parsed = try! JSONSerialization.jsonObject(with: Data(object.utf8)) as! [String: Any]
        XCTAssertEqual(parsed.count, ds.filter { !$0.tag.isGroupLength }.count)
        var keys: [String] = []
        var depth = 0
        var i = object.startIndex
        while i < object.endIndex {
            let c = object[i]
            if c == "{" || c == "[" { depth += 1 }
            if c == "}" || c == "]" { depth -= 1 }
            if c == "\"" && depth == 1 { // at depth 1 only member names are strings
                let end = object[object.index(after: i)...].firstIndex(of: "\"")!
                keys.append(String(object[object.index(after: i)..<end]))
                i = end
            }
            i = object.index(after: i)
        }
        XCTAssertEqual(keys, keys.sorted())
        XCTAssertEqual(Set(keys), Set(parsed.keys))
    }

    // MARK: Layout

    func testPrettyLayout() {
        let ds = DataSet([
            text(0x0008_0008, .CS, "A\\B"),
            raw(0x0008_0016, .UI, []),
            DataElement(Tag(0x0008_1140), .SQ, .sequence(SequenceValue([DataSet(), DataSet([text(0x0008_1155, .UI, "1.2")])]))),
            text(0x0010_0010, .PN, "Doe^Jane"),
        ])
        XCTAssertEqual(json(ds, .init(pretty: true)), """
            {
              "00080008": {
                "vr": "CS",
                "Value": [
                  "A",
                  "B"
                ]
              },
              "00080016": {
                "vr": "UI"
              },
              "00081140": {
                "vr": "SQ",
                "Value": [
                  {},
                  {
                    "00081155": {
                      "vr": "UI",
                      "Value": [
                        "1.2"
                      ]
                    }
                  }
                ]
              },
              "00100010": {
                "vr": "PN",
                "Value": [
                  {
                    "Alphabetic": "Doe^Jane"
                  }
                ]
              }
            }
            """)
        XCTAssertEqual(json(DataSet(), .init(pretty: true)), "{}")
        XCTAssertEqual(json(DataSet()), "{}")
    }

    func testPrettyAndCompactParseTheSame() throws {
        let ds = TestData.everyVR()
        let compact = try JSONSerialization.jsonObject(with: Data(DICOMJSON.encode(ds))) as! NSDictionary
        let pretty = try JSONSerialization.jsonObject(with: Data(DICOMJSON.encode(ds, options: .init(pretty: true)))) as! NSDictionary
        XCTAssertEqual(compact, pretty)
    }

    // MARK: Base64

    func testBase64RoundTripsEveryLength() {
        for n in 0..<70 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let encoded = DICOMJSON.Base64.encode(bytes)
            XCTAssertEqual(encoded, Data(bytes).base64EncodedString(), "length \(n)")
            XCTAssertEqual(DICOMJSON.Base64.decode(encoded), bytes, "length \(n)")
        }
        XCTAssertEqual(DICOMJSON.Base64.decode("AQID\nBA"), [1, 2, 3, 4])
        XCTAssertNil(DICOMJSON.Base64.decode("AQ*D"))
        XCTAssertNil(DICOMJSON.Base64.decode("A"))
        XCTAssertNil(DICOMJSON.Base64.decode("AQ==AQ"))
    }
}
