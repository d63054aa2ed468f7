/// The CRC-32 of ISO 3309 / ITU-T V.42 (reflected polynomial 0xEDB88320), as used by gzip and PNG.
///
/// Feed bytes with `update(_:)` as they arrive; ``value`` is the CRC of everything fed so far.
/// The update uses eight 256-entry tables ("slicing by 8") and so handles about a byte per cycle.
///
/// ```swift
/// var crc = CRC32()
/// crc.update(Array("123456789".utf8))
/// crc.value  // 0xCBF4_3926
/// ```
public struct CRC32: Sendable, Hashable {
    /// The reflected generator polynomial.
    static let polynomial: UInt32 = 0xEDB8_8320

    /// Eight tables of 256 entries, one after the other: table k advances the CRC over a byte
    /// followed by k zero bytes.
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 {
                c = c & 1 != 0 ? polynomial ^ (c >> 1) : c >> 1
            }
            t[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = t[(k - 1) * 256 + n]
                t[k * 256 + n] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()

    /// The register, kept inverted as the algorithm wants it.
    private var register: UInt32 = 0xFFFF_FFFF

    /// A CRC of no bytes (value 0).
    public init() {}

    /// The CRC of all bytes fed so far.
    public var value: UInt32 { ~register }

    /// Adds `bytes` to the CRC.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var n = bytes.count
        var c = register
        Self.tables.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            while n >= 8 {
                let word = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
                let low = UInt32(truncatingIfNeeded: word) ^ c
                let high = UInt32(truncatingIfNeeded: word >> 32)
                c = t[7 * 256 + Int(low & 0xFF)]
                    ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)]
                    ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)]
                    ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((high >> 16) & 0xFF)]
                    ^ t[Int(high >> 24)]
                p += 8
                n -= 8
            }
            while n > 0 {
                c = (c >> 8) ^ t[Int((c ^ UInt32(p.pointee)) & 0xFF)]
                p += 1
                n -= 1
            }
        }
        register = c
    }

    /// Adds one byte to the CRC.
    @inline(__always)
    mutating func update(byte: UInt8) {
        Self.tables.withUnsafeBufferPointer { t in
            register = (register >> 8) ^ t[Int((register ^ UInt32(byte)) & 0xFF)]
        }
    }

    /// Adds `bytes` to the CRC.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The CRC of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
