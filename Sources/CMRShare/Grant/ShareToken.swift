import CMRAudit
import CMRCrypto
import Foundation

/// A share grant as a PASETO v4.public token (docs/share.md "Tokens"), signed with the site's
/// Ed25519 key in the signed-note key files of `cmr audit keygen`.
///
/// - payload: JSON claims `iss` (the key name), `sub` (recipient), `jti` (grant id), `iat`,
///   `nbf`, `exp` (RFC 3339, UTC), and cmr's `study`, `series`, `scope`, `mode`, `max`;
/// - footer: `{"kid":"NAME+KEYID"}`, the signed-note key name and its 8-hex-digit key ID (the
///   first two fields of the `.pub` file), so a verifier holding several keys picks the right one;
/// - implicit assertion: empty.
///
/// ```swift
/// let token = ShareToken.issue(grant, signer: signer)
/// let grant = try ShareToken.verify(token, keys: [signer.verifier], now: Date(), revoked: store.revocationTime)
/// try grant.authorize(study: uid, series: nil, download: false)
/// ```
public enum ShareToken {
    /// Tokens longer than this are refused before any decoding.
    public static let maximumLength = 8192

    /// The footer key id of `key`: `NAME+KEYID`, as in the signed-note verifier key text.
    public static func keyID(of key: NoteVerifier) -> String {
        key.name + "+" + Hex.encode(key.keyID)
    }

    /// The token of `grant`, signed by `signer`. The issuer claim is the signer's key name
    /// (whatever `grant.issuer` says); times are written in whole seconds; the note stays out.
    public static func issue(_ grant: ShareGrant, signer: NoteSigner) -> String {
        let claims = Claims(grant, issuer: signer.name)
        let footer = Footer(kid: keyID(of: signer.verifier))
        return PASETOv4Public.sign(message: encode(claims), footer: encode(footer), key: signer.privateKey)
    }

    /// Checks a token and returns its grant, or throws the reason it is refused, in this order:
    /// `malformed` (format, footer), `unknownKey` (the footer's kid is not among `keys`, or the
    /// issuer is not that key's name), `badSignature`, `malformed` (claims), `notYetValid`,
    /// `expired`, `revoked` (`revoked(id)` returns the revocation time, nil if not revoked).
    /// Scope is checked per request by `ShareGrant.authorize`, uses by `ShareStore.recordUse`.
    public static func verify(_ token: String, keys: [NoteVerifier], now: Date,
                              revoked: (String) -> Date? = { _ in nil }) throws(GrantRefusal) -> ShareGrant {
        guard token.utf8.count <= maximumLength else { throw .malformed("longer than \(maximumLength) bytes") }
        let parts = try PASETOv4Public.parts(of: token)
        guard !parts.footer.isEmpty else { throw .malformed("no footer naming the key") }
        guard let footer = try? JSONDecoder().decode(Footer.self, from: Data(parts.footer)) else {
            throw .malformed("the footer is not {\"kid\":\"NAME+KEYID\"}")
        }
        guard let key = keys.first(where: { keyID(of: $0) == footer.kid }) else { throw .unknownKey(footer.kid) }
        let message = try PASETOv4Public.verify(parts, key: key.publicKey)
        let grant = try claims(message).grant()
        guard grant.issuer == key.name else { throw .unknownKey("issuer '\(grant.issuer)' is not the name of key \(footer.kid)") }
        if now < grant.notBefore { throw .notYetValid(grant.notBefore) }
        if now >= grant.expires { throw .expired(grant.expires) }
        if let time = revoked(grant.id) { throw .revoked(time) }
        return grant
    }

    /// The grant a token claims, without checking signature, time or revocation: for showing what
    /// a refused token said. Never trust it.
    public static func unverifiedGrant(_ token: String) -> ShareGrant? {
        guard token.utf8.count <= maximumLength, let parts = try? PASETOv4Public.parts(of: token) else { return nil }
        return try? claims(parts.message).grant()
    }

    // MARK: Claims

    /// The JSON payload. Keys are written sorted; unknown keys are ignored when reading.
    struct Claims: Codable, Equatable {
        var iss: String
        var sub: String
        var jti: String
        var iat: String?
        var nbf: String
        var exp: String
        var study: String
        var series: [String]
        var scope: String
        var mode: String
        var max: Int?

        init(_ grant: ShareGrant, issuer: String) {
            iss = issuer
            sub = grant.recipient
            jti = grant.id
            iat = grant.issuedAt.map(ShareTime.format)
            nbf = ShareTime.format(grant.notBefore)
            exp = ShareTime.format(grant.expires)
            study = grant.studyUID
            series = grant.seriesUIDs
            scope = grant.scope.rawValue
            mode = grant.mode
            max = grant.maxUses
        }

        func grant() throws(GrantRefusal) -> ShareGrant {
            guard !jti.isEmpty, !study.isEmpty else { throw .malformed("empty jti or study claim") }
            guard let scope = ShareGrant.Scope(rawValue: scope) else { throw .malformed("unknown scope '\(scope)'") }
            guard let notBefore = ShareTime.parse(nbf), let expires = ShareTime.parse(exp) else {
                throw .malformed("nbf or exp is not an RFC 3339 time")
            }
            var issuedAt: Date?
            if let iat {
                guard let time = ShareTime.parse(iat) else { throw .malformed("iat is not an RFC 3339 time") }
                issuedAt = time
            }
            if let max, max < 1 { throw .malformed("max must be at least 1") }
            return ShareGrant(id: jti, issuer: iss, recipient: sub, studyUID: study, seriesUIDs: series, scope: scope,
                              notBefore: notBefore, expires: expires, maxUses: max, mode: mode, issuedAt: issuedAt)
        }
    }

    struct Footer: Codable, Equatable {
        var kid: String
    }

    static func claims(_ message: [UInt8]) throws(GrantRefusal) -> Claims {
        do { return try JSONDecoder().decode(Claims.self, from: Data(message)) } catch {
            throw .malformed("the claims are not the JSON of a share grant")
        }
    }

    static func encode(_ value: some Encodable) -> [UInt8] {
        // Encoding these plain structs of strings and numbers cannot fail.
        Array((try? ShareTime.jsonEncoder().encode(value)) ?? Data())
    }
}
