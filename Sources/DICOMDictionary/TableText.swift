/// Reads the generated tables, which are string literals (`StaticString`: static bytes, nothing to
/// initialise): fixed-width hex fields, and text lines addressed by byte offsets. Nothing is copied
/// or decoded until a caller asks for a `String`.
enum TableText {
    /// The value of the `digits` upper-case hex digits at byte `offset` of `text`.
    @inline(__always)
    static func hex(_ text: StaticString, at offset: Int, digits: Int) -> Int {
        let p = text.utf8Start
        let first = offset + digits - 8
        if digits <= 8 && first >= 0 {
            // Eight bytes ending with the last digit, converted all at once; keep the last `digits`.
            let c = UInt64(bigEndian: UnsafeRawPointer(p).loadUnaligned(fromByteOffset: first, as: UInt64.self))
            var x = (c & 0x0F0F_0F0F_0F0F_0F0F) &+ (c >> 6 & 0x0101_0101_0101_0101) &* 9
            x = (x | x >> 4) & 0x00FF_00FF_00FF_00FF
            x = (x | x >> 8) & 0x0000_FFFF_0000_FFFF
            x = (x | x >> 16) & 0xFFFF_FFFF
            return Int(truncatingIfNeeded: x) & (1 << (4 * digits) - 1)
        }
        var value = 0
        for i in 0..<digits {
            let c = Int(p[offset + i])
            value = value << 4 | (c <= 0x39 ? c - 0x30 : c - 0x37)
        }
        return value
    }

    /// The value of the 4 upper-case hex digits at byte `offset` of `text`, without a loop.
    @inline(__always)
    static func hex4(_ text: StaticString, at offset: Int) -> Int {
        let c = UInt32(littleEndian: UnsafeRawPointer(text.utf8Start).loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        // "0"–"9" are 0x30–0x39, "A"–"F" 0x41–0x46: the low nibble, plus 9 when bit 6 is set.
        let v = (c & 0x0F0F_0F0F) &+ (c >> 6 & 0x0101_0101) &* 9
        return Int(v & 0xFF) << 12 | Int(v >> 8 & 0xFF) << 8 | Int(v >> 16 & 0xFF) << 4 | Int(v >> 24)
    }

    /// Field `index` of a literal of fixed-width hex fields, each followed by one separator byte.
    @inline(__always)
    static func hexField(_ text: StaticString, _ index: Int, digits: Int) -> Int {
        digits == 4 ? hex4(text, at: index * 5) : hex(text, at: index * (digits + 1), digits: digits)
    }

    /// The number of fields in a literal of fixed-width hex fields.
    static func hexFieldCount(_ text: StaticString, digits: Int) -> Int {
        (text.utf8CodeUnitCount + 1) / (digits + 1)
    }

    /// Bytes `start..<end` of `text`.
    @inline(__always)
    static func bytes(_ text: StaticString, _ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text.utf8Start + start, count: end - start)
    }

    /// The line of `text` that starts at byte `start`, without its newline.
    static func line(_ text: StaticString, from start: Int) -> UnsafeBufferPointer<UInt8> {
        let p = text.utf8Start
        var end = start
        let count = text.utf8CodeUnitCount
        while end < count && p[end] != 0x0A { end += 1 }
        return bytes(text, start, end)
    }

    /// Reads the `|`-separated fields of a line in turn.
    struct Fields {
        let line: UnsafeBufferPointer<UInt8>
        var position = 0

        init(_ line: UnsafeBufferPointer<UInt8>) { self.line = line }

        mutating func next() -> UnsafeBufferPointer<UInt8> {
            let start = Swift.min(position, line.count)
            var end = start
            while end < line.count && line[end] != UInt8(ascii: "|") { end += 1 }
            position = end + 1
            return UnsafeBufferPointer(rebasing: line[start..<end])
        }

        mutating func nextString() -> String { TableText.string(next()) }
    }

    /// The `index`th field of `line` when split at `|`, or an empty buffer when there are fewer.
    static func field(_ line: UnsafeBufferPointer<UInt8>, _ index: Int) -> UnsafeBufferPointer<UInt8> {
        var field = 0
        var start = 0
        for i in 0..<line.count where line[i] == UInt8(ascii: "|") {
            if field == index { return UnsafeBufferPointer(rebasing: line[start..<i]) }
            field += 1
            start = i + 1
        }
        return field == index ? UnsafeBufferPointer(rebasing: line[start...]) : UnsafeBufferPointer(start: nil, count: 0)
    }

    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Three-way comparison of the key at `key` (the bytes before the first `terminator`) with
    /// `needle`, as the generator sorts them: by the bytes of key + terminator. Reads at most
    /// `available` bytes from `key`, 8 at a time.
    @inline(__always)
    static func compare(_ key: UnsafePointer<UInt8>, available: Int, terminator: UInt8,
                        _ needle: UnsafeBufferPointer<UInt8>) -> Int {
        let n = needle.count
        guard n < available, let base = needle.baseAddress else {
            return compareSlowly(key, available: available, terminator: terminator, needle)
        }
        let k = UnsafeRawPointer(key)
        let m = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= n {
            let a = UInt64(bigEndian: k.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let b = UInt64(bigEndian: m.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if a != b { return a < b ? -1 : 1 }
            i += 8
        }
        while i < n {
            let a = key[i]
            let b = base[i]
            if a != b { return a < b ? -1 : 1 }
            i += 1
        }
        let next = key[n]
        return next == terminator ? 0 : (next < terminator ? -1 : 1)
    }

    private static func compareSlowly(_ key: UnsafePointer<UInt8>, available: Int, terminator: UInt8,
                                      _ needle: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0
        while true {
            let a: UInt8 = i < available ? key[i] : terminator
            let b: UInt8 = i < needle.count ? needle[i] : terminator
            if a != b { return a < b ? -1 : 1 }
            if a == terminator { return 0 }
            i += 1
        }
    }

    /// Binary search for `needle` through `order`, a literal of 4-hex-digit row numbers sorted by
    /// the keys in `text` at the offsets `key(row)` gives (each ending at `terminator`); the row found.
    @inline(__always)
    static func search(_ needle: String, in order: StaticString, text: StaticString, terminator: UInt8,
                       key: (Int) -> Int) -> Int? {
        var needle = needle
        let count = hexFieldCount(order, digits: 4)
        let start = text.utf8Start
        let end = text.utf8CodeUnitCount
        return needle.withUTF8 { n -> Int? in
            var low = 0
            var high = count
            while low < high {
                let mid = (low + high) >> 1
                let offset = key(hex4(order, at: mid * 5))
                let c = compare(start + offset, available: end - offset, terminator: terminator, n)
                if c == 0 { return hex4(order, at: mid * 5) }
                if c < 0 { low = mid + 1 } else { high = mid }
            }
            return nil
        }
    }
}
