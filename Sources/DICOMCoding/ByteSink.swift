import Foundation

/// Where encoded bytes go: memory, or a file descriptor through a buffer.
public protocol ByteSink {
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension ByteSink {
    public mutating func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// Collects bytes in memory.
public struct MemorySink: ByteSink {
    public var bytes: [UInt8] = []
    public init(reservingCapacity n: Int = 0) { bytes.reserveCapacity(n) }
    public mutating func write(_ b: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: b) }
}

/// Counts bytes without keeping them (for computing encoded lengths).
public struct CountingSink: ByteSink {
    public var count = 0
    public init() {}
    public mutating func write(_ b: UnsafeRawBufferPointer) throws { count += b.count }
}
