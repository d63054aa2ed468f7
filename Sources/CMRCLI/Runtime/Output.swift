import Foundation

/// Standard output (data only), and `diagnostics` for standard error.
///
/// Buffered; flushed at the end of every write that ends a line when standard output is a pipe
/// or a terminal, so a pipeline's next stage sees each line at once, and in 64 KiB blocks when
/// it is a file. Safe to call from any thread; one `write` is never interleaved with another.
public final class Output: @unchecked Sendable {
    public let diagnostics: Diagnostics
    private let sink: ByteSink
    private let lineBuffered: Bool
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private static let blockSize = 65536

    init(sink: ByteSink, lineBuffered: Bool, diagnostics: Diagnostics) {
        self.sink = sink
        self.lineBuffered = lineBuffered
        self.diagnostics = diagnostics
        buffer.reserveCapacity(Self.blockSize)
    }

    /// Writes `text` as it is.
    public func write(_ text: String) {
        append(Array(text.utf8))
    }

    /// Writes `text` and a newline.
    public func line(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.append(0x0A)
        append(bytes)
    }

    /// Writes raw bytes (a NUL-separated path list, a PNG).
    public func write(bytes: [UInt8]) {
        append(bytes)
    }

    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        flushLocked()
    }

    /// The `errno` of a failed write to standard output, if one failed.
    var failure: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return sink.failure
    }

    private func append(_ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.blockSize || (lineBuffered && bytes.contains(0x0A)) {
            flushLocked()
        }
    }

    private func flushLocked() {
        sink.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
