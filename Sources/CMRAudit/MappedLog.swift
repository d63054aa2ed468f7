#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A log file mapped read-only, walked line by line. The mapping covers the size at open time,
/// so lines appended later are not seen.
final class MappedLog {
    let path: String
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?

    init(path: String) throws(AuditError) {
        self.path = path
        let fd = try POSIXFile.open(path, O_RDONLY)
        defer { close(fd) }
        let size = try POSIXFile.size(fd, path: path)
        guard size > 0 else {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw .system(call: "mmap", path: path, errno: errno)
        }
        madvise(mapped, size, MADV_SEQUENTIAL)
        base = mapped
        bytes = UnsafeRawBufferPointer(start: mapped, count: size)
    }

    deinit {
        if let base { munmap(base, bytes.count) }
    }

    /// The line starting at `offset`: its range without the newline, and whether a newline ends it.
    func line(at offset: Int) -> (range: Range<Int>, terminated: Bool)? {
        guard offset < bytes.count else { return nil }
        let start = bytes.baseAddress! + offset
        if let newline = memchr(start, 0x0A, bytes.count - offset) {
            let end = offset + (UnsafeRawPointer(newline) - UnsafeRawPointer(start))
            return (offset..<end, true)
        }
        return (offset..<bytes.count, false)
    }

    subscript(range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[range]) }

    /// The leaf hashes of the first `count` complete lines (all complete lines if nil).
    func leafHashes(limit: Int? = nil) -> [[UInt8]] {
        var hashes: [[UInt8]] = []
        var offset = 0
        while let (range, terminated) = line(at: offset), terminated, hashes.count < (limit ?? Int.max) {
            hashes.append(MerkleTree.leafHash(self[range]))
            offset = range.upperBound + 1
        }
        return hashes
    }

    /// Size and root of the tree of the complete lines in the first `length` bytes.
    func treeHead(length: Int? = nil) -> (size: UInt64, root: [UInt8]) {
        var builder = MerkleTree.Builder()
        var offset = 0
        let end = length ?? bytes.count
        while let (range, terminated) = line(at: offset), terminated, range.upperBound < end {
            builder.append(leafHash: MerkleTree.leafHash(self[range]))
            offset = range.upperBound + 1
        }
        return (builder.size, builder.root)
    }
}
