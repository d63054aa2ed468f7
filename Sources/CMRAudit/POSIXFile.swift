#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, throwing wrappers over the system calls the log uses. Internal.
enum POSIXFile {
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws(AuditError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw .system(call: "open", path: path, errno: errno) }
        }
    }

    static func lock(_ fd: Int32, _ operation: Int32, path: String) throws(AuditError) {
        while flock(fd, operation) != 0 {
            if errno != EINTR { throw .system(call: "flock", path: path, errno: errno) }
        }
    }

    /// What changes when anyone writes to or truncates a file: device, inode, size, and the
    /// modification and status-change times.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: timespec
        var changed: timespec

        static func == (a: Identity, b: Identity) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
                && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
        }
    }

    static func identity(_ fd: Int32, path: String) throws(AuditError) -> Identity {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(call: "fstat", path: path, errno: errno) }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                        modified: info.st_mtim, changed: info.st_ctim)
    }

    static func size(_ fd: Int32, path: String) throws(AuditError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(call: "fstat", path: path, errno: errno) }
        return Int(info.st_size)
    }

    /// Reads `count` bytes at `offset` (fewer only at the end of the file).
    static func read(_ fd: Int32, offset: Int, count: Int, path: String) throws(AuditError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        var failure: AuditError?
        bytes.withUnsafeMutableBytes { buffer in
            while filled < count {
                let result = pread(fd, buffer.baseAddress! + filled, count - filled, off_t(offset + filled))
                if result > 0 { filled += result; continue }
                if result == 0 { break }
                if errno == EINTR { continue }
                failure = .system(call: "pread", path: path, errno: errno)
                return
            }
        }
        if let failure { throw failure }
        bytes.removeLast(count - filled)
        return bytes
    }

    /// One `write` call for all of `bytes`; a short write throws.
    static func writeOnce(_ fd: Int32, _ bytes: [UInt8], path: String) throws(AuditError) {
        var result = 0
        repeat {
            result = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        } while result < 0 && errno == EINTR
        if result < 0 { throw .system(call: "write", path: path, errno: errno) }
        if result != bytes.count { throw .shortWrite(path: path, written: result, expected: bytes.count) }
    }

    static func dataSync(_ fd: Int32, path: String) throws(AuditError) {
        #if os(Linux)
        guard fdatasync(fd) == 0 else { throw .system(call: "fdatasync", path: path, errno: errno) }
        #else
        guard fsync(fd) == 0 else { throw .system(call: "fsync", path: path, errno: errno) }
        #endif
    }

    static func readAll(path: String) throws(AuditError) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return output }
            if count < 0 {
                if errno == EINTR { continue }
                throw .system(call: "read", path: path, errno: errno)
            }
            output.append(contentsOf: chunk[0..<count])
        }
    }

    /// Creates `path` (mode `mode`), or replaces it, with `bytes`, durably.
    static func writeFile(path: String, bytes: [UInt8], mode: mode_t, exclusive: Bool) throws(AuditError) {
        try makeParentDirectory(of: path)
        let fd = try open(path, O_WRONLY | O_CREAT | O_TRUNC | (exclusive ? O_EXCL : 0), mode: mode)
        defer { close(fd) }
        fchmod(fd, mode)
        try writeOnce(fd, bytes, path: path)
        try dataSync(fd, path: path)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Creates the folders above `path` (mode 0700) that do not exist yet.
    static func makeParentDirectory(of path: String) throws(AuditError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let parent = String(path[..<slash])
        if exists(parent) { return }
        try makeParentDirectory(of: parent)
        if mkdir(parent, 0o700) != 0 && errno != EEXIST {
            throw .system(call: "mkdir", path: parent, errno: errno)
        }
    }

    /// fsyncs the folder holding `path`, so that a newly created file's name is durable.
    static func syncParentDirectory(of path: String) {
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = Glibc.open(parent.isEmpty ? "/" : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
