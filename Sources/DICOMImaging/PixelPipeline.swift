import DICOMCore

/// Native frame + data set → a picture, in the order PS3.3 C.11 and PS3.14 define (see
/// docs/pixel-pipeline.md): stored values (masked to Bits Stored, sign-extended) → Modality LUT →
/// VOI LUT → Presentation LUT shape (MONOCHROME1 inverted after VOI) → output levels; colour
/// images (RGB, YBR_*, PALETTE COLOR) go to 8-bit RGB.
///
/// ```swift
/// let frame: NativeFrame = …                                   // from a decoder or native Pixel Data
/// let r = try PixelPipeline.render(frame, dataSet: file.dataSet, frameIndex: 0,
///                                  options: RenderOptions(window: .fileWindow(index: 0)))
/// let png = PNGEncoder.preview.encode(r.image)                  // r.choice says what was used
/// ```
///
/// Pure function: no I/O; errors are `ImagingError`.
public enum PixelPipeline {
    public struct Rendering: Sendable, Equatable {
        public var image: RenderedImage
        public var choice: RenderChoice
    }

    public static func render(_ frame: NativeFrame, dataSet: DataSet, frameIndex: Int = 0,
                              options: RenderOptions = RenderOptions()) throws -> Rendering {
        let pi = normalized(frame.description.photometricInterpretation)
        switch pi {
        case "MONOCHROME1", "MONOCHROME2":
            return try renderGrey(frame, dataSet: dataSet, frameIndex: frameIndex, options: options, monochrome1: pi == "MONOCHROME1")
        case "PALETTE COLOR":
            return try renderPalette(frame, dataSet: dataSet)
        case "RGB", "YBR_FULL", "YBR_FULL_422", "YBR_RCT", "YBR_ICT":
            return try renderColour(frame, photometric: pi)
        default:
            throw ImagingError(.invalidDescription, "photometric interpretation \(pi) cannot be rendered")
        }
    }

    /// A photometric interpretation as compared: upper case, without padding spaces or NULs.
    static func normalized(_ photometric: String) -> String {
        var s = Substring(photometric)
        while s.first == " " { s.removeFirst() }
        while s.last == " " || s.last == "\0" { s.removeLast() }
        return s.uppercased()
    }

    // MARK: Greyscale

    static func renderGrey(_ frame: NativeFrame, dataSet: DataSet, frameIndex: Int, options: RenderOptions,
                           monochrome1: Bool) throws -> Rendering {
        try frame.validateForRendering(samplesPerPixel: 1)
        let d = frame.description
        guard options.depth == 8 || options.depth == 16 else {
            throw ImagingError(.invalidDescription, "output depth \(options.depth) is not 8 or 16")
        }
        let maxOutput = options.depth == 16 ? 65535 : 255
        let isFloat = d.bitsAllocated == 64 || (!dataSet.contains(.pixelData) && dataSet.contains(.floatPixelData))
        let modality = try ModalityTransform(dataSet: dataSet, frameIndex: frameIndex, signedInput: d.isSigned)
        let shape = dataSet.string(.presentationLUTShape)?.uppercased()
        let inverted = options.inverse ?? (monochrome1 || shape == "INVERSE")
        let format: RenderedImage.Format = options.depth == 16 ? .grey16 : .grey8
        let n = d.rows * d.columns

        if !isFloat && d.bitsAllocated <= 16 {
            // Each pixel's Bits Stored bits form a code below 2^Bits Stored: the whole chain becomes
            // one table over the codes (sign extension included), and each pixel one look-up.
            let codeCount = 1 << d.bitsStored
            var modalityOfCode = [Double](repeating: 0, count: codeCount)
            for code in 0..<codeCount {
                let stored = NativeFrame.storedValue(raw: code, shift: 0, bitsStored: d.bitsStored, signed: d.isSigned)
                modalityOfCode[code] = modality.apply(Double(stored))
            }
            var cached: ValueStatistics?
            func statistics() -> ValueStatistics {
                if let cached { return cached }
                let s = ValueStatistics(histogram: histogram(frame, codeCount: codeCount), values: modalityOfCode, integral: modality.isIntegral)
                cached = s
                return s
            }
            let (voi, source) = try chooseVOI(dataSet: dataSet, frameIndex: frameIndex, options: options,
                                              statistics: statistics, modality: modality, description: d, isFloat: false)
            let table = modalityOfCode.map { UInt16(voi.output($0, maxOutput: maxOutput, inverted: inverted)) }
            let image = apply(table, to: frame, format: format)
            return Rendering(image: image, choice: RenderChoice(photometricInterpretation: d.photometricInterpretation, modality: modality,
                                                                voi: voi, voiSource: source, inverted: inverted, format: format))
        }
        // 32-bit integers, Float and Double Float Pixel Data: per sample, in Double.
        let samples = isFloat ? try frame.floatValues() : try frame.storedValues().map(Double.init)
        let values = samples.map { modality.apply($0) }
        let statistics = ValueStatistics(values: values, integral: !isFloat && modality.isIntegral)
        let (voi, source) = try chooseVOI(dataSet: dataSet, frameIndex: frameIndex, options: options,
                                          statistics: { statistics }, modality: modality, description: d, isFloat: isFloat)
        var bytes = [UInt8](repeating: 0, count: n * format.bytesPerPixel)
        for i in 0..<n {
            let v = voi.output(values[i], maxOutput: maxOutput, inverted: inverted)
            if format == .grey16 {
                bytes[2 * i] = UInt8(v >> 8)
                bytes[2 * i + 1] = UInt8(v & 0xFF)
            } else {
                bytes[i] = UInt8(v)
            }
        }
        return Rendering(image: RenderedImage(width: d.columns, height: d.rows, format: format, bytes: bytes),
                         choice: RenderChoice(photometricInterpretation: d.photometricInterpretation, modality: modality,
                                              voi: voi, voiSource: source, inverted: inverted, format: format))
    }

