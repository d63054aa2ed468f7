/// The Adler-32 checksum of RFC 1950 §8.2, as used in the zlib trailer.
///
/// Feed bytes with `update(_:)` as they arrive; ``value`` is the checksum of everything fed so far.
///
/// ```swift
/// var adler = Adler32()
/// adler.update(Array("Wikipedia".utf8))
/// adler.value  // 0x11E6_0398
/// ```
public struct Adler32: Sendable, Hashable {
    /// The modulus: the largest prime below 2¹⁶.
    static let modulus: UInt32 = 65521
    /// The most bytes that can be summed before `b` could overflow 32 bits (zlib's NMAX).
    static let blockLength = 5552

    private var a: UInt32 = 1
    private var b: UInt32 = 0

    /// A checksum of no bytes (value 1).
    public init() {}

    /// The checksum of all bytes fed so far.
    public var value: UInt32 { b << 16 | a }

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var remaining = bytes.count
        var a = self.a
        var b = self.b
        while remaining > 0 {
            var n = min(remaining, Self.blockLength)
            remaining -= n
            while n >= 8 {
                a &+= UInt32(p[0]); b &+= a
                a &+= UInt32(p[1]); b &+= a
                a &+= UInt32(p[2]); b &+= a
                a &+= UInt32(p[3]); b &+= a
                a &+= UInt32(p[4]); b &+= a
                a &+= UInt32(p[5]); b &+= a
                a &+= UInt32(p[6]); b &+= a
                a &+= UInt32(p[7]); b &+= a
                p += 8
                n -= 8
            }
            while n > 0 {
                a &+= UInt32(p[0]); b &+= a
                p += 1
                n -= 1
            }
            a %= Self.modulus
            b %= Self.modulus
        }
        self.a = a
        self.b = b
    }

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var adler = Adler32()
        adler.update(bytes)
        return adler.value
    }
}
