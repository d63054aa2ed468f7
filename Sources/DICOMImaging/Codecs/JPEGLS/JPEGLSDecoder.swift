/// JPEG-LS lossless and near-lossless frames (ITU T.87; DICOM 1.2.840.10008.1.2.4.80 and .81):
/// 2 to 16 bits, one or more components, interleave modes none, line and sample, default or
/// LSE preset parameters (MAXVAL, T1–T3, RESET). Mapping tables (palettes, LSE 2/3) and the
/// point transform are not supported: DICOM encoders do not write them.
///
/// Where T.87 leaves room, decoding follows CharLS, which DCMTK's dcmcjpls/dcmdjpls are built
/// on: contexts shared by all components of a scan, RUNindex kept per component in line
/// interleave, and in sample interleave one run-interruption context for all components.
public struct JPEGLSDecoder: FrameDecoder {
    public static let transferSyntaxUIDs = ["1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"]

    public init() {}

    public func decode(_ encoded: [UInt8], as description: ImagePixelDescription) throws -> NativeFrame {
        try encoded.withUnsafeBufferPointer { b in
            let stream = try JPEGStream.parse(b, jpegLS: true)
            let f = stream.frame
            guard f.marker == 0xF7 else {
                throw ImagingError(.corruptData, "JPEG-LS: frame header is SOF 0xFF\(String(f.marker, radix: 16, uppercase: true)), not SOF55 (0xFFF7)")
            }
            guard (2...16).contains(f.precision) else {
                throw ImagingError(.corruptData, "JPEG-LS: precision \(f.precision) is not 2 to 16")
            }
            guard f.width == description.columns, f.height == description.rows, f.components.count == description.samplesPerPixel else {
                throw ImagingError(.invalidDescription,
                    "JPEG-LS: frame is \(f.width)x\(f.height)x\(f.components.count), the data set says \(description.columns)x\(description.rows)x\(description.samplesPerPixel)")
            }
            guard f.precision <= description.bitsAllocated, description.bitsAllocated == 8 || description.bitsAllocated == 16 else {
                throw ImagingError(.invalidDescription, "JPEG-LS: \(f.precision)-bit samples do not fit Bits Allocated \(description.bitsAllocated)")
            }
            guard f.components.allSatisfy({ $0.h == 1 && $0.v == 1 }) else {
                throw ImagingError(.unsupportedTransferSyntax, "JPEG-LS: subsampled components are not supported")
            }
            var samples = [UInt16](repeating: 0, count: f.width * f.height * f.components.count)
            try samples.withUnsafeMutableBufferPointer { out in
                for scan in stream.scans {
                    var decoder = try JPEGLSScanDecoder(frame: f, scan: scan, data: b)
                    defer { decoder.deallocate() }
                    try decoder.decode(into: out.baseAddress!)
                }
            }
            var produced = description
            produced.planarConfiguration = 0
            let bytes = samples.withUnsafeBufferPointer { SampleWriter.pack($0, bitsAllocated: description.bitsAllocated) }
            return NativeFrame(description: produced, bytes: bytes)
        }
    }
}
