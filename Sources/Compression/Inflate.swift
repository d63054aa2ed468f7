/// One-call decompression of a whole DEFLATE, zlib or gzip stream held in memory.
///
/// ```swift
/// let pixels = try Inflate.raw(deflatedDataSet, maximumOutputSize: 2 << 30)
/// let image = try Inflate.zlib(idatBytes)
/// ```
///
/// Bytes after the end of the stream are ignored; ``decompress(_:format:maximumOutputSize:)``
/// reports where the stream ended. For large streams use ``Inflater``, which keeps memory bounded.
public enum Inflate {
    /// The output of a stream and the length of its compressed form.
    public struct Result: Sendable, Hashable {
        /// The decompressed bytes.
        public var output: [UInt8]
        /// How many bytes of the input the stream occupied; any after it were not read.
        public var consumedInputCount: Int
    }

    /// Decompresses the stream at the start of `input`.
    ///
    /// - Throws: ``CompressionError``; ``CompressionError/truncatedInput(offset:)`` if `input` ends
    ///   before the stream does.
    public static func decompress(
        _ input: UnsafeRawBufferPointer, format: CompressionFormat, maximumOutputSize: Int? = nil
    ) throws(CompressionError) -> Result {
        let inflater = Inflater(format: format, maximumOutputSize: maximumOutputSize)
        var output: [UInt8] = []
        let guess = input.count <= Int.max / 4 ? input.count * 4 : input.count
        output.reserveCapacity(min(guess, maximumOutputSize ?? Int.max, 1 << 30))
        try inflater.append(input, to: &output)
        try inflater.finish()
        return Result(output: output, consumedInputCount: inflater.consumedInputCount)
    }

    /// Decompresses the stream at the start of `input`.
    public static func decompress(
        _ input: [UInt8], format: CompressionFormat, maximumOutputSize: Int? = nil
    ) throws(CompressionError) -> Result {
        try input.withBytes { bytes throws(CompressionError) in
            try decompress(bytes, format: format, maximumOutputSize: maximumOutputSize)
        }
    }

    /// Decompresses raw RFC 1951 DEFLATE data.
    public static func raw(
        _ input: UnsafeRawBufferPointer, maximumOutputSize: Int? = nil
    ) throws(CompressionError) -> [UInt8] {
        try decompress(input, format: .raw, maximumOutputSize: maximumOutputSize).output
    }

    /// Decompresses raw RFC 1951 DEFLATE data.
    public static func raw(_ input: [UInt8], maximumOutputSize: Int? = nil) throws(CompressionError) -> [UInt8] {
        try decompress(input, format: .raw, maximumOutputSize: maximumOutputSize).output
    }

    /// Decompresses an RFC 1950 zlib stream, checking its header and Adler-32.
    public static func zlib(
        _ input: UnsafeRawBufferPointer, maximumOutputSize: Int? = nil
    ) throws(CompressionError) -> [UInt8] {
        try decompress(input, format: .zlib, maximumOutputSize: maximumOutputSize).output
    }

    /// Decompresses an RFC 1950 zlib stream, checking its header and Adler-32.
    public static func zlib(_ input: [UInt8], maximumOutputSize: Int? = nil) throws(CompressionError) -> [UInt8] {
        try decompress(input, format: .zlib, maximumOutputSize: maximumOutputSize).output
    }

    /// Decompresses the first member of an RFC 1952 gzip file, checking its CRC-32 and length.
    public static func gzip(
        _ input: UnsafeRawBufferPointer, maximumOutputSize: Int? = nil
    ) throws(CompressionError) -> [UInt8] {
        try decompress(input, format: .gzip, maximumOutputSize: maximumOutputSize).output
    }

    /// Decompresses the first member of an RFC 1952 gzip file, checking its CRC-32 and length.
    public static func gzip(_ input: [UInt8], maximumOutputSize: Int? = nil) throws(CompressionError) -> [UInt8] {
        try decompress(input, format: .gzip, maximumOutputSize: maximumOutputSize).output
    }
}
