import DICOMCore

/// Colour photometric interpretations to 8-bit RGB (PS3.3 C.7.6.3.1.2, C.7.6.3.1.5, C.7.9).
extension PixelPipeline {
    /// RGB, YBR_FULL, YBR_FULL_422 (native: Y Y Cb Cr per pair of pixels), and YBR_RCT/YBR_ICT, which
    /// a JPEG 2000 decoder has already turned back into RGB. Planar configuration 0 or 1. Samples
    /// wider than 8 bits are shifted down to their top 8 bits.
    static func renderColour(_ frame: NativeFrame, photometric: String) throws -> Rendering {
        let d = frame.description
        let n = d.rows * d.columns
        let is422 = photometric == "YBR_FULL_422"
        guard d.bitsAllocated == 8 || d.bitsAllocated == 16 else {
            throw ImagingError(.invalidDescription, "\(photometric) with Bits Allocated \(d.bitsAllocated) is not supported")
        }
        if is422 {
            guard d.columns % 2 == 0 else { throw ImagingError(.invalidDescription, "YBR_FULL_422 needs an even number of columns, not \(d.columns)") }
            try frame.validateForRendering(samplesPerPixel: 3, byteCount: n * 2 * d.bitsAllocated / 8)
        } else {
            try frame.validateForRendering(samplesPerPixel: 3)
        }
        let shift = d.highBit - d.bitsStored + 1
        let down = max(d.bitsStored - 8, 0), up = max(8 - d.bitsStored, 0)
        let wide = d.bitsAllocated == 16
        var out = [UInt8](repeating: 0, count: n * 3)
        frame.bytes.withUnsafeBytes { raw in
            @inline(__always) func sample(_ i: Int) -> Int {
                let r = wide ? Int(raw[2 * i]) | Int(raw[2 * i + 1]) << 8 : Int(raw[i])
                let v = NativeFrame.storedValue(raw: r, shift: shift, bitsStored: d.bitsStored, signed: false)
                return (v >> down) << up
            }
            for p in 0..<n {
                var c0: Int, c1: Int, c2: Int
                if is422 {
                    // Each pair of pixels is stored as Y1 Y2 Cb Cr (PS3.3 C.7.6.3.1.2).
                    let pair = p / 2
                    c0 = sample(4 * pair + (p & 1)); c1 = sample(4 * pair + 2); c2 = sample(4 * pair + 3)
                } else if d.planarConfiguration == 1 {
                    c0 = sample(p); c1 = sample(n + p); c2 = sample(2 * n + p)
                } else {
                    c0 = sample(3 * p); c1 = sample(3 * p + 1); c2 = sample(3 * p + 2)
                }
                if photometric == "YBR_FULL" || is422 { (c0, c1, c2) = ybrFullToRGB(c0, c1, c2) }
                out[3 * p] = UInt8(c0); out[3 * p + 1] = UInt8(c1); out[3 * p + 2] = UInt8(c2)
            }
        }
        let image = RenderedImage(width: d.columns, height: d.rows, format: .rgb8, bytes: out)
        return Rendering(image: image, choice: RenderChoice(photometricInterpretation: d.photometricInterpretation, modality: .identity,
                                                            voi: nil, voiSource: "none (colour)", inverted: false, format: .rgb8))
    }

    /// YBR_FULL to RGB for 8-bit samples (PS3.3 C.7.6.3.1.2, ITU-R BT.601 full range), rounded to
    /// the nearest level and clamped.
    @inline(__always)
    static func ybrFullToRGB(_ y: Int, _ cb: Int, _ cr: Int) -> (Int, Int, Int) {
        let yy = Double(y), b = Double(cb - 128), r = Double(cr - 128)
        func clamp(_ v: Double) -> Int { min(max(Int((v + 0.5).rounded(.down)), 0), 255) }
        return (clamp(yy + 1.402 * r), clamp(yy - 0.344136 * b - 0.714136 * r), clamp(yy + 1.772 * b))
    }

    /// PALETTE COLOR: each stored value looks up red, green and blue in the Palette Color Lookup
    /// Tables (plain or segmented, 8- or 16-bit entries; 16-bit entries keep their top 8 bits).
    static func renderPalette(_ frame: NativeFrame, dataSet: DataSet) throws -> Rendering {
        try frame.validateForRendering(samplesPerPixel: 1)
        let d = frame.description
        let tables = try PaletteColorTables(dataSet: dataSet, signedInput: d.isSigned)
        let stored = try frame.storedValues()
        var out = [UInt8](repeating: 0, count: stored.count * 3)
        let shifts = [tables.red, tables.green, tables.blue].map { max($0.bits - 8, 0) }
        for (i, v) in stored.enumerated() {
            out[3 * i] = UInt8(truncatingIfNeeded: tables.red.value(v) >> shifts[0])
            out[3 * i + 1] = UInt8(truncatingIfNeeded: tables.green.value(v) >> shifts[1])
            out[3 * i + 2] = UInt8(truncatingIfNeeded: tables.blue.value(v) >> shifts[2])
        }
        let image = RenderedImage(width: d.columns, height: d.rows, format: .rgb8, bytes: out)
        return Rendering(image: image, choice: RenderChoice(photometricInterpretation: d.photometricInterpretation, modality: .identity,
                                                            voi: nil, voiSource: "none (palette colour)", inverted: false, format: .rgb8))
    }
}

/// The three Palette Color Lookup Tables of a data set (PS3.3 C.7.6.3.1.5 and C.7.9).
public struct PaletteColorTables: Sendable, Equatable {
    public var red: LookupTable
    public var green: LookupTable
    public var blue: LookupTable

    public init(dataSet: DataSet, signedInput: Bool = false) throws {
        func table(_ descriptor: Tag, _ data: Tag, _ segmented: Tag, _ name: String) throws -> LookupTable {
            guard let desc = dataSet[descriptor] else {
                throw ImagingError(.invalidDescription, "PALETTE COLOR without a \(name) Palette Color Lookup Table Descriptor")
            }
            if let plain = dataSet[data] {
                return try LookupTable(descriptor: desc, data: plain, signedInput: signedInput)
            }
            guard let seg = dataSet[segmented] else {
                throw ImagingError(.invalidDescription, "PALETTE COLOR without \(name) Palette Color Lookup Table Data")
            }
            let d = DataSet.ints(of: desc)
            guard d.count == 3 else { throw ImagingError(.invalidDescription, "\(name) palette descriptor has \(d.count) values, not 3") }
            let count = LookupTable.entryCount(d[0])
            let bytes = seg.value.bytes
            let words = d[2] == 8
                ? bytes.map(Int.init)
                : stride(from: 0, to: bytes.count - 1, by: 2).map { Int(bytes[$0]) | Int(bytes[$0 + 1]) << 8 }
            let entries = try SegmentedLookupTable.expand(words, entryCount: count)
            guard !entries.isEmpty else { throw ImagingError(.invalidDescription, "\(name) segmented palette is empty") }
            var first = d[1]
            if desc.vr != .SS, signedInput, first > 32767 { first -= 65536 }
            return LookupTable(firstMapped: first, bits: d[2] == 8 ? 8 : 16, entries: entries)
        }
        red = try table(.redPaletteColorLookupTableDescriptor, .redPaletteColorLookupTableData, .segmentedRedPaletteColorLookupTableData, "Red")
        green = try table(.greenPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableData, .segmentedGreenPaletteColorLookupTableData, "Green")
        blue = try table(.bluePaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableData, .segmentedBluePaletteColorLookupTableData, "Blue")
    }
}
