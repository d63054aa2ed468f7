import CMRAudit
import CMRCrypto
import Foundation
import XCTest
@testable import CMRShare

/// PASETO v4.public: the published vectors, then cmr's grant tokens and every way they are refused.
final class TokenTests: XCTestCase {
    // MARK: PASETO v4.public vectors

    func testPublishedVectorsSignAndVerifyByteForByte() throws {
        for vector in TokenVectors.all where !vector.expectFail {
            let secret = try Hex.decode(vector.secretKey)
            let key = try Ed25519.PrivateKey(seed: secret[0..<32])
            XCTAssertEqual(Hex.encode(key.publicKey.rawRepresentation), vector.publicKey, vector.name)
            let message = Array(try XCTUnwrap(vector.payload).utf8)
            let token = PASETOv4Public.sign(message: message, footer: Array(vector.footer.utf8),
                                            implicit: Array(vector.implicitAssertion.utf8), key: key)
            XCTAssertEqual(token, vector.token, vector.name)
            let verified = try PASETOv4Public.verify(vector.token, expectedFooter: Array(vector.footer.utf8),
                                                     implicit: Array(vector.implicitAssertion.utf8), key: key.publicKey)
            XCTAssertEqual(verified.message, message, vector.name)
            XCTAssertEqual(verified.footer, Array(vector.footer.utf8), vector.name)
            // The implicit assertion is bound: another one fails.
            XCTAssertThrowsError(try PASETOv4Public.verify(vector.token, implicit: Array("other".utf8), key: key.publicKey), vector.name)
        }
    }

    func testPublishedFailureVectorsAreRefused() throws {
        let key = try Ed25519.PublicKey(rawRepresentation: Hex.decode(TokenVectors.publicKey))
        for vector in TokenVectors.all where vector.expectFail {
            XCTAssertThrowsError(try PASETOv4Public.verify(vector.token, implicit: Array(vector.implicitAssertion.utf8), key: key),
                                 vector.name)
        }
    }

    func testPAEOfCommonMd() {
        // Common.md §2.2.1: PAE([]) and PAE([""]) and PAE(["test"]).
        XCTAssertEqual(Hex.encode(PASETOv4Public.preAuthenticationEncoding([])), "0000000000000000")
        XCTAssertEqual(Hex.encode(PASETOv4Public.preAuthenticationEncoding([[]])), "01000000000000000000000000000000")
        XCTAssertEqual(Hex.encode(PASETOv4Public.preAuthenticationEncoding([Array("test".utf8)])),
                       "0100000000000000040000000000000074657374")
    }

    func testBase64URLIsStrict() {
        for bytes: [UInt8] in [[], [0], [0, 1], [0, 1, 2], [0xFB, 0xFF], Array(0...255)] {
            XCTAssertEqual(Base64URL.decode(Base64URL.encode(bytes)), bytes)
        }
        XCTAssertEqual(Base64URL.encode([0xFB, 0xFF]), "-_8")
        XCTAssertNil(Base64URL.decode("AA=="), "padding")
        XCTAssertNil(Base64URL.decode("+/8"), "standard alphabet")
        XCTAssertNil(Base64URL.decode("AB"), "non-zero unused bits")
        XCTAssertNil(Base64URL.decode("A"), "impossible length")
        XCTAssertNil(Base64URL.decode("AA A"), "whitespace")
    }

    // MARK: Grant tokens

    let signer = try! NoteSigner(name: "example.org/cmr-share",
                                 privateKey: Ed25519.PrivateKey(seed: [UInt8](repeating: 7, count: 32)))
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func grant(scope: ShareGrant.Scope = .view, series: [String] = []) -> ShareGrant {
        ShareGrant(id: "0123456789abcdef0123456789abcdef", issuer: "ignored", recipient: "dr.b@example.org",
                   studyUID: "1.2.826.0.1.3680043.8.498.1", seriesUIDs: series, scope: scope,
                   notBefore: now.addingTimeInterval(-60), expires: now.addingTimeInterval(3600), maxUses: 5,
                   mode: "deidentified", note: "kept out of the token", issuedAt: now.addingTimeInterval(-60))
    }

