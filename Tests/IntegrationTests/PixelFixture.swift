import Foundation
import XCTest
import DICOMCore
import DICOMCoding
import DICOMImaging

/// A synthetic image file for the pixel pipeline tests: attributes and samples chosen by the test,
/// written with cmr's writer, read back, and sliced into a `NativeFrame` (no codec involved).
struct PixelFixture {
    var rows = 32
    var columns = 32
    var bitsAllocated = 16
    var bitsStored = 12
    var signed = false
    var photometric = "MONOCHROME2"
    var samplesPerPixel = 1
    var planar = 0
    var frames = 1
    /// Sample values in frame order (all frames one after another); stored values for grey and
    /// palette images, raw component values for colour.
    var samples: [Int] = []
    /// Further attributes (windows, LUTs, rescale ...).
    var attributes: (inout DataSet) -> Void = { _ in }

    /// `count` values spread over [lo, hi], every value of a 64-step ramp plus both ends, in a
    /// fixed shuffled order: edges, midpoints and the full range all occur.
    static func spread(_ count: Int, _ lo: Int, _ hi: Int, seed: UInt64 = 1) -> [Int] {
        var state = seed
        return (0..<count).map { i in
            if i == 0 { return lo }
            if i == 1 { return hi }
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if i % 3 == 0 { return lo + Int((state >> 33) % UInt64(hi - lo + 1)) }
            return lo + (hi - lo) * (i % 64) / 63
        }
    }

    var description: ImagePixelDescription {
        ImagePixelDescription(rows: rows, columns: columns, samplesPerPixel: samplesPerPixel, bitsAllocated: bitsAllocated,
                              bitsStored: bitsStored, isSigned: signed, planarConfiguration: planar,
                              photometricInterpretation: photometric, numberOfFrames: frames)
    }

    /// The Pixel Data bytes: each value masked to Bits Stored (so sign extension is the reader's job).
    var pixelBytes: [UInt8] {
        let mask = bitsStored >= 32 ? 0xFFFF_FFFF : (1 << bitsStored) - 1
        var out: [UInt8] = []
        switch bitsAllocated {
        case 1:
            out = [UInt8](repeating: 0, count: (samples.count + 7) / 8)
            for (i, v) in samples.enumerated() where v & 1 != 0 { out[i >> 3] |= 1 << UInt8(i & 7) }
        case 8:
            out = samples.map { UInt8($0 & mask) }
        case 16:
            for v in samples { out += [UInt8(v & mask & 0xFF), UInt8((v & mask) >> 8)] }
        default:
            for v in samples { let u = UInt32(truncatingIfNeeded: v & mask); out += [UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF), UInt8(u >> 24)] }
        }
        if out.count % 2 == 1 { out.append(0) }
        return out
    }

    func dataSet() -> DataSet {
        var ds = DataSet()
        ds.setString(.sopClassUID, "1.2.840.10008.5.1.4.1.1.7")
        ds.setString(.sopInstanceUID, "1.2.826.0.1.3680043.2.1125.1.\(abs(samples.hashValue % 1_000_000))")
        ds.setString(.studyInstanceUID, "1.2.826.0.1.3680043.2.1125.2")
        ds.setString(.seriesInstanceUID, "1.2.826.0.1.3680043.2.1125.3")
        ds.setString(.modality, "OT")
        ds.setString(.patientName, "Pixel^Test")
        ds.setInt(.samplesPerPixel, samplesPerPixel, vr: .US)
        ds.setString(.photometricInterpretation, photometric)
        if samplesPerPixel > 1 { ds.setInt(.planarConfiguration, planar, vr: .US) }
        if frames > 1 { ds.setStrings(.numberOfFrames, [String(frames)], vr: .IS) }
        ds.setInt(.rows, rows, vr: .US)
        ds.setInt(.columns, columns, vr: .US)
        ds.setInt(.bitsAllocated, bitsAllocated, vr: .US)
        ds.setInt(.bitsStored, bitsStored, vr: .US)
        ds.setInt(.highBit, bitsStored - 1, vr: .US)
        ds.setInt(.pixelRepresentation, signed ? 1 : 0, vr: .US)
        attributes(&ds)
        ds.insert(DataElement(.pixelData, bitsAllocated > 8 ? .OW : .OB, bytes: pixelBytes))
        return ds
    }

    /// Writes the file (explicit VR little endian) and returns its path.
    func write(_ path: String) throws -> String {
        let bytes = try DICOMWriter.encode(DICOMFile(dataSet: dataSet(), transferSyntax: .explicitVRLittleEndian))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Reads `path` back with cmr's reader and slices frame `index` out of its native Pixel Data.
    static func frame(_ path: String, index: Int = 0, description: ImagePixelDescription) throws -> (DataSet, NativeFrame) {
        let file = try DICOMReader.read(contentsOf: path)
        let ds = file.dataSet
        let all = ds[.pixelData]?.value.bytes ?? []
        let size = description.photometricInterpretation == "YBR_FULL_422"
            ? description.rows * description.columns * 2 * description.bitsAllocated / 8
            : description.frameByteCount
        return (ds, NativeFrame(description: description, bytes: Array(all[(index * size)..<((index + 1) * size)])))
    }
}

