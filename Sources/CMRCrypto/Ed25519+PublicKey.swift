extension Ed25519 {
    /// An Ed25519 public key: the canonical encoding of a point A of edwards25519.
    public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
        /// The 32-byte encoding.
        public let rawRepresentation: [UInt8]
        /// −A, decoded once for verification.
        private let negatedPoint: EdwardsPoint

        /// The key encoded in `rawRepresentation`.
        ///
        /// - Throws: `CryptoError.invalidLength` if it is not 32 bytes; `CryptoError.invalidPublicKey`
        ///   if it is not the canonical encoding of a curve point (y ≥ p, no such x, or x = 0 with
        ///   the sign bit set).
        public init(rawRepresentation: some Collection<UInt8>) throws(CryptoError) {
            let bytes = Array(rawRepresentation)
            guard bytes.count == Ed25519.publicKeySize else {
                throw .invalidLength(what: "Ed25519 public key", expected: Ed25519.publicKeySize, actual: bytes.count)
            }
            guard let point = EdwardsPoint(decoding: bytes) else { throw .invalidPublicKey }
            self.rawRepresentation = bytes
            self.negatedPoint = point.negated
        }

        /// A key from an encoding this module computed itself.
        init(validated bytes: [UInt8]) {
            self.rawRepresentation = bytes
            self.negatedPoint = EdwardsPoint(decoding: bytes)!.negated
        }

        /// Whether `signature` is a valid signature of `message` under this key (RFC 8032 §5.1.7,
        /// cofactorless: encode([S]B − [k]A) must equal R). Signatures of the wrong length, with
        /// S ≥ ℓ, or with R's y ≥ p are rejected.
        public func isValidSignature(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>) -> Bool {
            let signature = Array(signature)
            guard signature.count == Ed25519.signatureSize else { return false }
            let rBytes = Array(signature[0..<32])
            let sBytes = Array(signature[32..<64])
            guard Scalar.isCanonical(sBytes), FieldElement.isCanonical(rBytes) else { return false }
            let k = Ed25519.hashToScalar(rBytes, rawRepresentation, message: message)
            let check = EdwardsPoint.multiplyAndAddBase(k.encoded, negatedPoint, sBytes)
            return ConstantTime.equals(check.encoded, rBytes)
        }

        public static func == (a: PublicKey, b: PublicKey) -> Bool {
            a.rawRepresentation == b.rawRepresentation
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(rawRepresentation)
        }

        public var description: String {
            "Ed25519.PublicKey(\(Hex.encode(rawRepresentation)))"
        }
    }
}
