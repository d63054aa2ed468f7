import DICOMCore

/// The frames of one data set's pixel data, each available on its own: asking for frame N reads
/// (and for compressed syntaxes decodes) frame N only.
///
/// Native pixel data is sliced: frame N starts at N × the frame's bit size, so 1-bit frames that
/// do not end on a byte boundary are shifted out of the shared bytes; values are little-endian
/// (the reader converts big-endian data; 32-bit samples read as OW from a big-endian file get
/// their halves put back in order here).
///
/// Encapsulated pixel data: a frame's fragments are found, in this order of preference, by the
/// Extended Offset Table (7FE0,0001/0002), by the Basic Offset Table, by one fragment per frame
/// when the fragment count equals Number of Frames (always so for RLE), or — a single frame
/// aside — by scanning for fragments that start with a JPEG SOI marker (0xFFD8), each starting
/// a frame.
public struct PixelDataFrames: Sendable {
    public let description: ImagePixelDescription
    public let transferSyntax: TransferSyntax
    private let value: Value
    private let pixelVR: VR
    private let extendedOffsets: [Int]?
    private let extendedLengths: [Int]?

    public init(dataSet: DataSet, transferSyntax: TransferSyntax) throws {
        description = try ImagePixelDescription(dataSet: dataSet)
        self.transferSyntax = transferSyntax
        guard let element = dataSet[.pixelData] ?? dataSet[Tag(0x7FE0_0008)] ?? dataSet[Tag(0x7FE0_0009)] else {
            throw ImagingError(.invalidDescription, "the data set has no Pixel Data (7FE0,0010)")
        }
        value = element.value
        pixelVR = element.vr
        if let e = dataSet[.extendedOffsetTable], let l = dataSet[.extendedOffsetTableLengths] {
            let o = Self.uint64s(e.value), n = Self.uint64s(l.value)
            if o.count == n.count, o.count == description.numberOfFrames {
                extendedOffsets = o
                extendedLengths = n
            } else {
                extendedOffsets = nil
                extendedLengths = nil
            }
        } else {
            extendedOffsets = nil
            extendedLengths = nil
        }
    }

    public var count: Int { description.numberOfFrames }

    /// True when the pixel data is encapsulated (compressed).
    public var isEncapsulated: Bool {
        if case .fragments = value { return true }
        return false
    }

    /// Frame `index` (0-based) as native pixels.
    public func frame(_ index: Int) throws -> NativeFrame {
        guard index >= 0, index < count else {
            throw ImagingError(.frameOutOfRange, "frame \(index + 1) requested, the pixel data has \(count)")
        }
        guard case .fragments = value else { return try nativeFrame(index) }
        let encoded = try encodedFrame(index)
        let uid = transferSyntax.uid
        if uid == "1.2.840.10008.1.2.1.98" {  // Encapsulated Uncompressed Explicit VR Little Endian
            guard encoded.count >= description.frameByteCount else {
                throw ImagingError(.corruptData, "encapsulated frame has \(encoded.count) bytes, needs \(description.frameByteCount)", frame: index)
            }
            var single = description
            single.numberOfFrames = 1
            return NativeFrame(description: single, bytes: Array(encoded.prefix(description.frameByteCount)))
        }
        guard let decoder = FrameDecoders.decoder(for: uid) else {
            throw ImagingError(.unsupportedTransferSyntax, "no decoder for transfer syntax \(transferSyntax.name) (\(uid))", frame: index)
        }
        var single = description
        single.numberOfFrames = 1
        do {
            return try decoder.decode(encoded, as: single)
        } catch var e as ImagingError {
            if e.frame == nil { e.frame = index }
            throw e
        }
    }

    // MARK: - Native