    /// How many pixels of a 1-, 8- or 16-bit frame hold each code (Bits Stored bits, unsigned).
    static func histogram(_ frame: NativeFrame, codeCount: Int) -> [Int] {
        let d = frame.description
        var counts = [Int](repeating: 0, count: codeCount)
        let n = d.rows * d.columns
        let shift = d.highBit - d.bitsStored + 1, mask = codeCount - 1
        counts.withUnsafeMutableBufferPointer { h in
            frame.bytes.withUnsafeBytes { raw in
                switch d.bitsAllocated {
                case 1: for i in 0..<n { h[Int(raw[i >> 3] >> UInt8(i & 7)) & 1] += 1 }
                case 8: for i in 0..<n { h[(Int(raw[i]) >> shift) & mask] += 1 }
                default: for i in 0..<n { h[((Int(raw[2 * i]) | Int(raw[2 * i + 1]) << 8) >> shift) & mask] += 1 }
                }
            }
        }
        return counts
    }

    /// Maps every code (Bits Stored bits, unsigned) of a 1-, 8- or 16-bit frame through `table` into
    /// an image of `format`.
    static func apply(_ table: [UInt16], to frame: NativeFrame, format: RenderedImage.Format) -> RenderedImage {
        let d = frame.description
        let n = d.rows * d.columns
        let shift = d.highBit - d.bitsStored + 1, mask = table.count - 1
        var bytes = [UInt8](repeating: 0, count: n * format.bytesPerPixel)
        table.withUnsafeBufferPointer { t in
            frame.bytes.withUnsafeBytes { raw in
                bytes.withUnsafeMutableBufferPointer { out in
                    @inline(__always) func code(_ i: Int) -> Int {
                        switch d.bitsAllocated {
                        case 1: return Int(raw[i >> 3] >> UInt8(i & 7)) & 1
                        case 8: return (Int(raw[i]) >> shift) & mask
                        default: return ((Int(raw[2 * i]) | Int(raw[2 * i + 1]) << 8) >> shift) & mask
                        }
                    }
                    if format == .grey16 {
                        for i in 0..<n {
                            let v = t[code(i)]
                            out[2 * i] = UInt8(v >> 8)
                            out[2 * i + 1] = UInt8(v & 0xFF)
                        }
                    } else if d.bitsAllocated == 16 {
                        for i in 0..<n { out[i] = UInt8(truncatingIfNeeded: t[((Int(raw[2 * i]) | Int(raw[2 * i + 1]) << 8) >> shift) & mask]) }
                    } else {
                        for i in 0..<n { out[i] = UInt8(truncatingIfNeeded: t[code(i)]) }
                    }
                }
            }
        }
        return RenderedImage(width: d.columns, height: d.rows, format: format, bytes: bytes)
    }

    // MARK: Choosing the VOI

