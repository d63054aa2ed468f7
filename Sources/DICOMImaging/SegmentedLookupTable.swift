/// Expands Segmented Palette Color Lookup Table Data (PS3.3 C.7.9.2) into plain table entries.
///
/// The data is a list of 16-bit words forming segments, each starting with an opcode:
/// - 0, discrete: a length n, then n entry values.
/// - 1, linear: a length n and an end value; n entries on the straight line from the previous
///   entry to the end value, the last one equal to it. Entries are rounded to the nearest integer
///   (halves to even, as pydicom's `numpy.around`).
/// - 2, indirect: a count of segments and a 32-bit offset (least significant word first) counted in
///   16-bit words from the start of the data, as pydicom reads it; those segments are expanded again. Indirect segments may not point at other
///   indirect segments (the standard forbids it, and it could loop).
public enum SegmentedLookupTable {
    /// Expansion stops at `entryCount` entries (65536 when not given): hostile data cannot make it
    /// grow without bound.
    public static func expand(_ words: [Int], entryCount: Int? = nil) throws -> [Int] {
        let cap = max(0, entryCount ?? 65536)
        var out: [Int] = []
        var offset = 0
        while offset < words.count && out.count < cap {
            offset = try expandSegment(words, at: offset, into: &out, allowIndirect: true, cap: cap)
        }
        if out.count > cap { out.removeLast(out.count - cap) }
        return out
    }

    /// Expands the segment at `offset`; returns the offset of the next one.
    static func expandSegment(_ w: [Int], at offset: Int, into out: inout [Int], allowIndirect: Bool, cap: Int) throws -> Int {
        func need(_ n: Int) throws {
            guard offset + n <= w.count else {
                throw ImagingError(.invalidDescription, "segmented LUT data ends inside a segment (word \(offset))")
            }
        }
        try need(2)
        let opcode = w[offset], length = w[offset + 1]
        switch opcode {
        case 0:
            try need(2 + length)
            out += w[(offset + 2)..<(offset + 2 + length)]
            return offset + 2 + length
        case 1:
            try need(3)
            guard let y0 = out.last else {
                throw ImagingError(.invalidDescription, "segmented LUT data starts with a linear segment (word \(offset))")
            }
            let y1 = w[offset + 2]
            for i in 1...max(length, 1) where length > 0 && out.count < cap {
                let y = Double(y0) + Double(y1 - y0) * Double(i) / Double(length)
                out.append(Int(y.rounded(.toNearestOrEven)))
            }
            return offset + 3
        case 2:
            try need(4)
            guard allowIndirect else {
                throw ImagingError(.invalidDescription, "segmented LUT data: indirect segment refers to an indirect segment (word \(offset))")
            }
            var target = w[offset + 2] | w[offset + 3] << 16
            for _ in 0..<length where out.count < cap {
                guard target < w.count else {
                    throw ImagingError(.invalidDescription, "segmented LUT data: indirect segment points past the data (word \(target))")
                }
                target = try expandSegment(w, at: target, into: &out, allowIndirect: false, cap: cap)
            }
            return offset + 4
        default:
            throw ImagingError(.invalidDescription, "segmented LUT data: unknown opcode \(opcode) (word \(offset))")
        }
    }
}
