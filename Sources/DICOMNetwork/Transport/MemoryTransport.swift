import Foundation

/// One end of an in-memory, in-process byte stream: tests run associations without sockets.
public final class MemoryTransport: Transport, @unchecked Sendable {
    final class Pipe: @unchecked Sendable {
        let condition = NSCondition()
        var bytes: [UInt8] = []
        var closed = false
    }

    private let inbound: Pipe
    private let outbound: Pipe
    public let peerDescription: String
    /// Every write's parts, when recording (tests check how PDUs were gathered).
    public private(set) var writes: [[UInt8]] = []
    public var recordsWrites = false

    init(inbound: Pipe, outbound: Pipe, name: String) {
        self.inbound = inbound
        self.outbound = outbound
        self.peerDescription = name
    }

    /// Two connected ends.
    public static func pair() -> (MemoryTransport, MemoryTransport) {
        let a = Pipe(), b = Pipe()
        return (MemoryTransport(inbound: a, outbound: b, name: "memory:b"), MemoryTransport(inbound: b, outbound: a, name: "memory:a"))
    }

    public func write(_ parts: [UnsafeRawBufferPointer]) throws {
        outbound.condition.lock()
        defer { outbound.condition.unlock() }
        if outbound.closed { throw DICOMNetworkError(.unavailable, "\(peerDescription): connection closed") }
        var joined: [UInt8] = []
        for p in parts { joined.append(contentsOf: p) }
        if recordsWrites { writes.append(joined) }
        outbound.bytes += joined
        outbound.condition.broadcast()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Double?) throws -> Int {
        inbound.condition.lock()
        defer { inbound.condition.unlock() }
        let deadline = timeout.map { Date(timeIntervalSinceNow: $0) }
        while inbound.bytes.isEmpty && !inbound.closed {
            if let deadline {
                if !inbound.condition.wait(until: deadline) && inbound.bytes.isEmpty && !inbound.closed {
                    throw DICOMNetworkError(.timeout, "\(peerDescription): no data within \(timeout!) s")
                }
            } else {
                inbound.condition.wait()
            }
        }
        let n = min(buffer.count, inbound.bytes.count)
        if n == 0 { return 0 }
        inbound.bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        inbound.bytes.removeFirst(n)
        return n
    }

    public func close() {
        for pipe in [inbound, outbound] {
            pipe.condition.lock()
            pipe.closed = true
            pipe.condition.broadcast()
            pipe.condition.unlock()
        }
    }
}
