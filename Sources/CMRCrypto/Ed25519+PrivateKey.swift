extension Ed25519 {
    /// An Ed25519 private key: a 32-byte seed, and what RFC 8032 §5.1.5 derives from it.
    public struct PrivateKey: Sendable, CustomStringConvertible {
        /// The 32-byte seed the key was made from (RFC 8032's "private key").
        public let seed: [UInt8]
        /// The public key for this private key.
        public let publicKey: PublicKey
        /// s: the low half of SHA-512(seed), clamped.
        private let secretScalar: [UInt8]
        /// The high half of SHA-512(seed), which keys the deterministic nonce.
        private let prefix: [UInt8]

        /// The key made from a 32-byte seed (deterministic: the same seed gives the same key).
        ///
        /// - Throws: `CryptoError.invalidLength` if `seed` is not 32 bytes.
        public init(seed: some Collection<UInt8>) throws(CryptoError) {
            let seed = Array(seed)
            guard seed.count == Ed25519.seedSize else {
                throw .invalidLength(what: "Ed25519 seed", expected: Ed25519.seedSize, actual: seed.count)
            }
            let digest = SHA512.hash(seed)
            var scalar = Array(digest[0..<32])
            scalar[0] &= 248
            scalar[31] &= 127
            scalar[31] |= 64
            self.seed = seed
            self.secretScalar = scalar
            self.prefix = Array(digest[32..<64])
            let encoded = EdwardsPoint.multiplyBase(scalar).encoded
            self.publicKey = PublicKey(validated: encoded)
        }

        /// A new key from a seed drawn from the system's secure random source.
        ///
        /// - Throws: `CryptoError.randomSourceFailed` if the random source fails.
        public init() throws(CryptoError) {
            try self.init(seed: SecureRandom.bytes(count: Ed25519.seedSize))
        }

        /// The 64-byte signature of `message` (RFC 8032 §5.1.6). Deterministic.
        public func signature(for message: some Collection<UInt8>) -> [UInt8] {
            let r = Ed25519.hashToScalar(prefix, message: message)
            let rEncoded = r.encoded
            let bigR = EdwardsPoint.multiplyBase(rEncoded).encoded
            let k = Ed25519.hashToScalar(bigR, publicKey.rawRepresentation, message: message)
            let s = Scalar.multiplyAdd(k, Scalar(bytes: secretScalar), r)
            return bigR + s.encoded
        }

        /// Names the public key only, so that logging a key does not leak it.
        public var description: String {
            "Ed25519.PrivateKey(publicKey: \(Hex.encode(publicKey.rawRepresentation)))"
        }
    }
}