    func refusal(_ body: () throws -> Void) -> GrantRefusal? {
        do { try body() } catch let refusal as GrantRefusal { return refusal } catch { XCTFail("\(error)") }
        return nil
    }

    func testRoundTrip() throws {
        let token = ShareToken.issue(grant(series: ["1.2.3"]), signer: signer)
        XCTAssertTrue(token.hasPrefix("v4.public."))
        var expected = grant(series: ["1.2.3"])
        expected.issuer = signer.name
        expected.note = nil
        XCTAssertEqual(try ShareToken.verify(token, keys: [signer.verifier], now: now), expected)
        // The claims and the footer as documented.
        let parts = try PASETOv4Public.parts(of: token)
        let claims = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(parts.message)) as? [String: Any])
        XCTAssertEqual(Set(claims.keys), ["iss", "sub", "jti", "iat", "nbf", "exp", "study", "series", "scope", "mode", "max"])
        XCTAssertEqual(claims["exp"] as? String, "2027-01-15T09:00:00Z")
        XCTAssertEqual(claims["iss"] as? String, "example.org/cmr-share")
        XCTAssertEqual(String(decoding: parts.footer, as: UTF8.self),
                       #"{"kid":"\#(signer.name)+\#(Hex.encode(signer.verifier.keyID))"}"#)
        XCTAssertFalse(String(decoding: parts.message, as: UTF8.self).contains("alg"), "no algorithm field")
    }

    func testEachRefusalHasItsOwnReason() throws {
        let token = ShareToken.issue(grant(), signer: signer)
        let keys = [signer.verifier]
        XCTAssertEqual(refusal { _ = try ShareToken.verify(token, keys: keys, now: self.now.addingTimeInterval(-120)) }?.reason, "not-yet-valid")
        XCTAssertEqual(refusal { _ = try ShareToken.verify(token, keys: keys, now: self.now.addingTimeInterval(3600)) }?.reason, "expired")
        XCTAssertEqual(refusal { _ = try ShareToken.verify(token, keys: keys, now: self.now, revoked: { _ in self.now }) }?.reason, "revoked")
        let other = try NoteSigner(name: signer.name, privateKey: Ed25519.PrivateKey(seed: [UInt8](repeating: 8, count: 32)))
        XCTAssertEqual(refusal { _ = try ShareToken.verify(token, keys: [other.verifier], now: self.now) }?.reason, "unknown-key",
                       "same name, other key: another key id")
        XCTAssertEqual(refusal { _ = try ShareToken.verify("v2.public.AAAA", keys: keys, now: self.now) }?.reason, "malformed")
        // Signed by another key that claims this key's id in its footer.
        let forged = PASETOv4Public.sign(message: try PASETOv4Public.parts(of: token).message,
                                         footer: try PASETOv4Public.parts(of: token).footer, key: other.privateKey)
        XCTAssertEqual(refusal { _ = try ShareToken.verify(forged, keys: keys, now: self.now) }, .badSignature)
        // A token whose issuer claim is not the key's name.
        var claims = ShareToken.Claims(grant(), issuer: "someone-else")
        claims.iss = "someone-else"
        let misnamed = PASETOv4Public.sign(message: ShareToken.encode(claims),
                                           footer: ShareToken.encode(ShareToken.Footer(kid: ShareToken.keyID(of: signer.verifier))),
                                           key: signer.privateKey)
        XCTAssertEqual(refusal { _ = try ShareToken.verify(misnamed, keys: keys, now: self.now) }?.reason, "unknown-key")
        // Uses exhausted and out of scope come from the store and authorize.
        XCTAssertEqual(GrantRefusal.usesExhausted(5).reason, "uses-exhausted")
    }

    func testTamperedPayloadFooterAndSignatureAreRefused() throws {
        let token = ShareToken.issue(grant(), signer: signer)
        let parts = try PASETOv4Public.parts(of: token)
        func assemble(message: [UInt8], signature: [UInt8], footer: [UInt8]) -> String {
            "v4.public." + Base64URL.encode(message + signature) + "." + Base64URL.encode(footer)
        }
        let download = Array(String(decoding: parts.message, as: UTF8.self)
            .replacingOccurrences(of: #""scope":"view""#, with: #""scope":"download""#).utf8)
        XCTAssertNotEqual(download, parts.message)
        XCTAssertEqual(refusal { _ = try ShareToken.verify(assemble(message: download, signature: parts.signature, footer: parts.footer),
                                                           keys: [self.signer.verifier], now: self.now) }, .badSignature, "payload")
        // Footer: same kid, other bytes (a space), so the key is found and the signature fails.
        let footer = Array(#"{"kid": "\#(ShareToken.keyID(of: signer.verifier))"}"#.utf8)
        XCTAssertEqual(refusal { _ = try ShareToken.verify(assemble(message: parts.message, signature: parts.signature, footer: footer),
                                                           keys: [self.signer.verifier], now: self.now) }, .badSignature, "footer")
        var signature = parts.signature
        signature[10] ^= 1
        XCTAssertEqual(refusal { _ = try ShareToken.verify(assemble(message: parts.message, signature: signature, footer: parts.footer),
                                                           keys: [self.signer.verifier], now: self.now) }, .badSignature, "signature")
        let noFooter = String(token.prefix(upTo: token.lastIndex(of: ".")!))
        XCTAssertEqual(refusal { _ = try ShareToken.verify(noFooter, keys: [self.signer.verifier], now: self.now) }?.reason, "malformed")
    }

    func testByteFlipsNeverVerifyAndNeverTrap() throws {
        let token = Array(ShareToken.issue(grant(), signer: signer).utf8)
        var generator = SystemRandomNumberGenerator()
        for i in 0..<2000 {
            var bytes = token
            let position = i < token.count ? i : Int.random(in: 0..<token.count, using: &generator)
            bytes[position] = i < token.count ? bytes[position] ^ 0x01 : UInt8.random(in: 0...255, using: &generator)
            if i % 7 == 0 { bytes.removeLast(Int.random(in: 0..<min(20, bytes.count), using: &generator)) }
            let text = String(decoding: bytes, as: UTF8.self)
            guard text != String(decoding: token, as: UTF8.self) else { continue }
            if let grant = try? ShareToken.verify(text, keys: [signer.verifier], now: now) {
                // Only a change base64url cannot see may pass: none exists for canonical decoding.
                XCTFail("a changed token verified: \(text) → \(grant)")
            }
        }
    }

    func testAuthorizeRefusesOutOfScope() throws {
        let view = grant(series: ["1.2.3"])
        XCTAssertNoThrow(try view.authorize(study: view.studyUID, series: "1.2.3"))
        XCTAssertNoThrow(try view.authorize(study: view.studyUID))
        XCTAssertEqual(refusal { try view.authorize(study: "1.2.9") }?.reason, "out-of-scope", "another study")
        XCTAssertEqual(refusal { try view.authorize(study: view.studyUID, series: "1.2.4") }?.reason, "out-of-scope", "another series")
        XCTAssertEqual(refusal { try view.authorize(study: view.studyUID, series: "1.2.3", download: true) }?.reason, "out-of-scope",
                       "download with view scope")
        XCTAssertNoThrow(try grant(scope: .download).authorize(study: view.studyUID, series: "9.9", download: true))
    }

    func testShareTime() {
        XCTAssertEqual(ShareTime.format(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00Z")
        XCTAssertEqual(ShareTime.format(Date(timeIntervalSince1970: 1.25)), "1970-01-01T00:00:01.250Z")
        XCTAssertEqual(ShareTime.parse("2022-01-01T00:00:00+00:00"), Date(timeIntervalSince1970: 1_640_995_200))
        XCTAssertEqual(ShareTime.parse("2022-01-01T01:00:00+01:00"), Date(timeIntervalSince1970: 1_640_995_200))
        XCTAssertEqual(ShareTime.parse("2022-01-01T00:00:00.5Z"), Date(timeIntervalSince1970: 1_640_995_200.5))
        for bad in ["2022-01-01", "2022-02-30T00:00:00Z", "2022-01-01T00:00:00", "2022-01-01T24:00:00Z", "2022-01-01T00:00:00.Z", ""] {
            XCTAssertNil(ShareTime.parse(bad), bad)
        }
    }
}
