import XCTest
@testable import CMRCrypto

/// Signatures and keys verification must refuse (RFC 8032 §5.1.7 and §5.1.3).
final class Ed25519RejectionTests: XCTestCase {
    /// RFC 8032 TEST 2.
    let seed = bytes(hex: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
    let message: [UInt8] = [0x72]

    /// ℓ, little-endian.
    let order = bytes(hex: "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")

    /// The clamped secret scalar of `seed`, which lets the tests build signatures by hand.
    var secretScalar: Scalar {
        var digest = Array(SHA512.hash(seed)[0..<32])
        digest[0] &= 248
        digest[31] &= 127
        digest[31] |= 64
        return Scalar(bytes: digest)
    }

    func testAcceptsTheUntamperedSignature() throws {
        let key = try Ed25519.PrivateKey(seed: seed)
        XCTAssertTrue(key.publicKey.isValidSignature(key.signature(for: message), for: message))
    }

    /// S + ℓ satisfies the group equation as well as S does; a verifier that reduces S would
    /// accept it (signature malleability).
    func testRejectsSNotBelowOrder() throws {
        let key = try Ed25519.PrivateKey(seed: seed)
        let signature = key.signature(for: message)
        let s = Array(signature[32...])
        var sum = [UInt8](repeating: 0, count: 32)
        var carry = 0
        for index in 0..<32 {
            let total = Int(s[index]) + Int(order[index]) + carry
            sum[index] = UInt8(total & 0xFF)
            carry = total >> 8
        }
        XCTAssertEqual(carry, 0)
        XCTAssertFalse(key.publicKey.isValidSignature(Array(signature[0..<32]) + sum, for: message))
        XCTAssertFalse(key.publicKey.isValidSignature(Array(signature[0..<32]) + order, for: message), "S = ℓ")
        var high = signature
        high[63] |= 0xE0
        XCTAssertFalse(key.publicKey.isValidSignature(high, for: message), "top bits of S set")
    }

    func testScalarCanonicalBoundary() {
        var belowOrder = order
        belowOrder[0] -= 1
        XCTAssertTrue(Scalar.isCanonical(belowOrder))
        XCTAssertFalse(Scalar.isCanonical(order))
        XCTAssertTrue(Scalar.isCanonical([UInt8](repeating: 0, count: 32)))
        XCTAssertFalse(Scalar.isCanonical([UInt8](repeating: 0xFF, count: 32)))
    }

    /// A signature with nonce point R, built from the known secret: S = r + k·s.
    func signature(r: Scalar, encodedR: [UInt8], publicKey: [UInt8]) -> [UInt8] {
        let k = Ed25519.hashToScalar(encodedR, publicKey, message: message)
        return encodedR + Scalar.multiplyAdd(k, secretScalar, r).encoded
    }

    /// R = the neutral element (r = 0) written three ways: canonically (accepted, which shows the
    /// construction is sound), with y = p + 1, and with x = 0 but the sign bit set. A verifier
    /// that decodes R and compares points would accept all three.
    func testRejectsNonCanonicalR() throws {
        let key = try Ed25519.PrivateKey(seed: seed)
        let publicKey = key.publicKey.rawRepresentation
        let zero = Scalar(bytes: [UInt8](repeating: 0, count: 32))

        let canonical = bytes(hex: "0100000000000000000000000000000000000000000000000000000000000000")
        XCTAssertTrue(key.publicKey.isValidSignature(
            signature(r: zero, encodedR: canonical, publicKey: publicKey), for: message))

        let yPlusP = bytes(hex: "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
        XCTAssertFalse(key.publicKey.isValidSignature(
            signature(r: zero, encodedR: yPlusP, publicKey: publicKey), for: message))

        let negativeZero = bytes(hex: "0100000000000000000000000000000000000000000000000000000000000080")
        XCTAssertFalse(key.publicKey.isValidSignature(
            signature(r: zero, encodedR: negativeZero, publicKey: publicKey), for: message))
    }

    /// A valid signature whose R bytes are replaced by y = 2²⁵⁵ − 1 (≥ p).
    func testRejectsRWithYAtLeastP() throws {
        let key = try Ed25519.PrivateKey(seed: seed)
        var signature = key.signature(for: message)
        for index in 0..<31 { signature[index] = 0xFF }
        signature[31] = 0x7F
        XCTAssertFalse(key.publicKey.isValidSignature(signature, for: message))
    }

    func testRejectsNonCanonicalPublicKeys() {
        let cases = [
            ("y = p (≡ 0, on the curve)", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            ("y = p + 1 (≡ 1, the neutral element)", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            ("y = p + 3 (≡ 3, on the curve)", "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            ("y = 2²⁵⁵ − 1 with the sign bit", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
            ("x = 0 with the sign bit set", "0100000000000000000000000000000000000000000000000000000000000080"),
            ("y = 2, not on the curve", "0200000000000000000000000000000000000000000000000000000000000000"),
        ]
        for (name, hex) in cases {
            XCTAssertThrowsError(try Ed25519.PublicKey(rawRepresentation: bytes(hex: hex)), name) {
                XCTAssertEqual($0 as? CryptoError, .invalidPublicKey, name)
            }
        }
    }

    /// A key encoded as y = p (≡ 0): the point (±√−1, 0) of order 4. When 4 divides k,
    /// [S]B − [k]A = [S]B, so S = r, R = [r]B passes a verifier that reduces y; it must not pass here.
    /// The same construction under the canonical encoding (y = 0) is accepted, which shows it is sound
    /// (small-order keys are not singled out: see the module README).
    func testRejectsNonCanonicalPublicKeyInVerification() {
        let canonical = bytes(hex: "0000000000000000000000000000000000000000000000000000000000000000")
        let nonCanonical = bytes(hex: "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
        XCTAssertTrue(Ed25519.isValidSignature(signatureWithKMultipleOfFour(canonical), for: message, publicKey: canonical))
        XCTAssertFalse(Ed25519.isValidSignature(signatureWithKMultipleOfFour(nonCanonical), for: message, publicKey: nonCanonical))
    }

    private func signatureWithKMultipleOfFour(_ publicKey: [UInt8]) -> [UInt8] {
        var generator = SplitMix64(seed: 4)
        while true {
            let r = Scalar(reducing: generator.bytes(64))
            let encodedR = EdwardsPoint.multiplyBase(r.encoded).encoded
            let k = Ed25519.hashToScalar(encodedR, publicKey, message: message)
            if k.encoded[0] & 3 == 0 {
                return encodedR + r.encoded
            }
        }
    }

    func testRejectsWrongMessage() throws {
        let key = try Ed25519.PrivateKey(seed: seed)
        let signature = key.signature(for: message)
        XCTAssertFalse(key.publicKey.isValidSignature(signature, for: [0x73]))
        XCTAssertFalse(key.publicKey.isValidSignature(signature, for: []))
        XCTAssertFalse(key.publicKey.isValidSignature(signature, for: message + [0]))
    }

    func testRejectsEveryFlippedBit() throws {
        let key = try Ed25519.PrivateKey(seed: seed)
        let signature = key.signature(for: message)
        for bit in 0..<512 {
            var flipped = signature
            flipped[bit / 8] ^= 1 << (bit % 8)
            XCTAssertFalse(key.publicKey.isValidSignature(flipped, for: message), "signature bit \(bit)")
        }
        for bit in 0..<8 {
            XCTAssertFalse(key.publicKey.isValidSignature(signature, for: [message[0] ^ 1 << bit]), "message bit \(bit)")
        }
        let publicKey = key.publicKey.rawRepresentation
        for bit in 0..<256 {
            var flipped = publicKey
            flipped[bit / 8] ^= 1 << (bit % 8)
            XCTAssertFalse(Ed25519.isValidSignature(signature, for: message, publicKey: flipped), "key bit \(bit)")
        }
    }

    func testRejectsWrongLengths() throws {
        let key = try Ed25519.PrivateKey(seed: seed)
        let signature = key.signature(for: message)
        XCTAssertFalse(key.publicKey.isValidSignature(signature.dropLast(), for: message))
        XCTAssertFalse(key.publicKey.isValidSignature(signature + [0], for: message))
        XCTAssertFalse(key.publicKey.isValidSignature([], for: message))
        XCTAssertFalse(Ed25519.isValidSignature(signature, for: message, publicKey: key.publicKey.rawRepresentation.dropLast()))
    }
}
