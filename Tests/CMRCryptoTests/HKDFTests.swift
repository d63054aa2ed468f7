import XCTest
@testable import CMRCrypto

/// HKDF-SHA256 against RFC 5869.
final class HKDFTests: XCTestCase {
    struct Vector: Decodable {
        let `case`: Int
        let ikm: String
        let salt: String
        let info: String
        let length: Int
        let prk: String
        let okm: String
    }

    func testRFC5869() throws {
        let vectors = try VectorFile.load("hkdf-rfc5869.json", as: Vector.self)
        XCTAssertEqual(vectors.map(\.case), [1, 2, 3])
        for vector in vectors {
            let ikm = bytes(hex: vector.ikm)
            let salt = bytes(hex: vector.salt)
            let info = bytes(hex: vector.info)
            let prk = HKDF<SHA256>.extract(salt: salt, inputKeyMaterial: ikm)
            XCTAssertEqual(Hex.encode(prk), vector.prk, "case \(vector.case)")
            let okm = try HKDF<SHA256>.expand(pseudoRandomKey: prk, info: info, outputByteCount: vector.length)
            XCTAssertEqual(Hex.encode(okm), vector.okm, "case \(vector.case)")
            let derived = try HKDF<SHA256>.derive(
                inputKeyMaterial: ikm, salt: salt, info: info, outputByteCount: vector.length)
            XCTAssertEqual(derived, okm, "case \(vector.case)")
        }
    }

    /// An empty salt is a string of HashLen zeros (RFC 5869 §2.2).
    func testEmptySaltIsZeros() {
        let ikm = Array("input".utf8)
        XCTAssertEqual(
            HKDF<SHA256>.extract(salt: [], inputKeyMaterial: ikm),
            HKDF<SHA256>.extract(salt: [UInt8](repeating: 0, count: 32), inputKeyMaterial: ikm))
    }

    func testOutputLengths() throws {
        let prk = HKDF<SHA512>.extract(salt: Array("salt".utf8), inputKeyMaterial: Array("ikm".utf8))
        let longest = try HKDF<SHA512>.expand(pseudoRandomKey: prk, info: [], outputByteCount: 255 * 64)
        XCTAssertEqual(longest.count, 255 * 64)
        for length in [0, 1, 63, 64, 65, 1000] {
            let output = try HKDF<SHA512>.expand(pseudoRandomKey: prk, info: [], outputByteCount: length)
            XCTAssertEqual(output, Array(longest.prefix(length)), "a shorter output is a prefix of a longer one")
        }
        XCTAssertThrowsError(try HKDF<SHA256>.expand(pseudoRandomKey: prk, info: [], outputByteCount: 255 * 32 + 1)) {
            XCTAssertEqual($0 as? CryptoError, .outputTooLong(requested: 8161, maximum: 8160))
        }
    }
}
