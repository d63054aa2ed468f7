import DICOMCore

/// A lookup table as the Modality LUT, VOI LUT and Palette Color LUT modules describe it (PS3.3
/// C.11.1, C.11.2, C.7.6.3.1.5): entries for the input values `firstMapped ..< firstMapped + count`;
/// inputs below the first mapped value get the first entry, inputs above the last get the last.
public struct LookupTable: Sendable, Equatable {
    /// The first input value mapped (the descriptor's second value).
    public var firstMapped: Int
    /// Bits of each entry (the descriptor's third value): output values lie in 0 ..< 2^bits.
    public var bits: Int
    public var entries: [Int]

    public init(firstMapped: Int, bits: Int, entries: [Int]) {
        self.firstMapped = firstMapped
        self.bits = bits
        self.entries = entries
    }

    /// The entry for input `x` (truncated toward zero to an integer input, clamped to the table).
    @inline(__always)
    public func value(_ x: Int) -> Int {
        let i = x - firstMapped
        if i <= 0 { return entries[0] }
        if i >= entries.count { return entries[entries.count - 1] }
        return entries[i]
    }

    /// The entry for a real input: the table applies to integers; fractional inputs are floored.
    @inline(__always)
    public func value(_ x: Double) -> Int {
        guard x.isFinite else { return x > 0 ? entries[entries.count - 1] : entries[0] }
        let clamped = min(max(x.rounded(.down), Double(firstMapped)), Double(firstMapped + entries.count - 1))
        return value(Int(clamped))
    }

    /// 2^bits: the number of output levels the table's entries are drawn from.
    public var outputLevels: Int { 1 << bits }

    /// Reads a table from its descriptor (count, first mapped, bits) and data elements.
    ///
    /// - `signedInput`: the input values are signed (Pixel Representation 1), so a first-mapped
    ///   value written as US is read as two's complement (PS3.3 C.11.1.1.1).
    /// - A count of 0 means 65536 (C.11.1.1.1).
    /// - Entries of 8 bits may be packed two to a 16-bit word (as Palette Color LUT Data are) or
    ///   one per word; the data length tells which.
    public init(descriptor: DataElement, data: DataElement, signedInput: Bool) throws {
        let d = DataSet.ints(of: descriptor)
        guard d.count == 3 else {
            throw ImagingError(.invalidDescription, "LUT Descriptor \(descriptor.tag) has \(d.count) values, not 3")
        }
        let count = Self.entryCount(d[0])
        var first = d[1]
        if descriptor.vr != .SS, signedInput, first > 32767 { first -= 65536 }
        var bits = d[2]
        let bytes = data.value.bytes
        var entries: [Int]
        if bytes.count >= count && bytes.count < 2 * count && bits <= 8 {
            entries = bytes.prefix(count).map(Int.init)
        } else {
            entries = stride(from: 0, to: bytes.count - 1, by: 2).prefix(count).map { Int(bytes[$0]) | Int(bytes[$0 + 1]) << 8 }
        }
        guard !entries.isEmpty else {
            throw ImagingError(.invalidDescription, "LUT Data \(data.tag) is empty")
        }
        if entries.count < count {
            // A short table: keep what is there (the last entry then maps everything above).
            entries += [Int](repeating: entries[entries.count - 1], count: count - entries.count)
        }
        if !(1...16).contains(bits) {
            // Out of range: take the width the largest entry needs (as DCMTK does).
            let maximum = entries.max() ?? 0
            bits = max(8, maximum == 0 ? 1 : Int.bitWidth - maximum.leadingZeroBitCount)
        }
        self.init(firstMapped: first, bits: bits, entries: entries)
    }

    /// The number of entries a descriptor's first value stands for: 0 means 65536, and a value
    /// read as SS (negative) is the same 16 bits read unsigned.
    static func entryCount(_ value: Int) -> Int {
        let v = value < 0 ? value + 65536 : value
        return v <= 0 || v > 65535 ? 65536 : v
    }

    /// Reads the table held by one item of a Modality LUT Sequence or VOI LUT Sequence (LUT
    /// Descriptor and LUT Data), or nil when the item has neither.
    public init?(item: DataSet, signedInput: Bool) throws {
        guard let descriptor = item[.lutDescriptor], let data = item[.lutData] else { return nil }
        try self.init(descriptor: descriptor, data: data, signedInput: signedInput)
    }
}
