/// A streaming DEFLATE decoder (RFC 1951) for raw, zlib (RFC 1950) and gzip (RFC 1952) streams.
///
/// Feed compressed input in chunks of any size, down to one byte, with
/// ``process(_:output:)``; decoded bytes come back through the `output` closure as soon as they
/// are decoded, in pieces of at most 256 KiB, so memory stays bounded however large the stream.
/// When the stream's last block (and trailer) has been read, ``isFinished`` becomes true, and
/// ``consumedInputCount`` says where the stream ended: whatever follows it (DICOM padding, a
/// second file) is left unconsumed.
///
/// ```swift
/// let inflater = Inflater(format: .raw, maximumOutputSize: 1 << 30)
/// while let chunk = try file.read(upToCount: 65536), !inflater.isFinished {
///     try chunk.withUnsafeBytes { bytes in
///         try inflater.process(bytes) { decoded in sink.write(decoded) }
///     }
/// }
/// try inflater.finish()  // throws .truncatedInput if the stream was cut short
/// ```
///
/// Malformed input makes ``process(_:output:)`` throw a ``CompressionError`` with the input offset;
/// after that every call throws the same error. Decoding never reads outside the input, never
/// writes outside its own buffers, and always makes progress, so hostile input cannot crash it or
/// make it loop. A ``maximumOutputSize`` guards against decompression bombs.
///
/// An `Inflater` holds about 300 KiB of buffers; it is not safe to share between threads.
public final class Inflater {
    /// The wrapper this inflater expects.
    public let format: CompressionFormat
    /// The most bytes this inflater will produce, or nil for no limit.
    public let maximumOutputSize: Int?

    private var machine: InflateMachine
    private var failure: CompressionError?

    /// A decoder for one stream in `format`, producing at most `maximumOutputSize` bytes.
    public init(format: CompressionFormat = .zlib, maximumOutputSize: Int? = nil) {
        self.format = format
        self.maximumOutputSize = maximumOutputSize
        machine = InflateMachine(format: format, limit: maximumOutputSize)
    }

    deinit {
        machine.deallocate()
    }

    /// True once the end of the stream, including its trailer, has been decoded.
    public var isFinished: Bool {
        if case .done = machine.state { return true }
        return false
    }

    /// Bytes of compressed input that belong to the stream, as far as it has been read.
    /// Once ``isFinished`` is true this is the stream's exact length.
    public var consumedInputCount: Int {
        machine.inputCount - machine.unreadCount
    }

    /// Bytes of decompressed output produced so far.
    public var producedOutputCount: Int {
        machine.outputCount
    }

    /// Decodes `input`, handing decoded bytes to `output` as they become available.
    ///
    /// The buffer passed to `output` is valid only during that call. If `output` throws, the error
    /// propagates and this inflater should not be used further.
    ///
    /// - Returns: How many bytes of `input` were consumed: all of them, except in the call where
    ///   the stream ends, which consumes up to its last byte (and later calls consume none).
    /// - Throws: ``CompressionError`` for malformed input, or the error `output` throws.
    @discardableResult
    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        if let failure { throw failure }
        if isFinished { return 0 }
        let start = input.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(machine.lengths)
        var ip = start
        let end = start + input.count
        while true {
            let status: InflateMachine.Status
            do {
                status = try machine.run(&ip, end)
            } catch {
                failure = error
                throw error
            }
            let pending = machine.written - machine.flushed
            if pending > 0 {
                let bytes = UnsafeRawBufferPointer(start: machine.window + machine.flushed, count: pending)
                machine.flushed = machine.written
                try output(bytes)
            }
            switch status {
            case .outputFull:
                machine.slide()
            case .needsInput, .finished:
                return consumed(ip - start)
            }
        }
    }

    /// Decodes `input` and returns the bytes it decodes to (possibly none, if more input is needed).
    ///
    /// Trailing bytes after the end of the stream are ignored; see ``consumedInputCount``.
    public func process(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        var result: [UInt8] = []
        try input.withBytes { bytes throws(CompressionError) in
            _ = try append(bytes, to: &result)
        }
        return result
    }

    /// Decodes `input`, appending the output to `result`; returns the bytes of `input` consumed.
    @discardableResult
    public func append(
        _ input: UnsafeRawBufferPointer, to result: inout [UInt8]
    ) throws(CompressionError) -> Int {
        do {
            return try process(input) { result.append(contentsOf: $0) }
        } catch let error as CompressionError {
            throw error
        } catch {
            preconditionFailure("appending to an array cannot fail: \(error)")
        }
    }

    /// Checks that the whole stream has been decoded.
    ///
    /// - Throws: ``CompressionError/truncatedInput(offset:)`` if the input ended before the stream
    ///   did, or the error an earlier call threw.
    public func finish() throws(CompressionError) {
        if let failure { throw failure }
        guard isFinished else { throw .truncatedInput(offset: machine.inputCount) }
    }

    /// Input bytes of this call that belong to the stream, given `used` bytes were read from it.
    private func consumed(_ used: Int) -> Int {
        isFinished ? used - min(machine.unreadCount, used) : used
    }
}
