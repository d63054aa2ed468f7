/// Reads the entropy-coded bits of one JPEG scan (ITU T.81 F.2.2.5): most significant bit first,
/// 0xFF 0x00 read as 0xFF, and zero bits fed in once a marker or the end of the data is reached.
///
/// The feed of zeros is what libjpeg does too; `overran` tells whether decoding consumed any of
/// them, which the decoders check once per MCU row, so truncated data is an error, never a loop.
struct JPEGBitReader {
    let data: UnsafeBufferPointer<UInt8>
    /// Next byte to load.
    private(set) var position: Int
    let end: Int
    /// Valid bits, left-aligned.
    private var accumulator: UInt64 = 0
    private var bitCount = 0
    /// Zero bytes fed after the data ran out or a marker came.
    private var padding = 0

    init(_ data: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        self.data = data
        self.position = start
        self.end = end
    }

    /// True once decoding used bits that are not in the data.
    var overran: Bool { padding * 8 > bitCount }

    /// The byte offset decoding has reached (for error messages).
    var offset: Int { position - (bitCount - padding * 8) / 8 }

    /// Loads bytes until more than 56 bits are held; out of line, so the hot paths stay small.
    @inline(never) mutating func fill() {
        while bitCount <= 56 {
            var byte: UInt64 = 0
            if position < end {
                let b = data[position]
                if b == 0xFF {
                    let next = position + 1 < end ? data[position + 1] : 0xD9
                    if next == 0x00 {
                        byte = 0xFF
                        position += 2
                    } else {
                        padding += 1  // a marker: stay before it
                    }
                } else {
                    byte = UInt64(b)
                    position += 1
                }
            } else {
                padding += 1
            }
            accumulator |= byte << UInt64(56 - bitCount)
            bitCount += 8
        }
    }

    @inline(__always) mutating func peek16() -> Int {
        if bitCount < 16 { fill() }
        return Int(truncatingIfNeeded: accumulator >> 48)
    }

    @inline(__always) mutating func skip(_ n: Int) {
        accumulator <<= UInt64(n)
        bitCount -= n
    }

    /// `n` (0...16) bits as an unsigned number.
    @inline(__always) mutating func bits(_ n: Int) -> Int {
        if n == 0 { return 0 }
        if bitCount < n { fill() }
        let v = Int(truncatingIfNeeded: accumulator >> UInt64(64 - n))
        skip(n)
        return v
    }

    /// RECEIVE then EXTEND (T.81 F.2.2.1): `n` bits as a signed difference.
    @inline(__always) mutating func receiveExtend(_ n: Int) -> Int {
        if n == 0 { return 0 }
        let v = bits(n)
        return v < (1 << (n - 1)) ? v - (1 << n) + 1 : v
    }

    /// Drops the bits of the interval just finished and reads the restart marker RSTm.
    mutating func restart(expecting m: Int) throws {
        accumulator = 0
        bitCount = 0
        padding = 0
        var p = position
        while p + 1 < end, !(data[p] == 0xFF && data[p + 1] >= 0xD0 && data[p + 1] <= 0xD7) {
            if data[p] == 0xFF, data[p + 1] != 0x00, data[p + 1] != 0xFF { break }  // another marker
            p += 1
        }
        guard p + 1 < end, data[p] == 0xFF, data[p + 1] == 0xD0 + UInt8(m) else {
            throw ImagingError(.corruptData, "JPEG: restart marker RST\(m) missing", offset: p)
        }
        position = p + 2
    }
}

/// A Huffman table (T.81 C, F.2.2.3): a 9-bit lookup for short codes, then the canonical
/// MAXCODE/VALPTR search for longer ones. A class over raw memory, so the hot decoding loops
/// neither copy nor bounds-check it; immutable after `init`.
final class JPEGHuffmanTable: @unchecked Sendable {
    static let lookupBits = 9
    /// (length << 8 | symbol) for codes up to 9 bits, 0 where the prefix starts a longer code.
    let lookup: UnsafeMutablePointer<UInt16>
    /// By length 0...17: the largest code of that length, -1 when there is none.
    private let maxCode: UnsafeMutablePointer<Int32>
    private let valueOffset: UnsafeMutablePointer<Int32>
    /// 256 entries, the symbols in code order, zero after them.
    private let values: UnsafeMutablePointer<UInt8>

    init(counts: [UInt8], values symbols: [UInt8]) throws {
        lookup = .allocate(capacity: 1 << Self.lookupBits)
        lookup.initialize(repeating: 0, count: 1 << Self.lookupBits)
        maxCode = .allocate(capacity: 18)
        maxCode.initialize(repeating: -1, count: 18)
        valueOffset = .allocate(capacity: 18)
        valueOffset.initialize(repeating: 0, count: 18)
        values = .allocate(capacity: 256)
        values.initialize(repeating: 0, count: 256)
        for (i, v) in symbols.prefix(256).enumerated() { values[i] = v }
        var code = 0, k = 0
        for length in 1...16 {
            let n = Int(counts[length - 1])
            if n > 0 {
                valueOffset[length] = Int32(k - code)
                for _ in 0..<n {
                    guard code < (1 << length), k < symbols.count else {
                        throw ImagingError(.corruptData, "JPEG: Huffman table has more codes than fit in \(length) bits")
                    }
                    if length <= Self.lookupBits {
                        let shift = Self.lookupBits - length
                        let first = code << shift
                        for j in 0..<(1 << shift) { lookup[first + j] = UInt16(length << 8) | UInt16(symbols[k]) }
                    }
                    code += 1
                    k += 1
                }
                maxCode[length] = Int32(code - 1)
            }
            code <<= 1
        }
        maxCode[17] = Int32.max  // sentinel
    }

    deinit {
        lookup.deallocate()
        maxCode.deallocate()
        valueOffset.deallocate()
        values.deallocate()
    }

    /// A lossless-JPEG difference (T.81 H.1.2.2): the category symbol, then that many bits;
    /// category 16 is the difference 32768, with no bits. Nil for an invalid code or category.
    /// The lossless decoder's hot loop does the common case (code and bits within 16) itself
    /// from `lookup` and calls this for the rest.
    @inline(never) func slowDifference(_ reader: inout JPEGBitReader) -> Int? {
        guard let s = decode(&reader), s <= 16 else { return nil }
        return s == 16 ? 32768 : reader.receiveExtend(s)
    }

    /// The next symbol, or nil for a bit pattern no code starts with.
    @inline(__always) func decode(_ reader: inout JPEGBitReader) -> Int? {
        let bits16 = reader.peek16()
        let entry = lookup[bits16 >> (16 - Self.lookupBits)]
        if entry != 0 {
            reader.skip(Int(entry >> 8))
            return Int(entry & 0xFF)
        }
        var length = Self.lookupBits + 1
        while length <= 16 {
            let code = bits16 >> (16 - length)
            if code <= Int(maxCode[length]) {
                reader.skip(length)
                return Int(values[(Int(valueOffset[length]) + code) & 0xFF])
            }
            length += 1
        }
        return nil
    }
}
