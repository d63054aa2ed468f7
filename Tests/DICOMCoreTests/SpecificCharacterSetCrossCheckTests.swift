import DICOMDictionary
import Foundation
import XCTest

@testable import DICOMCore

/// Decoding checked against Python's codecs: `CharsetVectors/python-codecs.json`, written by
/// `scripts/generate-charsets`, holds bytes Python encoded (ISO 2022 escapes composed by the script)
/// with the text Python decodes them to.
extension SpecificCharacterSetTests {
    struct Vector: Decodable {
        let terms: [String]
        let vr: String
        let hex: String
        let text: String
        let note: String
    }

    static let vectors: [Vector] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("CharsetVectors/python-codecs.json")
        guard let data = try? Data(contentsOf: url),
            let vectors = try? JSONDecoder().decode([Vector].self, from: data)
        else { return [] }
        return vectors
    }()

    func testDecodingMatchesPythonCodecs() throws {
        let vectors = Self.vectors
        XCTAssertGreaterThan(vectors.count, 250, "CharsetVectors/python-codecs.json missing or short")
        var notes: [String: Int] = [:]
        for (number, vector) in vectors.enumerated() {
            let vr = try XCTUnwrap(VR(rawValue: vector.vr))
            let charset = SpecificCharacterSet(terms: vector.terms)
            XCTAssertFalse(charset.hasIssues, "\(vector.terms)")
            let encoded = hex(vector.hex)
            let decoded = charset.decode(encoded, vr: vr)
            XCTAssertEqual(decoded, vector.text, "vector \(number) (\(vector.note), \(vector.terms))")
            if decoded != vector.text {
                let got = decoded.unicodeScalars.map { String($0.value, radix: 16) }
                let want = vector.text.unicodeScalars.map { String($0.value, radix: 16) }
                XCTFail("vector \(number): got \(got.prefix(40)), want \(want.prefix(40))")
            }
            notes[vector.note, default: 0] += 1
        }
        XCTAssertGreaterThanOrEqual(notes.count, 20)
    }

    func testEncodingMatchesPythonCodecs() throws {
        for (number, vector) in Self.vectors.enumerated() where vector.note.hasPrefix("random") {
            let vr = try XCTUnwrap(VR(rawValue: vector.vr))
            let charset = SpecificCharacterSet(terms: vector.terms)
            guard let encoded = charset.encode(vector.text, vr: vr) else {
                XCTFail("vector \(number) (\(vector.note)) does not encode")
                continue
            }
            if vector.note == "random iso 2022" {
                // The escape sequences may differ (the encoder keeps sets designated); the text may not.
                XCTAssertEqual(charset.decode(encoded, vr: vr), vector.text, "vector \(number)")
            } else {
                XCTAssertEqual(encoded, hex(vector.hex), "vector \(number) (\(vector.note))")
            }
        }
    }
}
