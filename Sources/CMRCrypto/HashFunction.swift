/// A streaming cryptographic hash function: SHA-256 or SHA-512 here, and the parameter of
/// `HMAC` and `HKDF`.
///
/// ```swift
/// var hash = SHA256()
/// hash.update(Array("ab".utf8))
/// hash.update(Array("c".utf8))
/// hash.finalize() == SHA256.hash(Array("abc".utf8))  // true
/// ```
public protocol HashFunction: Sendable {
    /// The number of bytes the compression function takes at a time (HMAC pads keys to it).
    static var blockSize: Int { get }
    /// The number of bytes in a digest.
    static var digestSize: Int { get }

    /// A hash of no bytes yet.
    init()

    /// Adds `bytes` to the message.
    mutating func update(_ bytes: UnsafeRawBufferPointer)

    /// The digest of all bytes added so far. The state is left as it was, so more bytes can
    /// still be added and a longer message's digest taken later.
    func finalize() -> [UInt8]
}

extension HashFunction {
    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The digest of `data`, in one call.
    public static func hash(_ data: some Collection<UInt8>) -> [UInt8] {
        var hash = Self()
        hash.update(data)
        return hash.finalize()
    }

    /// The digest of the bytes in `buffer`, in one call.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var hash = Self()
        hash.update(buffer)
        return hash.finalize()
    }
}