    private func nativeFrame(_ index: Int) throws -> NativeFrame {
        var single = description
        single.numberOfFrames = 1
        let bitsPerFrame = description.rows * description.columns * description.samplesPerPixel * description.bitsAllocated
        let size = single.frameByteCount
        let startBit = index * bitsPerFrame
        let bytes: [UInt8] = try value.withUnsafeBytes { raw in
            let needed = (startBit + bitsPerFrame + 7) / 8
            guard needed <= raw.count else {
                throw ImagingError(.corruptData, "Pixel Data holds \(raw.count) bytes; frame \(index + 1) needs \(needed)",
                                   frame: index, offset: raw.count)
            }
            var out: [UInt8]
            let shift = startBit % 8, first = startBit / 8
            if shift == 0 {
                out = Array(raw[first..<(first + size)])
            } else {
                // 1-bit frame starting inside a byte: bits are packed least significant first.
                out = [UInt8](repeating: 0, count: size)
                for i in 0..<size {
                    let lo = raw[first + i] >> UInt8(shift)
                    let hi: UInt8 = first + i + 1 < raw.count ? raw[first + i + 1] << UInt8(8 - shift) : 0
                    out[i] = lo | hi
                }
            }
            // Bits of the next frame sharing the last byte are cleared.
            let spare = size * 8 - bitsPerFrame
            if spare > 0 { out[size - 1] &= UInt8(0xFF >> spare) }
            return out
        }
        var result = bytes
        if transferSyntax.isBigEndian, description.bitsAllocated == 32, pixelVR == .OW {
            // Read as 16-bit words: swap the two halves of each 32-bit sample into little-endian order.
            result.withUnsafeMutableBufferPointer { p in
                var i = 0
                while i + 3 < p.count { p.swapAt(i, i + 2); p.swapAt(i + 1, i + 3); i += 4 }
            }
        }
        return NativeFrame(description: single, bytes: result)
    }

    // MARK: - Encapsulated

    /// The encoded bytes of frame `index`: its fragments, joined.
    public func encodedFrame(_ index: Int) throws -> [UInt8] {
        guard case .fragments(let pixels) = value else {
            throw ImagingError(.invalidDescription, "pixel data is not encapsulated", frame: index)
        }
        let range = try fragmentRange(of: index, in: pixels)
        if range.count == 1 { return pixels.fragments[range.lowerBound].withUnsafeBytes { Array($0) } }
        var out: [UInt8] = []
        out.reserveCapacity(pixels.fragments[range].reduce(0) { $0 + $1.count })
        for f in pixels.fragments[range] { f.withUnsafeBytes { out.append(contentsOf: $0) } }
        return out
    }

    /// Which fragments make up frame `index`.
    func fragmentRange(of index: Int, in pixels: EncapsulatedPixelData) throws -> Range<Int> {
        let fragments = pixels.fragments
        guard !fragments.isEmpty else {
            throw ImagingError(.corruptData, "encapsulated Pixel Data has no fragments", frame: index)
        }
        // Item positions relative to the first fragment's item tag, as offset tables count them.
        func positions() -> [Int] {
            var p: [Int] = [], at = 0
            for f in fragments { p.append(at); at += 8 + f.count }
            return p
        }
        if let offsets = extendedOffsets {
            let p = positions()
            guard let i = p.firstIndex(of: offsets[index]) else {
                throw ImagingError(.corruptData, "Extended Offset Table entry \(offsets[index]) does not start a fragment", frame: index)
            }
            return i..<(i + 1)
        }
        let bot = pixels.basicOffsetTable
        if bot.count == count, count > 0 {
            let p = positions()
            guard let start = p.firstIndex(of: Int(bot[index])) else {
                throw ImagingError(.corruptData, "Basic Offset Table entry \(bot[index]) does not start a fragment", frame: index)
            }
            var end = fragments.count
            if index + 1 < count {
                guard let e = p.firstIndex(of: Int(bot[index + 1])), e > start else {
                    throw ImagingError(.corruptData, "Basic Offset Table entry \(bot[index + 1]) does not start a later fragment", frame: index + 1)
                }
                end = e
            }
            return start..<end
        }
        if count == 1 { return 0..<fragments.count }
        if fragments.count == count { return index..<(index + 1) }
        // Scan: a frame starts at every fragment beginning with SOI.
        var starts: [Int] = []
        for (i, f) in fragments.enumerated() {
            let soi = f.withUnsafeBytes { $0.count >= 2 && $0[0] == 0xFF && $0[1] == 0xD8 }
            if soi { starts.append(i) }
        }
        guard starts.count == count, starts.first == 0 else {
            throw ImagingError(.corruptData,
                "cannot locate frames: no usable offset table, \(fragments.count) fragments for \(count) frames, \(starts.count) start with a JPEG SOI marker",
                frame: index)
        }
        return starts[index]..<(index + 1 < count ? starts[index + 1] : fragments.count)
    }

    static func uint64s(_ v: Value) -> [Int] {
        v.withUnsafeBytes { raw in
            stride(from: 0, to: raw.count - 7, by: 8).map { i in
                var x: UInt64 = 0
                for k in 0..<8 { x |= UInt64(raw[i + k]) << UInt64(8 * k) }
                return Int(truncatingIfNeeded: x)
            }
        }
    }
}