extension DataSet {
    /// Red, green and blue Palette Color Lookup Table Descriptors (all `descriptor`) and their data:
    /// plain (16-bit words, or 8-bit entries packed two to a word with `packed`) or segmented words.
    mutating func setPalette(descriptor: [Int], red: [Int], green: [Int], blue: [Int], segmented: Bool = false, packed: Bool = false) {
        let tags: [(Tag, Tag, Tag)] = [
            (.redPaletteColorLookupTableDescriptor, .redPaletteColorLookupTableData, .segmentedRedPaletteColorLookupTableData),
            (.greenPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableData, .segmentedGreenPaletteColorLookupTableData),
            (.bluePaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableData, .segmentedBluePaletteColorLookupTableData),
        ]
        for ((d, plain, seg), values) in zip(tags, [red, green, blue]) {
            setInts(d, descriptor, vr: .US)
            if packed {
                insert(DataElement(plain, .OW, bytes: values.map { UInt8(truncatingIfNeeded: $0) } + (values.count % 2 == 1 ? [0] : [])))
            } else {
                setInts(segmented ? seg : plain, values, vr: .OW)
            }
        }
    }
}

/// A PGM or PPM file (P2, P3, P5, P6) as DCMTK writes them.
struct PNM {
    var width = 0, height = 0, maxValue = 0, channels = 1
    var samples: [Int] = []

    init(path: String) throws {
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var i = 0
        func token() -> String {
            while i < data.count, data[i] == 0x23 || data[i] <= 0x20 {
                if data[i] == 0x23 { while i < data.count, data[i] != 0x0A { i += 1 } } else { i += 1 }
            }
            var s = ""
            while i < data.count, data[i] > 0x20 { s.append(Character(UnicodeScalar(data[i]))); i += 1 }
            return s
        }
        let magic = token()
        width = Int(token()) ?? 0
        height = Int(token()) ?? 0
        maxValue = Int(token()) ?? 0
        channels = magic == "P3" || magic == "P6" ? 3 : 1
        let count = width * height * channels
        if magic == "P5" || magic == "P6" {
            i += 1
            let wide = maxValue > 255
            samples = (0..<count).map { k in wide ? Int(data[i + 2 * k]) << 8 | Int(data[i + 2 * k + 1]) : Int(data[i + k]) }
        } else {
            samples = (0..<count).map { _ in Int(token()) ?? -1 }
        }
    }
}

extension RenderedImage {
    /// Every sample as a number, in order (R, G, B for colour).
    var samples: [Int] {
        switch format {
        case .grey8, .rgb8: return bytes.map(Int.init)
        case .grey16: return stride(from: 0, to: bytes.count, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) }
        }
    }
}
