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
            if n >= 32 {
                // 16 bytes a step in vector lanes: s1 holds each lane's byte sum, s2 the sum of
                // s1 before each step; then b gains 16·Σs2 + Σ(16 − i)·s1[i] on top of
                // (bytes)·a, and a gains Σs1.
                let steps = n / 16
                var s1 = SIMD16<UInt32>()
                var s2 = SIMD16<UInt32>()
                for _ in 0..<steps {
                    s2 &+= s1
                    let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt8>.self)
                    s1 &+= SIMD16<UInt32>(truncatingIfNeeded: v)
                    p += 16
                }
                let weights = SIMD16<UInt32>(16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
                let bytes = UInt64(steps * 16)
                var wideB = UInt64(b) + bytes * UInt64(a)
                wideB += 16 * UInt64(s2.wrappedSum()) + UInt64((s1 &* weights).wrappedSum())
                a = UInt32((UInt64(a) + UInt64(s1.wrappedSum())) % UInt64(Self.modulus))
                b = UInt32(wideB % UInt64(Self.modulus))
                n -= steps * 16
            }
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
