/// Builds the lookup tables ``InflateMachine`` decodes Huffman codes with.
///
/// A table is indexed by the next `rootBits` bits of input (least significant bit first, as DEFLATE
/// packs codes). Codes no longer than `rootBits` fill every slot whose low bits match them; longer
/// codes share a root slot that links to a subtable indexed by the bits after the root bits
/// (the scheme of zlib's `inflate_table`). Each 32-bit entry is:
///
/// | bits  | meaning |
/// |-------|---------|
/// | 0–4   | bits to consume: the code length (for an invalid entry, the bits that prove it invalid) |
/// | 5–7   | kind: ``literal`` (also a distance or code-length symbol), ``length``, ``link``, ``special`` |
/// | 8–11  | extra bits after the code (for a link: the subtable's index bits) |
/// | 16–31 | value: literal byte, base length, base distance, code-length symbol, or subtable offset; for ``special``, 0 is end-of-block and 1 is invalid |
enum HuffmanDecodeTable {
    static let literal: UInt32 = 0x00
    static let length: UInt32 = 0x20
    static let link: UInt32 = 0x40
    static let special: UInt32 = 0x80
    static let kindMask: UInt32 = 0xE0
    static let endOfBlock: UInt32 = special
    static let invalid: UInt32 = special | 1 << 16

    /// Root bits and worst-case sizes (zlib's `enough` program gives 1332 and 402; rounded up).
    static let literalRootBits = 10
    static let literalCapacity = 2048
    static let distanceRootBits = 8
    static let distanceCapacity = 1024
    static let codeLengthRootBits = 7
    static let codeLengthCapacity = 128

    /// Which alphabet a table decodes, which fixes what each symbol's entry holds.
    enum Alphabet {
        case literalLength, distance, codeLength
    }

    /// The entry for `symbol`, without its length bits.
    @inline(__always)
    static func entry(for symbol: Int, in alphabet: Alphabet) -> UInt32 {
        switch alphabet {
        case .literalLength:
            if symbol < 256 { return UInt32(symbol) << 16 }
            if symbol == 256 { return endOfBlock }
            if symbol <= 285 {
                let i = symbol - 257
                return length | UInt32(DeflateConstants.lengthExtra[i]) << 8
                    | UInt32(DeflateConstants.lengthBase[i]) << 16
            }
            return invalid
        case .distance:
            if symbol < 30 {
                return UInt32(DeflateConstants.distanceExtra[symbol]) << 8
                    | UInt32(DeflateConstants.distanceBase[symbol]) << 16
            }
            return invalid
        case .codeLength:
            return UInt32(symbol) << 16
        }
    }

    /// Fills `table` for the code whose lengths are `lengths[0..<count]` (each 0...15).
    ///
    /// Unused slots become invalid entries. Returns false if the lengths over-subscribe the code
    /// space, or leave it incomplete where DEFLATE (as zlib reads it) does not allow that: an
    /// incomplete code is accepted only for literal/length and distance codes whose only lengths
    /// are 1, and a code with no lengths at all is accepted (any use of it is then invalid).
    static func build(
        lengths: UnsafePointer<UInt8>, count: Int, alphabet: Alphabet, rootBits: Int,
        into table: UnsafeMutablePointer<UInt32>, capacity: Int
    ) -> Bool {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 16 + 16 + 16 + 320) { scratch in
            let counts = scratch.baseAddress!
            let remaining = counts + 16
            let offsets = counts + 32
            let sorted = counts + 48
            for i in 0..<48 { counts[i] = 0 }
            for s in 0..<count { counts[Int(lengths[s])] += 1 }
            counts[0] = 0
            var maxLength = 0
            for len in 1...15 where counts[len] != 0 { maxLength = len }

            let rootSize = 1 << rootBits
            let invalidRoot = invalid | UInt32(rootBits)
            for i in 0..<rootSize { table[i] = invalidRoot }
            if maxLength == 0 { return true }

            var left = 1
            for len in 1...15 {
                left <<= 1
                left -= counts[len]
                if left < 0 { return false }
            }
            if left > 0 && (alphabet == .codeLength || maxLength != 1) { return false }

            offsets[1] = 0
            for len in 1..<15 { offsets[len + 1] = offsets[len] + counts[len] }
            for s in 0..<count where lengths[s] != 0 {
                let len = Int(lengths[s])
                sorted[offsets[len]] = s
                offsets[len] += 1
            }
            for len in 0..<16 { remaining[len] = counts[len] }

            var code = 0
            var index = 0
            var next = rootSize
            var currentPrefix = -1
            var subOffset = 0
            var subBits = 0
            let rootMask = rootSize - 1
            for len in 1...maxLength {
                for _ in 0..<counts[len] {
                    let symbol = sorted[index]
                    index += 1
                    let reversed = reverse(code, bits: len)
                    let value = entry(for: symbol, in: alphabet) | UInt32(len)
                    if len <= rootBits {
                        var i = reversed
                        while i < rootSize {
                            table[i] = value
                            i += 1 << len
                        }
                    } else {
                        let prefix = reversed & rootMask
                        if prefix != currentPrefix {
                            var bits = len - rootBits
                            var room = 1 << bits
                            while bits + rootBits < maxLength {
                                room -= remaining[bits + rootBits]
                                if room <= 0 { break }
                                bits += 1
                                room <<= 1
                            }
                            guard next + (1 << bits) <= capacity else { return false }
                            subOffset = next
                            subBits = bits
                            next += 1 << bits
                            currentPrefix = prefix
                            let invalidSub = invalid | UInt32(rootBits + bits)
                            for i in 0..<(1 << bits) { table[subOffset + i] = invalidSub }
                            table[prefix] = link | UInt32(rootBits) | UInt32(bits) << 8
                                | UInt32(subOffset) << 16
                        }
                        var i = reversed >> rootBits
                        while i < 1 << subBits {
                            table[subOffset + i] = value
                            i += 1 << (len - rootBits)
                        }
                    }
                    remaining[len] -= 1
                    code += 1
                }
                code <<= 1
            }
            return true
        }
    }

    /// The low `bits` bits of `code` in reverse order.
    @inline(__always)
    static func reverse(_ code: Int, bits: Int) -> Int {
        var c = UInt32(truncatingIfNeeded: code)
        c = (c & 0x5555_5555) << 1 | (c >> 1) & 0x5555_5555
        c = (c & 0x3333_3333) << 2 | (c >> 2) & 0x3333_3333
        c = (c & 0x0F0F_0F0F) << 4 | (c >> 4) & 0x0F0F_0F0F
        c = (c & 0x00FF_00FF) << 8 | (c >> 8) & 0x00FF_00FF
        c = c << 16 | c >> 16
        return Int(c >> (32 - UInt32(bits)))
    }
}
