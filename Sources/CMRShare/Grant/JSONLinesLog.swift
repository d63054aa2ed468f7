#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DICOMCoding
import Foundation

/// What a `JSONLinesLog` keeps in memory: its entries folded into whatever its users look up.
protocol JSONLinesIndex: Sendable {
    associatedtype Entry: Codable & Sendable
    init()
    mutating func add(_ entry: Entry)
}

/// Why a share state file could not be read or written.
public struct ShareStoreError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var call: String
    public var code: Int32

    public var description: String { "\(path): \(call) failed: \(String(cString: strerror(code)))" }
}

/// One append-only JSON Lines file of the share state, kept with the audit log's rules
/// (docs/share.md "State on disk"): every append holds `flock(LOCK_EX)`, writes its line with one
/// `write` on an `O_APPEND` descriptor and `fdatasync`s before it returns; a new file is made
/// with mode 0600 and its folder synced. Readers take `LOCK_SH`.
///
/// The entries are kept in memory, folded into an `Index`; later reads and appends read only the
/// bytes added since (by this or any other process), and a read whose `stat` (inode, size,
/// modification time) is unchanged reads nothing. A line that does not decode (a torn write
/// after a crash) is skipped; an append after a torn tail first ends it with a newline.
/// Thread-safe: one mutex guards the cache, the file lock guards the file.
final class JSONLinesLog<Index: JSONLinesIndex>: @unchecked Sendable {
    let path: String
    private let mutex = NSLock()
    private var index = Index()
    /// Bytes consumed: up to and including the last newline read.
    private var offset = 0
    /// Whether the bytes after `offset` at the last read were a torn line.
    private var torn = false
    private var stamp: Stamp?

    struct Stamp: Equatable {
        var inode: UInt64
        var size: Int
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    init(path: String) { self.path = path }

    /// The index as the file is now.
    func current() throws(ShareStoreError) -> Index {
        mutex.lock()
        defer { mutex.unlock() }
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { reset(); return index }
            throw ShareStoreError(path: path, call: "stat", code: errno)
        }
        if let stamp, stamp == Self.stamp(info) { return index }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ShareStoreError(path: path, call: "open", code: errno) }
        defer { close(fd) }
        try lock(fd, LOCK_SH)
        try catchUp(fd)
        return index
    }

    /// Appends the entry `decide` returns for the index as it is under the lock (nil: nothing),
    /// durably, and returns the index after it. `decide` may throw to refuse.
    @discardableResult
    func append(_ decide: (Index) throws -> Index.Entry?) throws -> (index: Index, appended: Index.Entry?) {
        mutex.lock()
        defer { mutex.unlock() }
        let fd = try openForAppend()
        defer { close(fd) }
        try lock(fd, LOCK_EX)
        try catchUp(fd)
        guard let entry = try decide(index) else { return (index, nil) }
        var bytes: [UInt8] = torn ? [0x0A] : []
        bytes += Self.encode(entry)
        bytes.append(0x0A)
        try writeAll(fd, bytes)
        guard fdatasync(fd) == 0 else { throw ShareStoreError(path: path, call: "fdatasync", code: errno) }
        index.add(entry)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ShareStoreError(path: path, call: "fstat", code: errno) }
        offset = Int(info.st_size)
        torn = false
        stamp = Self.stamp(info)
        return (index, entry)
    }

    // MARK: Reading

    private func reset() {
        index = Index()
        offset = 0
        torn = false
        stamp = nil
    }

    /// Reads what was added since the last read (everything, if the file was replaced or cut).
    private func catchUp(_ fd: Int32) throws(ShareStoreError) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ShareStoreError(path: path, call: "fstat", code: errno) }
        let now = Self.stamp(info)
        if let stamp, stamp.inode != now.inode || now.size < offset { reset() }
        if stamp == nil { reset() }
        if now.size > offset {
            let bytes = try read(fd, from: offset, to: now.size)
            var start = 0
            let decoder = Self.decoder
            for (i, byte) in bytes.enumerated() where byte == 0x0A {
                if let entry = try? decoder.decode(Index.Entry.self, from: Data(bytes[start..<i])) { index.add(entry) }
                start = i + 1
            }
            offset += start
            torn = start < bytes.count
        }
        stamp = now
    }

    private func read(_ fd: Int32, from: Int, to: Int) throws(ShareStoreError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: to - from)
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(from + filled)) }
            if n > 0 { filled += n; continue }
            if n == 0 { break }
            if errno != EINTR { throw ShareStoreError(path: path, call: "read", code: errno) }
        }
        return Array(bytes[..<filled])
    }

    // MARK: Writing

    private func openForAppend() throws(ShareStoreError) -> Int32 {
        let fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC)
        if fd >= 0 { return fd }
        guard errno == ENOENT else { throw ShareStoreError(path: path, call: "open", code: errno) }
        let folder = FilePath.directory(of: path)
        try Self.makeDirectory(folder)
        let created = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard created >= 0 else { throw ShareStoreError(path: path, call: "open", code: errno) }
        Self.syncDirectory(folder)
        return created
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(ShareStoreError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            throw ShareStoreError(path: path, call: "write", code: n < 0 ? errno : EIO)
        }
    }

    private func lock(_ fd: Int32, _ operation: Int32) throws(ShareStoreError) {
        while flock(fd, operation) != 0 {
            if errno != EINTR { throw ShareStoreError(path: path, call: "flock", code: errno) }
        }
    }

    /// Makes `folder` and its parents, new ones with mode 0700.
    static func makeDirectory(_ folder: String) throws(ShareStoreError) {
        guard !folder.isEmpty else { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw ShareStoreError(path: folder, call: "mkdir", code: (error as NSError).code == 0 ? EIO : Int32((error as NSError).code))
        }
    }

    static func syncDirectory(_ folder: String) {
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    private static func stamp(_ info: stat) -> Stamp {
        Stamp(inode: UInt64(info.st_ino), size: Int(info.st_size),
              modifiedSeconds: Int(info.st_mtim.tv_sec), modifiedNanoseconds: Int(info.st_mtim.tv_nsec))
    }

    // MARK: Coding

    static var decoder: JSONDecoder { ShareTime.jsonDecoder() }

    static func encode(_ entry: Index.Entry) -> [UInt8] {
        Array((try? ShareTime.jsonEncoder().encode(entry)) ?? Data())
    }
}
