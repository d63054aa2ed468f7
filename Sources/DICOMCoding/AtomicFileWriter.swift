import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that readers only ever see nothing or the whole file: a temporary file in
/// the destination folder, flushed with `fsync`, then moved into place; on any failure the
/// temporary file is removed. Without `overwrite`, an existing destination is never replaced
/// (the final step is `link`, which fails atomically when the name exists).
public struct AtomicFileWriter: ByteSink {
    public let path: String
    public let overwrite: Bool
    let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var finished = false
    /// Bytes written to the file, and how many of them have been handed to writeback.
    private var written: Int64 = 0
    private var handedBack: Int64 = 0

    public init(path: String, overwrite: Bool = false, mode: mode_t = 0o644) throws {
        self.path = path
        self.overwrite = overwrite
        if !overwrite && access(path, F_OK) == 0 {
            throw FileError(.exists, path: path, reason: "already exists")
        }
        let dir = FilePath.directory(of: path)
        let name = FilePath.name(of: path)
        let folder = dir.isEmpty ? "." : dir
        var fd: Int32 = -1
        var tmp = ""
        for _ in 0..<16 {
            tmp = folder + "/." + name + ".cmr-" + String(UInt32.random(in: 0...UInt32.max), radix: 36) + ".tmp"
            fd = Glibc.open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        if fd < 0 { throw FileError(errno: errno, path: path, doing: "cannot create a temporary file in \(folder)") }
        self.fd = fd
        self.temporaryPath = tmp
        buffer.reserveCapacity(1 << 16)
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > (1 << 16) {
            try flushBuffer()
            if bytes.count >= (1 << 16) {
                try writeAll(bytes)
                return
            }
        }
        buffer.append(contentsOf: bytes)
    }

    private mutating func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        let b = buffer
        try b.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(errno: errno, path: path, doing: "cannot write")
            }
            off += n
        }
        written += Int64(bytes.count)
        // A large file: start writing back each 8 MiB as it is written, without waiting, so the
        // final sync (fsync, or a batch's syncfs) finds only the tail to do, instead of the disk
        // idling while the file is received and then being waited for all at once.
        if written - handedBack >= 8 << 20, let startWriteback = AtomicFileWriter.syncFileRange {
            _ = startWriteback(fd, handedBack, written - handedBack, 2 /* SYNC_FILE_RANGE_WRITE */)
            handedBack = written
        }
    }

    /// Flushes, syncs and moves the file into place.
    public mutating func commit() throws {
        do {
            try flushBuffer()
            if fsync(fd) != 0 { throw FileError(errno: errno, path: path, doing: "cannot sync") }
            close(fd)
            fd = -1
            if overwrite {
                if rename(temporaryPath, path) != 0 { throw FileError(errno: errno, path: path, doing: "cannot rename into place") }
            } else {
                if link(temporaryPath, path) != 0 { throw FileError(errno: errno, path: path, doing: "cannot move into place") }
                unlink(temporaryPath)
            }
            finished = true
            AtomicFileWriter.syncDirectory(of: path)
        } catch {
            abort()
            throw error
        }
    }

    /// Flushes and closes the temporary file without syncing it or moving it into place, for a
    /// caller that makes many files durable at once (`GroupCommit`): it must sync the file system,
    /// then `publish` the file, then sync again. Returns the temporary file's path.
    public mutating func finishUnsynced() throws -> String {
        do {
            try flushBuffer()
            // Start writing the pages back now, without waiting, so the batch's sync finds less to do.
            if let startWriteback = AtomicFileWriter.syncFileRange { _ = startWriteback(fd, 0, 0, 2 /* SYNC_FILE_RANGE_WRITE */) }
            close(fd)
            fd = -1
            finished = true
            return temporaryPath
        } catch {
            abort()
            throw error
        }
    }

    /// Moves a finished temporary file into place: `link` (fails if `path` exists) or, with
    /// `overwrite`, `rename`. The temporary file is removed either way.
    public static func publish(temporary: String, to path: String, overwrite: Bool) throws {
        if overwrite {
            if rename(temporary, path) != 0 {
                let e = errno
                unlink(temporary)
                throw FileError(errno: e, path: path, doing: "cannot rename into place")
            }
            return
        }
        defer { unlink(temporary) }
        if link(temporary, path) != 0 { throw FileError(errno: errno, path: path, doing: "cannot move into place") }
    }

    /// glibc's sync_file_range(2), which Swift's Glibc module does not export, found at run time.
    static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
    }()

    /// Removes the temporary file; the destination is untouched.
    public mutating func abort() {
        if fd >= 0 { close(fd); fd = -1 }
        if !finished { unlink(temporaryPath) }
        finished = true
    }

    /// Syncs the folder holding `path`, so a name made there (rename, link) is durable.
    public static func syncDirectory(of path: String) {
        let dir = FilePath.directory(of: path)
        let d = Glibc.open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if d >= 0 { fsync(d); close(d) }
    }

    /// Writes `body`'s output to `path` atomically.
    public static func write(to path: String, overwrite: Bool = false, mode: mode_t = 0o644,
                             _ body: (inout AtomicFileWriter) throws -> Void) throws {
        var w = try AtomicFileWriter(path: path, overwrite: overwrite, mode: mode)
        do {
            try body(&w)
            try w.commit()
        } catch {
            w.abort()
            throw error
        }
    }
}
