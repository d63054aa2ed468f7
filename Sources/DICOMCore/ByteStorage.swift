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
    /// A read-only private mapping of a file: its pages can be dropped and read again at will.
    public let isFileMapping: Bool

    /// Wraps memory that `release` frees (e.g. `munmap`) when the storage goes away.
    public init(baseAddress: UnsafeRawPointer, count: Int, isFileMapping: Bool = false, release: (@Sendable () -> Void)?) {
        self.baseAddress = baseAddress
        self.count = count
        self.isFileMapping = isFileMapping
        self.release = release
    }

    /// Tells the kernel this process is done with the pages inside `range` of a file mapping, so
    /// streaming a 2 GB value to an output does not leave 2 GB resident; the bytes stay readable
    /// (they are read back from the file if touched again). Does nothing for owned memory.
    public func releasePages(_ range: Range<Int>) {
        guard isFileMapping, range.lowerBound >= 0, range.upperBound <= count else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: baseAddress) + range.lowerBound + page - 1) / page * page
        let end = (Int(bitPattern: baseAddress) + range.upperBound) / page * page
        guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
        madvise(p, end - start, MADV_DONTNEED)
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
