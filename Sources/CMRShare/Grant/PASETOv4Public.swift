import CMRCrypto

/// PASETO version 4, purpose `public`: an Ed25519 signature over the pre-authentication encoding
/// of header, message, footer and implicit assertion (paseto-spec, docs/01-Protocol-Versions/
/// Version4.md "Sign" and "Verify"; PAE in Common.md).
///
/// A token is `v4.public.` ‖ base64url(message ‖ signature) and, when the footer is not empty,
/// `.` ‖ base64url(footer). The version and purpose in the header fix the algorithm: there is no
/// algorithm field to negotiate. This type knows nothing of claims (`ShareToken` does).
enum PASETOv4Public {
    static let header = "v4.public."

    /// The parts of a token, before its signature is checked.
    struct Parts {
        var message: [UInt8]
        var signature: [UInt8]
        var footer: [UInt8]
    }

    /// PAE (Common.md §2.2): the count of pieces, then each piece's length, as little-endian
    /// 64-bit integers with the top bit cleared, each length followed by its piece.
    static func preAuthenticationEncoding(_ pieces: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + pieces.reduce(0) { $0 + 8 + $1.count })
        func le64(_ value: Int) {
            let n = UInt64(value) & 0x7FFF_FFFF_FFFF_FFFF
            for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: n >> UInt64(shift))) }
        }
        le64(pieces.count)
        for piece in pieces {
            le64(piece.count)
            out.append(contentsOf: piece)
        }
        return out
    }

    /// The bytes the signature covers.
    static func signedBytes(message: [UInt8], footer: [UInt8], implicit: [UInt8]) -> [UInt8] {
        preAuthenticationEncoding([Array(header.utf8), message, footer, implicit])
    }

    /// Signs `message` (Version4.md "Sign", steps 1–4).
    static func sign(message: [UInt8], footer: [UInt8] = [], implicit: [UInt8] = [], key: Ed25519.PrivateKey) -> String {
        let signature = key.signature(for: signedBytes(message: message, footer: footer, implicit: implicit))
        var token = header + Base64URL.encode(message + signature)
        if !footer.isEmpty { token += "." + Base64URL.encode(footer) }
        return token
    }

    /// Splits a token into message, signature and footer without checking the signature (so the
    /// footer can name the key to check it with). Refuses another version or purpose, bad
    /// base64url, and a body too short to hold a signature.
    static func parts(of token: String) throws(GrantRefusal) -> Parts {
        guard token.hasPrefix(header) else {
            let prefix = token.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).prefix(2).joined(separator: ".")
            throw .malformed(prefix.count <= 16 && !prefix.isEmpty ? "not a v4.public token (header '\(prefix).')" : "not a v4.public token")
        }
        let rest = token.utf8.dropFirst(header.utf8.count)
        let pieces = rest.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard let body = Base64URL.decode(Substring(pieces[0])) else { throw .malformed("the payload is not base64url") }
        guard body.count >= Ed25519.signatureSize else { throw .malformed("the payload is too short to hold a signature") }
        var footer: [UInt8] = []
        if pieces.count == 2 {
            guard let decoded = Base64URL.decode(Substring(pieces[1])), !decoded.isEmpty else {
                throw .malformed("the footer is not base64url")
            }
            footer = decoded
        }
        let split = body.count - Ed25519.signatureSize
        return Parts(message: Array(body[..<split]), signature: Array(body[split...]), footer: footer)
    }

    /// Checks the signature of `parts` under `key` (Version4.md "Verify", steps 4–6) and returns
    /// the message.
    static func verify(_ parts: Parts, implicit: [UInt8] = [], key: Ed25519.PublicKey) throws(GrantRefusal) -> [UInt8] {
        let signed = signedBytes(message: parts.message, footer: parts.footer, implicit: implicit)
        guard key.isValidSignature(parts.signature, for: signed) else { throw .badSignature }
        return parts.message
    }

    /// Verifies a whole token under one key; with `expectedFooter`, the footer must equal it
    /// (compared in constant time, Version4.md "Verify" step 1).
    static func verify(_ token: String, expectedFooter: [UInt8]? = nil, implicit: [UInt8] = [],
                       key: Ed25519.PublicKey) throws(GrantRefusal) -> (message: [UInt8], footer: [UInt8]) {
        let parts = try parts(of: token)
        if let expectedFooter, !ConstantTime.equals(parts.footer, expectedFooter) { throw .malformed("the footer is not the one expected") }
        return (try verify(parts, implicit: implicit, key: key), parts.footer)
    }
}
