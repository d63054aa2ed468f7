/// HMAC (RFC 2104) over any `HashFunction`.
///
/// ```swift
/// let tag = HMAC<SHA256>.authenticationCode(for: message, key: key)
///
/// var mac = HMAC<SHA256>(key: key)   // or streaming
/// mac.update(part1)
/// mac.update(part2)
/// mac.finalize() == tag              // true
/// ```
///
/// `HMAC` is a value type holding the hash states after the key: to authenticate many messages
/// under one key (keyed pseudonyms, say), make it once and copy it for each message, which saves
/// hashing the key's two blocks every time.
public struct HMAC<H: HashFunction>: Sendable {
    /// The hash state after absorbing the key XOR ipad; message bytes go here.
    private var inner: H
    /// The hash state after absorbing the key XOR opad; the inner digest goes here.
    private let outer: H

    /// A MAC under `key`. Keys longer than the hash's block size are hashed first (RFC 2104 §2);
    /// keys shorter than the digest size are allowed but weaker.
    public init(key: some Collection<UInt8>) {
        var block = key.count > H.blockSize ? H.hash(key) : Array(key)
        block.append(contentsOf: repeatElement(0, count: H.blockSize - block.count))
        var inner = H()
        inner.update(block.map { $0 ^ 0x36 })
        var outer = H()
        outer.update(block.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        inner.update(bytes)
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        inner.update(bytes)
    }

    /// The authentication code of all bytes added so far (`H.digestSize` bytes). The state is
    /// left as it was.
    public func finalize() -> [UInt8] {
        var outer = self.outer
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// The authentication code of `message` under `key`, in one call.
    public static func authenticationCode(
        for message: some Collection<UInt8>,
        key: some Collection<UInt8>
    ) -> [UInt8] {
        var mac = HMAC(key: key)
        mac.update(message)
        return mac.finalize()
    }

    /// Whether `code` is the full-length authentication code of `message` under `key`, compared in
    /// constant time. Truncated codes are refused; compare a prefix with `ConstantTime.equals`
    /// yourself if a protocol truncates.
    public static func isValidAuthenticationCode(
        _ code: some Collection<UInt8>,
        for message: some Collection<UInt8>,
        key: some Collection<UInt8>
    ) -> Bool {
        ConstantTime.equals(authenticationCode(for: message, key: key), code)
    }
}
