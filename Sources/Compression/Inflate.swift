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
        var machine = InflateMachine(format: format, limit: maximumOutputSize, ownsWindow: false)
        defer { machine.deallocate() }
        let start = input.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(machine.lengths)
        var ip = start
        let end = start + input.count

        // Decode straight into the result's storage; when it fills, move to one twice the size.
        let ceiling = min(machine.limit, Int.max / 4) + 2 * DeflateConstants.maxMatch
        var capacity = min(max(initialCapacity(input, format: format), 4096), ceiling)
        var output: [UInt8] = []
        var failure: CompressionError?
        while true {
            var status = InflateMachine.Status.needsInput
            let previous = output
            output = [UInt8](unsafeUninitializedCapacity: capacity + InflateMachine.slack) { buffer, count in
                let base = buffer.baseAddress!
                previous.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: $0.count) }
                machine.window = base
                machine.capacity = capacity
                do throws(CompressionError) {
                    status = try machine.run(&ip, end)
                } catch {
                    failure = error
                }
                count = machine.written
            }
            if let failure { throw failure }
            switch status {
            case .finished:
                return Result(output: output, consumedInputCount: machine.inputCount - machine.unreadCount)
            case .needsInput:
                throw .truncatedInput(offset: machine.inputCount)
            case .outputFull:
                capacity = min(capacity * 2, max(ceiling, capacity + 4096))
            }
        }
    }

    /// A first guess at the output size: gzip states it (modulo 2³²) in its last four bytes,
    /// believed up to 32:1 (the bytes may be padding, or lie); otherwise assume 4:1.
    private static func initialCapacity(_ input: UnsafeRawBufferPointer, format: CompressionFormat) -> Int {
        let most = input.count < Int.max / 64 ? input.count * 32 + 4096 : Int.max / 4
        if format == .gzip && input.count >= 18 {
            let n = input.count
            let size = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
            return min(size + 64, most)
        }
        return min(input.count < Int.max / 8 ? input.count * 4 : Int.max / 4, most)
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
