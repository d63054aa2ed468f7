/// Ed25519 signatures: PureEdDSA on edwards25519 with SHA-512 (RFC 8032 §5.1).
///
/// ```swift
/// let key = try Ed25519.PrivateKey()                  // from the system's random source
/// let signature = key.signature(for: message)        // 64 bytes, deterministic
/// key.publicKey.isValidSignature(signature, for: message)  // true
/// ```
///
/// Signing is constant time with respect to the secret key. Verification is cofactorless: it
/// accepts exactly when encode([S]B − [k]A) equals R byte for byte, with k = SHA-512(R ‖ A ‖ M)
/// mod ℓ. It rejects S ≥ ℓ and non-canonical encodings of A and R (y ≥ p, or for A, a point off
/// the curve or x = 0 with the sign bit set). Small-order keys are not singled out.
public enum Ed25519 {
    /// The bytes in a private key's seed.
    public static let seedSize = 32
    /// The bytes in an encoded public key.
    public static let publicKeySize = 32
    /// The bytes in a signature: R (32) then S (32).
    public static let signatureSize = 64

    /// Whether `signature` is a valid signature of `message` under the encoded `publicKey`.
    /// Returns false, not an error, for a public key or signature of the wrong length or encoding.
    public static func isValidSignature(
        _ signature: some Collection<UInt8>,
        for message: some Collection<UInt8>,
        publicKey: some Collection<UInt8>
    ) -> Bool {
        guard let key = try? PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    /// SHA-512 of the parts in order, reduced modulo ℓ.
    static func hashToScalar(_ parts: [UInt8]..., message: some Collection<UInt8>) -> Scalar {
        var hash = SHA512()
        for part in parts {
            hash.update(part)
        }
        hash.update(message)
        return Scalar(reducing: hash.finalize())
    }
}
