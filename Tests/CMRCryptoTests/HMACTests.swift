import XCTest
@testable import CMRCrypto

/// HMAC-SHA256 and HMAC-SHA512 against RFC 4231.
final class HMACTests: XCTestCase {
    struct Vector: Decodable {
        let `case`: Int
        let key: String
        let data: String
        let hmacSHA256: String
        let hmacSHA512: String
        let truncatedTo: Int?
    }

    func testRFC4231() throws {
        let vectors = try VectorFile.load("hmac-rfc4231.json", as: Vector.self)
        XCTAssertEqual(vectors.map(\.case), Array(1...7))
        for vector in vectors {
            let key = bytes(hex: vector.key)
            let data = bytes(hex: vector.data)
            var mac256 = HMAC<SHA256>.authenticationCode(for: data, key: key)
            var mac512 = HMAC<SHA512>.authenticationCode(for: data, key: key)
            XCTAssertEqual(mac256.count, 32)
            XCTAssertEqual(mac512.count, 64)
            if let truncatedTo = vector.truncatedTo {
                mac256 = Array(mac256.prefix(truncatedTo))
                mac512 = Array(mac512.prefix(truncatedTo))
            } else {
                XCTAssertTrue(HMAC<SHA256>.isValidAuthenticationCode(bytes(hex: vector.hmacSHA256), for: data, key: key))
                XCTAssertTrue(HMAC<SHA512>.isValidAuthenticationCode(bytes(hex: vector.hmacSHA512), for: data, key: key))
            }
            XCTAssertEqual(Hex.encode(mac256), vector.hmacSHA256, "case \(vector.case)")
            XCTAssertEqual(Hex.encode(mac512), vector.hmacSHA512, "case \(vector.case)")
        }
    }

    func testStreamingEqualsOneShot() throws {
        let vectors = try VectorFile.load("hmac-rfc4231.json", as: Vector.self)
        for vector in vectors {
            let key = bytes(hex: vector.key)
            let data = bytes(hex: vector.data)
            var mac = HMAC<SHA512>(key: key)
            for byte in data {
                mac.update([byte])
            }
            let expected = HMAC<SHA512>.authenticationCode(for: data, key: key)
            XCTAssertEqual(mac.finalize(), expected)
            XCTAssertEqual(mac.finalize(), expected, "finalize leaves the state as it was")
        }
    }

    func testRefusesWrongAndTruncatedCodes() {
        let key = Array("key".utf8)
        let message = Array("message".utf8)
        var code = HMAC<SHA256>.authenticationCode(for: message, key: key)
        XCTAssertTrue(HMAC<SHA256>.isValidAuthenticationCode(code, for: message, key: key))
        XCTAssertFalse(HMAC<SHA256>.isValidAuthenticationCode(code.prefix(16), for: message, key: key))
        XCTAssertFalse(HMAC<SHA256>.isValidAuthenticationCode(code, for: message + [0], key: key))
        code[31] ^= 1
        XCTAssertFalse(HMAC<SHA256>.isValidAuthenticationCode(code, for: message, key: key))
    }

    /// A key exactly one block long is used as is; one byte longer is hashed first.
    func testKeysAtTheBlockSize() {
        let message = Array("block".utf8)
        for length in [63, 64, 65, 127, 128, 129] {
            let key = [UInt8](repeating: 0x42, count: length)
            let viaHashedKey = HMAC<SHA256>.authenticationCode(for: message, key: SHA256.hash(key))
            let direct = HMAC<SHA256>.authenticationCode(for: message, key: key)
            XCTAssertEqual(direct == viaHashedKey, length > 64, "SHA-256 key length \(length)")
            let viaHashedKey512 = HMAC<SHA512>.authenticationCode(for: message, key: SHA512.hash(key))
            let direct512 = HMAC<SHA512>.authenticationCode(for: message, key: key)
            XCTAssertEqual(direct512 == viaHashedKey512, length > 128, "SHA-512 key length \(length)")
        }
    }
}
