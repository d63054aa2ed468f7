/// Reads JPEG-LS entropy-coded bits (T.87 A.1): MSB first; after a 0xFF data byte the next byte
/// carries 7 bits (its top bit is a stuffed 0); 0xFF followed by a byte with the top bit set is a
/// marker, where the data ends and zeros are fed (counted in `padding`, checked by `overran`).
struct JPEGLSBitReader {
    let data: UnsafeBufferPointer<UInt8>
    private(set) var position: Int
    let end: Int
    private var accumulator: UInt64 = 0
    private var bitCount = 0
    private var afterFF = false
    private var padding = 0

    init(_ data: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        self.data = data
        self.position = start
        self.end = end
    }

    var overran: Bool { padding * 8 > bitCount }
    var offset: Int { max(0, position - bitCount / 8) }

    @inline(__always) mutating func fill() {
        while bitCount <= 56 {
            if position < end {
                let b = data[position]
                if afterFF {
                    accumulator |= UInt64(b & 0x7F) << UInt64(57 - bitCount)
                    bitCount += 7
                    afterFF = false
                    position += 1
                } else if b == 0xFF {
                    let next = position + 1 < end ? data[position + 1] : 0x80
                    if next & 0x80 != 0 {  // a marker
                        padding += 1
                        bitCount += 8
                    } else {
                        accumulator |= UInt64(0xFF) << UInt64(56 - bitCount)
                        bitCount += 8
                        afterFF = true
                        position += 1
                    }
                } else {
                    accumulator |= UInt64(b) << UInt64(56 - bitCount)
                    bitCount += 8
                    position += 1
                }
            } else {
                padding += 1
                bitCount += 8
            }
        }
    }

    @inline(__always) mutating func bit() -> Int {
        if bitCount < 1 { fill() }
        let v = Int(accumulator >> 63)
        accumulator <<= 1
        bitCount -= 1
        return v
    }

    /// `n` (0...32) bits as an unsigned number.
    @inline(__always) mutating func bits(_ n: Int) -> Int {
        if n == 0 { return 0 }
        if bitCount < n { fill() }
        let v = Int(truncatingIfNeeded: accumulator >> UInt64(64 - n))
        accumulator <<= UInt64(n)
        bitCount -= n
        return v
    }

    /// The number of 0 bits before the next 1 (which is consumed); nil past `limit` zeros.
    @inline(__always) mutating func zeroRun(limit: Int) -> Int? {
        var zeros = 0
        while true {
            if bitCount < 32 { fill() }
            let lz = accumulator.leadingZeroBitCount
            if lz < bitCount {
                zeros += lz
                accumulator <<= UInt64(lz + 1)
                bitCount -= lz + 1
                return zeros <= limit ? zeros : nil
            }
            zeros += bitCount
            accumulator = 0
            bitCount = 0
            if zeros > limit { return nil }
        }
    }

    /// Drops the rest of the interval and reads the restart marker RSTm.
    mutating func restart(expecting m: Int) throws {
        accumulator = 0
        bitCount = 0
        padding = 0
        afterFF = false
        var p = position
        while p + 1 < end, !(data[p] == 0xFF && data[p + 1] >= 0x80) { p += 1 }
        guard p + 1 < end, data[p + 1] == 0xD0 + UInt8(m) else {
            throw ImagingError(.corruptData, "JPEG-LS: restart marker RST\(m) missing", offset: p)
        }
        position = p + 2
    }
}
