import XCTest
@testable import CMRCrypto

/// Ed25519 against RFC 8032 §7.1, and the public API's round trips.
final class Ed25519Tests: XCTestCase {
    struct Vector: Decodable {
        let name: String
        let secretKey: String
        let publicKey: String
        let message: String
        let signature: String
    }

    func testRFC8032Section7_1() throws {
        let vectors = try VectorFile.load("ed25519-rfc8032.json", as: Vector.self)
        XCTAssertEqual(vectors.map(\.name), ["TEST 1", "TEST 2", "TEST 3", "TEST 1024", "TEST SHA(abc)"])
        for vector in vectors {
            let key = try Ed25519.PrivateKey(seed: bytes(hex: vector.secretKey))
            let message = bytes(hex: vector.message)
            XCTAssertEqual(Hex.encode(key.publicKey.rawRepresentation), vector.publicKey, vector.name)
            XCTAssertEqual(Hex.encode(key.signature(for: message)), vector.signature, vector.name)

            let publicKey = try Ed25519.PublicKey(rawRepresentation: bytes(hex: vector.publicKey))
            XCTAssertEqual(publicKey, key.publicKey)
            XCTAssertTrue(publicKey.isValidSignature(bytes(hex: vector.signature), for: message), vector.name)
            XCTAssertTrue(
                Ed25519.isValidSignature(
                    bytes(hex: vector.signature), for: message, publicKey: bytes(hex: vector.publicKey)),
                vector.name)
        }
        let abc = try XCTUnwrap(vectors.last)
        XCTAssertEqual(bytes(hex: abc.message), SHA512.hash(Array("abc".utf8)))
    }

    func testRandomKeysRoundTrip() throws {
        for length in [0, 1, 31, 32, 64, 127, 128, 1000] {
            let key = try Ed25519.PrivateKey()
            let message = try SecureRandom.bytes(count: length)
            let signature = key.signature(for: message)
            XCTAssertEqual(signature.count, Ed25519.signatureSize)
            XCTAssertTrue(key.publicKey.isValidSignature(signature, for: message))
            XCTAssertEqual(signature, key.signature(for: message), "signing is deterministic")
            let again = try Ed25519.PrivateKey(seed: key.seed)
            XCTAssertEqual(again.publicKey, key.publicKey)
        }
    }

    func testKeysFromDifferentSeedsDiffer() throws {
        let first = try Ed25519.PrivateKey()
        let second = try Ed25519.PrivateKey()
        XCTAssertNotEqual(first.seed, second.seed)
        XCTAssertNotEqual(first.publicKey, second.publicKey)
        XCTAssertFalse(second.publicKey.isValidSignature(first.signature(for: [1, 2, 3]), for: [1, 2, 3]))
    }

    func testWrongLengthsThrow() {
        XCTAssertThrowsError(try Ed25519.PrivateKey(seed: [UInt8](repeating: 1, count: 31))) {
            XCTAssertEqual($0 as? CryptoError, .invalidLength(what: "Ed25519 seed", expected: 32, actual: 31))
        }
        XCTAssertThrowsError(try Ed25519.PublicKey(rawRepresentation: [UInt8](repeating: 1, count: 33))) {
            XCTAssertEqual($0 as? CryptoError, .invalidLength(what: "Ed25519 public key", expected: 32, actual: 33))
        }
    }

    func testDescriptionDoesNotShowTheSeed() throws {
        let key = try Ed25519.PrivateKey(seed: [UInt8](repeating: 0xAB, count: 32))
        XCTAssertFalse(key.description.contains(Hex.encode(key.seed)))
        XCTAssertTrue(key.description.contains(Hex.encode(key.publicKey.rawRepresentation)))
    }

    func testSigningAcceptsAnyCollection() throws {
        let key = try Ed25519.PrivateKey(seed: [UInt8](repeating: 7, count: 32))
        let text = "a message in a string"
        let expected = key.signature(for: Array(text.utf8))
        XCTAssertEqual(key.signature(for: text.utf8), expected)
        XCTAssertEqual(key.signature(for: text.utf8.lazy.map { $0 }), expected)
        XCTAssertTrue(key.publicKey.isValidSignature(expected[...], for: text.utf8))
    }
}
