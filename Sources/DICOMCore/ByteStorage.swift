import Foundation

/// Immutable bytes that values read from one source share: a memory-mapped file or an owned buffer.
///
/// Reading a file creates one `ByteStorage`; bulk values (pixel data, overlays, waveforms) are
/// `BulkData` slices of it, so a 2 GB multi-frame file is never copied to inspect or pass through.
/// The bytes never change after creation, which makes sharing across threads safe.
public final class ByteStorage: @unchecked Sendable {
    /// First byte; valid for `count` bytes while this object lives.
    public let baseAddress: UnsafeRawPointer
    public let count: Int
    private let release: (@Sendable () -> Void)?

    /// Wraps memory that `release` frees (e.g. `munmap`) when the storage goes away.
    public init(baseAddress: UnsafeRawPointer, count: Int, release: (@Sendable () -> Void)?) {
        self.baseAddress = baseAddress
        self.count = count
        self.release = release
    }

    /// A copy of `bytes`.
    public convenience init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let n = bytes.count
        let memory = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(n, 1), alignment: 16)
        let typed = memory.bindMemory(to: UInt8.self, capacity: Swift.max(n, 1))
        _ = UnsafeMutableBufferPointer(start: typed, count: n).initialize(from: bytes)
        let address = UInt(bitPattern: memory)
        self.init(baseAddress: UnsafeRawPointer(memory), count: n, release: {
            UnsafeMutableRawPointer(bitPattern: address)?.deallocate()
        })
    }

    deinit { release?() }

    /// The bytes in `range`; the caller must keep `self` alive while using the buffer.
    @inlinable public func buffer(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range outside storage")
        return UnsafeRawBufferPointer(start: baseAddress + range.lowerBound, count: range.count)
    }

    @inlinable public var buffer: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: baseAddress, count: count)
    }
}
