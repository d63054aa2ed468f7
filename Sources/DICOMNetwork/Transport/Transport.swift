/// A byte stream to a peer: TCP in production (`SocketTransport`), memory in tests (`MemoryTransport`).
public protocol Transport: AnyObject {
    /// Writes every byte of `parts`, in order, as one gathered write where the transport can.
    func write(_ parts: [UnsafeRawBufferPointer]) throws
    /// Reads at most `buffer.count` bytes, waiting at most `timeout` seconds (nil: forever).
    /// Returns 0 when the peer closed the stream; throws `.timeout` when nothing came in time.
    func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Double?) throws -> Int
    /// Closes the stream; reads and writes fail afterwards. Safe to call twice.
    func close()
    /// "host:port" or a test name, for messages.
    var peerDescription: String { get }
}

extension Transport {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write([$0]) }
    }
}