    /// The VOI for the frame and a short account of where it came from.
    static func chooseVOI(dataSet: DataSet, frameIndex: Int, options: RenderOptions, statistics: () -> ValueStatistics,
                          modality: ModalityTransform, description d: ImagePixelDescription,
                          isFloat: Bool) throws -> (VOITransform, String) {
        let windows = fileWindows(dataSet: dataSet, frameIndex: frameIndex)
        // A VOI LUT's first mapped value is signed when the modality values can be negative (C.11.2.1.1).
        let signedModality = isFloat || fullRange(modality: modality, description: d, statistics: nil).lowerBound < 0
        let luts = try fileLUTs(dataSet: dataSet, frameIndex: frameIndex, signedInput: signedModality)
        switch options.window {
        case .automatic:
            if let first = windows.first(where: \.isValid), let i = windows.firstIndex(of: first) {
                return (first, "window \(i + 1) of \(windows.count) (file)")
            }
            if let first = luts.first { return (first, "VOI LUT 1 of \(luts.count) (file)") }
            return (statistics().window(lowPercent: 0.5, highPercent: 99.5), "percentiles 0.5–99.5 (computed)")
        case .fileWindow(let index):
            guard windows.indices.contains(index), windows[index].isValid else {
                throw ImagingError(.invalidDescription, "the file has no valid window \(index + 1) (it has \(windows.count))")
            }
            return (windows[index], "window \(index + 1) of \(windows.count) (file)")
        case .fileLUT(let index):
            guard luts.indices.contains(index) else {
                throw ImagingError(.invalidDescription, "the file has no VOI LUT \(index + 1) (it has \(luts.count))")
            }
            return (luts[index], "VOI LUT \(index + 1) of \(luts.count) (file)")
        case .explicit(let c, let w, let f):
            let voi = VOITransform.window(center: c, width: w, function: f)
            guard voi.isValid else { throw ImagingError(.invalidDescription, "window center \(c) width \(w) is not valid for \(f.rawValue)") }
            return (voi, "window given")
        case .minMax:
            return (statistics().window(lowPercent: 0, highPercent: 100), "minimum–maximum (computed)")
        case .percentiles(let lo, let hi):
            guard 0 <= lo, lo < hi, hi <= 100 else { throw ImagingError(.invalidDescription, "percentiles \(lo)–\(hi) are not 0 ≤ low < high ≤ 100") }
            return (statistics().window(lowPercent: lo, highPercent: hi), "percentiles \(DataSet.format(lo))–\(DataSet.format(hi)) (computed)")
        case .fullRange:
            let range = fullRange(modality: modality, description: d, statistics: isFloat ? statistics() : nil)
            return (.fullRange(minimum: range.lowerBound, maximum: range.upperBound), "full range (no VOI)")
        }
    }

    /// Window Center/Width pairs of the frame: its Frame VOI LUT functional group, else the data set's.
    static func fileWindows(dataSet: DataSet, frameIndex: Int) -> [VOITransform] {
        let grouped = FunctionalGroups.item(.frameVOILUTSequence, frame: frameIndex, in: dataSet)
        let source = grouped.map { $0.contains(.windowCenter) ? $0 : dataSet } ?? dataSet
        let centers = source.doubles(.windowCenter), widths = source.doubles(.windowWidth)
        let function = VOILUTFunction(attribute: source.string(.voilutFunction))
        return zip(centers, widths).map { .window(center: $0, width: $1, function: function) }
    }

    /// Tables of the frame's VOI LUT Sequence (in its Frame VOI LUT functional group, else the data set's).
    static func fileLUTs(dataSet: DataSet, frameIndex: Int, signedInput: Bool) throws -> [VOITransform] {
        let grouped = FunctionalGroups.item(.frameVOILUTSequence, frame: frameIndex, in: dataSet)
        var items = grouped?.items(.voilutSequence) ?? []
        if items.isEmpty { items = dataSet.items(.voilutSequence) }
        return try items.compactMap { try LookupTable(item: $0, signedInput: signedInput) }.map { .lut($0) }
    }

    /// The range modality values can take: all stored values through the modality transform (DCMTK's
    /// absolute minimum and maximum), or for floating-point data the frame's own range.
    static func fullRange(modality: ModalityTransform, description d: ImagePixelDescription,
                          statistics: ValueStatistics?) -> ClosedRange<Double> {
        if let statistics { return statistics.minimum...max(statistics.minimum, statistics.maximum) }
        let lo = d.isSigned ? -Double(1 << (d.bitsStored - 1)) : 0
        let hi = d.isSigned ? Double(1 << (d.bitsStored - 1)) - 1 : Double((1 << d.bitsStored) - 1)
        switch modality {
        case .identity: return lo...hi
        case .lut(let t): return 0...Double(t.outputLevels - 1)
        case .rescale:
            let a = modality.apply(lo), b = modality.apply(hi)
            return min(a, b)...max(a, b)
        }
    }
}
