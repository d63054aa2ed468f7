/// HKDF, the HMAC-based extract-and-expand key derivation function (RFC 5869), over any
/// `HashFunction`.
///
/// ```swift
/// let key = try HKDF<SHA256>.derive(
///     inputKeyMaterial: secret, salt: salt, info: Array("cmr pseudonyms v1".utf8), outputByteCount: 32)
/// ```
public enum HKDF<H: HashFunction> {
    /// The largest output `expand` can give: 255 blocks of the digest size.
    public static var maximumOutputByteCount: Int { 255 * H.digestSize }

    /// HKDF-Extract (RFC 5869 §2.2): a pseudorandom key of `H.digestSize` bytes from the input
    /// keying material. An empty salt stands for `H.digestSize` zero bytes, as the RFC says.
    public static func extract(
        salt: some Collection<UInt8>,
        inputKeyMaterial: some Collection<UInt8>
    ) -> [UInt8] {
        // HMAC pads a short key with zeros, so an empty key is the RFC's string of zeros.
        HMAC<H>.authenticationCode(for: inputKeyMaterial, key: salt)
    }

    /// HKDF-Expand (RFC 5869 §2.3): `outputByteCount` bytes of output keying material from a
    /// pseudorandom key (normally the result of `extract`) and context `info`.
    ///
    /// - Throws: `CryptoError.outputTooLong` if `outputByteCount` exceeds `maximumOutputByteCount`.
    public static func expand(
        pseudoRandomKey: some Collection<UInt8>,
        info: some Collection<UInt8>,
        outputByteCount: Int
    ) throws(CryptoError) -> [UInt8] {
        precondition(outputByteCount >= 0, "outputByteCount must not be negative")
        guard outputByteCount <= maximumOutputByteCount else {
            throw .outputTooLong(requested: outputByteCount, maximum: maximumOutputByteCount)
        }
        let keyed = HMAC<H>(key: pseudoRandomKey)
        let info = Array(info)
        var output: [UInt8] = []
        output.reserveCapacity(outputByteCount + H.digestSize)
        var previous: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < outputByteCount {
            // T(i) = HMAC-Hash(PRK, T(i-1) | info | i)
            var mac = keyed
            mac.update(previous)
            mac.update(info)
            mac.update(CollectionOfOne(counter))
            previous = mac.finalize()
            output.append(contentsOf: previous)
            counter &+= 1
        }
        output.removeLast(output.count - outputByteCount)
        return output
    }

    /// Extract then expand, in one call.
    ///
    /// - Throws: `CryptoError.outputTooLong` if `outputByteCount` exceeds `maximumOutputByteCount`.
    public static func derive(
        inputKeyMaterial: some Collection<UInt8>,
        salt: some Collection<UInt8>,
        info: some Collection<UInt8>,
        outputByteCount: Int
    ) throws(CryptoError) -> [UInt8] {
        let pseudoRandomKey = extract(salt: salt, inputKeyMaterial: inputKeyMaterial)
        return try expand(pseudoRandomKey: pseudoRandomKey, info: info, outputByteCount: outputByteCount)
    }
}
