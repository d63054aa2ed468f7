/// One-call compression of data held in memory.
///
/// ```swift
/// let deflated = Deflate.raw(dataSetBytes)               // DICOM deflated transfer syntax
/// let idat = Deflate.zlib(scanlines, level: .fastest)    // PNG
/// ```
public enum Deflate {
    /// Compresses `input` into a complete stream in `format`.
    public static func compress(
        _ input: UnsafeRawBufferPointer, format: CompressionFormat, level: CompressionLevel = .default
    ) -> [UInt8] {
        let deflater = Deflater(level: level, format: format)
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 2 + 64)
        deflater.process(input) { output.append(contentsOf: $0) }
        deflater.finish { output.append(contentsOf: $0) }
        return output
    }

    /// Compresses `input` into a complete stream in `format`.
    public static func compress(
        _ input: [UInt8], format: CompressionFormat, level: CompressionLevel = .default
    ) -> [UInt8] {
        input.withUnsafeBytes { compress($0, format: format, level: level) }
    }

    /// Compresses `input` as raw RFC 1951 DEFLATE data.
    public static func raw(_ input: UnsafeRawBufferPointer, level: CompressionLevel = .default) -> [UInt8] {
        compress(input, format: .raw, level: level)
    }

    /// Compresses `input` as raw RFC 1951 DEFLATE data.
    public static func raw(_ input: [UInt8], level: CompressionLevel = .default) -> [UInt8] {
        compress(input, format: .raw, level: level)
    }

    /// Compresses `input` as an RFC 1950 zlib stream.
    public static func zlib(_ input: UnsafeRawBufferPointer, level: CompressionLevel = .default) -> [UInt8] {
        compress(input, format: .zlib, level: level)
    }

    /// Compresses `input` as an RFC 1950 zlib stream.
    public static func zlib(_ input: [UInt8], level: CompressionLevel = .default) -> [UInt8] {
        compress(input, format: .zlib, level: level)
    }

    /// Compresses `input` as a single-member RFC 1952 gzip file (no name, modification time 0).
    public static func gzip(_ input: UnsafeRawBufferPointer, level: CompressionLevel = .default) -> [UInt8] {
        compress(input, format: .gzip, level: level)
    }

    /// Compresses `input` as a single-member RFC 1952 gzip file (no name, modification time 0).
    public static func gzip(_ input: [UInt8], level: CompressionLevel = .default) -> [UInt8] {
        compress(input, format: .gzip, level: level)
    }
}
