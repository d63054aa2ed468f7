/// JPEG (ITU T.81) frames of the DICOM JPEG transfer syntaxes: Baseline (Process 1), Extended
/// (Process 2 & 4: 8 and 12 bits, Huffman), Lossless Process 14 and its first-order-prediction
/// subset SV1. The frame header decides the process, not the UID, as in DCMTK and GDCM.
///
/// Lossy frames with a YBR photometric interpretation and three components come out as RGB,
/// colour-by-pixel, as `dcmdjpeg` writes them by default (`+cp`); a frame labelled RGB is taken
/// as RGB (no conversion), whatever JFIF/Adobe markers say. Lossless frames come out as coded.
public struct JPEGDecoder: FrameDecoder {
    public static let transferSyntaxUIDs = [
        "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70",
    ]

    public init() {}

    public func decode(_ encoded: [UInt8], as description: ImagePixelDescription) throws -> NativeFrame {
        try encoded.withUnsafeBufferPointer { b in
            let stream = try JPEGStream.parse(b, jpegLS: false)
            let f = stream.frame
            guard f.width == description.columns, f.height == description.rows else {
                throw ImagingError(.invalidDescription,
                    "JPEG: frame is \(f.width)x\(f.height), the data set says \(description.columns)x\(description.rows)")
            }
            guard f.components.count == description.samplesPerPixel else {
                throw ImagingError(.invalidDescription,
                    "JPEG: frame has \(f.components.count) components, Samples per Pixel is \(description.samplesPerPixel)")
            }
            guard f.precision <= description.bitsAllocated, description.bitsAllocated == 8 || description.bitsAllocated == 16 else {
                throw ImagingError(.invalidDescription,
                    "JPEG: \(f.precision)-bit samples do not fit Bits Allocated \(description.bitsAllocated)")
            }
            switch f.marker {
            case 0xC0, 0xC1:
                guard f.precision == 8 || f.precision == 12 else {
                    throw ImagingError(.corruptData, "JPEG: sequential DCT precision \(f.precision) is not 8 or 12")
                }
                return try JPEGDCTDecoding(stream: stream, data: b).decode(description)
            case 0xC3:
                guard (2...16).contains(f.precision) else {
                    throw ImagingError(.corruptData, "JPEG lossless: precision \(f.precision) is not 2 to 16")
                }
                return try JPEGLosslessDecoding(stream: stream, data: b).decode(description)
            case 0xC2, 0xC6:
                throw ImagingError(.unsupportedTransferSyntax,
                    "JPEG: progressive DCT (retired in DICOM) is not supported; convert with `dcmdjpeg in.dcm out.dcm`")
            default:
                throw ImagingError(.unsupportedTransferSyntax,
                    "JPEG: process of SOF marker 0xFF\(String(f.marker, radix: 16, uppercase: true)) (hierarchical or arithmetic coding) is not supported")
            }
        }
    }
}

/// Writes decoded samples into a native frame's bytes: 8-bit containers or 16-bit little-endian.
struct SampleWriter {
    static func pack(_ samples: UnsafeBufferPointer<UInt16>, bitsAllocated: Int) -> [UInt8] {
        if bitsAllocated == 8 {
            return [UInt8](unsafeUninitializedCapacity: samples.count) { out, n in
                for i in 0..<samples.count { out[i] = UInt8(truncatingIfNeeded: samples[i]) }
                n = samples.count
            }
        }
        return [UInt8](unsafeUninitializedCapacity: samples.count * 2) { out, n in
            for i in 0..<samples.count {
                let v = samples[i]
                out[2 * i] = UInt8(truncatingIfNeeded: v)
                out[2 * i + 1] = UInt8(truncatingIfNeeded: v >> 8)
            }
            n = samples.count * 2
        }
    }
}
