/// The errors of CMRCrypto.
public enum CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A key, seed or other fixed-size input had the wrong number of bytes.
    case invalidLength(what: String, expected: Int, actual: Int)
    /// The 32 bytes are not the canonical encoding of a point on edwards25519.
    case invalidPublicKey
    /// HKDF was asked for more output than RFC 5869 allows (255 × the hash's digest size).
    case outputTooLong(requested: Int, maximum: Int)
    /// The text is not an even number of hexadecimal digits; `offset` is the first bad character.
    case invalidHex(offset: Int)
    /// The system's secure random source failed (`errno` from getrandom(2) or /dev/urandom).
    case randomSourceFailed(errno: Int32)

    public var description: String {
        switch self {
        case let .invalidLength(what, expected, actual):
            "\(what) must be \(expected) bytes, not \(actual)"
        case .invalidPublicKey:
            "not a canonical encoding of an Ed25519 public key"
        case let .outputTooLong(requested, maximum):
            "HKDF output of \(requested) bytes exceeds the maximum of \(maximum)"
        case let .invalidHex(offset):
            "invalid hexadecimal text at offset \(offset)"
        case let .randomSourceFailed(errno):
            "the secure random source failed (errno \(errno))"
        }
    }
}
