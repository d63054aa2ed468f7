/// A streaming DEFLATE compressor (RFC 1951) with raw, zlib (RFC 1950) and gzip (RFC 1952)
/// wrappers.
///
/// Feed input in chunks of any size with ``process(_:output:)``, then call ``finish(output:)``;
/// compressed bytes come back through the `output` closure as they are produced, so memory stays
/// bounded however large the input. Each block is written in the smallest of the stored, fixed
/// Huffman and dynamic Huffman forms; matches are found with hash chains using zlib's parameters
/// for each ``CompressionLevel``, so sizes track zlib's closely.
///
/// ```swift
/// let deflater = Deflater(level: .default, format: .raw)
/// var compressed: [UInt8] = []
/// for chunk in chunks {
///     chunk.withUnsafeBytes { deflater.process($0) { compressed.append(contentsOf: $0) } }
/// }
/// deflater.finish { compressed.append(contentsOf: $0) }
/// ```
///
/// After ``finish(output:)`` the deflater starts over, ready for a new stream. A `Deflater`
/// holds about 600 KiB of buffers; it is not safe to share between threads.
public final class Deflater {
    /// How hard this deflater searches for matches.
    public let level: CompressionLevel
    /// The wrapper this deflater writes.
    public let format: CompressionFormat

    private var machine: DeflateMachine

    /// A compressor writing `format` at `level`.
    public init(level: CompressionLevel = .default, format: CompressionFormat = .zlib) {
        self.level = level
        self.format = format
        machine = DeflateMachine(level: level, format: format)
    }

    deinit {
        machine.deallocate()
    }

    /// Bytes of input taken in the current stream.
    public var consumedInputCount: Int { machine.inputCount }

    /// Bytes of compressed output produced in the current stream.
    public var producedOutputCount: Int { machine.outputCount + machine.writer.out.count }

    /// Compresses `input`, handing any compressed bytes ready to `output`.
    ///
    /// Most output is held back until enough input has arrived to write a block. The buffer
    /// passed to `output` is valid only during that call.
    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        try drive(input, finish: false, output)
    }

    /// Ends the stream: writes the remaining blocks and the trailer, then resets the deflater.
    public func finish(output: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try drive(UnsafeRawBufferPointer(start: nil, count: 0), finish: true, output)
        machine.reset()
    }

    /// Compresses `input` and returns the compressed bytes ready so far.
    public func process(_ input: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        input.withUnsafeBytes { bytes in
            process(bytes) { result.append(contentsOf: $0) }
        }
        return result
    }

    /// Ends the stream and returns the remaining compressed bytes, then resets the deflater.
    public func finish() -> [UInt8] {
        var result: [UInt8] = []
        finish { result.append(contentsOf: $0) }
        return result
    }

    private func drive(
        _ input: UnsafeRawBufferPointer, finish: Bool, _ output: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        let start = input.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(machine.window)
        var ip = start
        let end = start + input.count
        while true {
            let progress = machine.run(&ip, end, finish: finish)
            let pending = machine.writer.out.count
            if pending > 0 {
                let bytes = UnsafeRawBufferPointer(start: machine.writer.out.bytes, count: pending)
                machine.writer.out.count = 0
                machine.outputCount += pending
                try output(bytes)
            }
            switch progress {
            case .outputPending: continue
            case .needsInput, .finished: return
            }
        }
    }
}
