import XCTest
@testable import CMRAudit

final class CanonicalJSONTests: XCTestCase {
    func text(_ value: CanonicalJSON.Value) -> String { String(decoding: CanonicalJSON.encode(value), as: UTF8.self) }

    func testKeysSortedByUTF8BytesNoWhitespace() {
        let value: CanonicalJSON.Value = .object([
            "b": .unsigned(1), "a": .array([.unsigned(0), .negative(-5), .bool(true)]), "B": .string("x"),
            "é": .string(""), "aa": .object([:]),
        ])
        XCTAssertEqual(text(value), #"{"B":"x","a":[0,-5,true],"aa":{},"b":1,"é":""}"#)
    }

    func testMinimalEscaping() {
        let value: CanonicalJSON.Value = .string("q\"b\\s/\u{08}\u{09}\u{0A}\u{0C}\u{0D}\u{01}\u{1F}\u{7F}é😀")
        XCTAssertEqual(text(value), "\"q\\\"b\\\\s/\\b\\t\\n\\f\\r\\u0001\\u001f\u{7F}é😀\"")
        XCTAssertEqual(try CanonicalJSON.parse(CanonicalJSON.encode(value)), value)
    }

    func testIntegers() {
        XCTAssertEqual(text(.unsigned(UInt64.max)), "18446744073709551615")
        XCTAssertEqual(text(.negative(Int64.min)), "-9223372036854775808")
        XCTAssertEqual(try CanonicalJSON.parse(Array("18446744073709551615".utf8)), .unsigned(UInt64.max))
        XCTAssertEqual(try CanonicalJSON.parse(Array("-9223372036854775808".utf8)), .negative(Int64.min))
    }

    func testRejectsNonCanonical() {
        let rejected = [
            #"{"b":1,"a":2}"#, #"{"a":1,"a":2}"#, #"{"a": 1}"#, #" {"a":1}"#, #"{"a":1} "#, "1.0", "1e3", "-0", "01",
            "+1", "null", #""\/""#, #""\u0041""#, #""\u000a""#, #""\u001F""#, "\"\u{01}\"", #""\x""#,
            "18446744073709551616", "[1,]", "{}{}", "",
        ]
        for text in rejected {
            XCTAssertThrowsError(try CanonicalJSON.parse(Array(text.utf8)), text)
        }
        XCTAssertThrowsError(try CanonicalJSON.parse([0x22, 0xC3, 0x28, 0x22]), "invalid UTF-8")
    }

    func testRoundTripsAccepted() throws {
        for text in [#"{"":[],"a":{"b":[1,-2,"c"]}}"#, "0", "true", "[]", #""é\u0000""#] {
            let value = try CanonicalJSON.parse(Array(text.utf8))
            XCTAssertEqual(self.text(value), text)
        }
    }

    func testTime() {
        XCTAssertEqual(AuditTime.format(milliseconds: 0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(AuditTime.format(milliseconds: 1_795_934_400_123), "2026-11-29T06:40:00.123Z")
        XCTAssertEqual(AuditTime.parse("2026-11-29T06:40:00.123Z"), 1_795_934_400_123)
        XCTAssertEqual(AuditTime.parse("2000-02-29T23:59:59.999Z"), 951_868_799_999)
        XCTAssertNil(AuditTime.parse("2001-02-29T00:00:00.000Z"))
        XCTAssertNil(AuditTime.parse("2026-11-29T06:40:00Z"))
        for ms: Int64 in [-1, 86_399_999, 4_102_444_800_000, 1_700_000_000_001] {
            XCTAssertEqual(AuditTime.parse(AuditTime.format(milliseconds: ms)), ms)
        }
    }
}
