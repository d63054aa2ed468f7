import Foundation
import DICOMCore
#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be opened or written, with the path and the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable { case notFound, permissionDenied, isDirectory, exists, io }
    public var kind: Kind
    public var path: String
    public var reason: String

    public init(_ kind: Kind, path: String, reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    init(errno code: Int32, path: String, doing: String) {
        let reason = doing + ": " + String(cString: strerror(code))
        switch code {
        case ENOENT, ENOTDIR: self.init(.notFound, path: path, reason: reason)
        case EACCES, EPERM: self.init(.permissionDenied, path: path, reason: reason)
        case EISDIR: self.init(.isDirectory, path: path, reason: reason)
        case EEXIST: self.init(.exists, path: path, reason: reason)
        default: self.init(.io, path: path, reason: reason)
        }
    }

    public var description: String { "\(path): \(reason)" }
}

/// Opens files for reading as shared, memory-mapped bytes.
public enum MappedFile {
    /// Files smaller than this are read into memory; larger ones are mapped (only the pages used are read).
    static let mapThreshold = 1 << 16

    /// The bytes of the file at `path`, mapped read-only (or read, when small).
    public static func open(_ path: String) throws -> ByteStorage {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw FileError(errno: errno, path: path, doing: "cannot open") }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw FileError(errno: errno, path: path, doing: "cannot stat") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw FileError(.isDirectory, path: path, reason: "is a directory") }
        let size = Int(st.st_size)
        if (st.st_mode & S_IFMT) != S_IFREG {
            return ByteStorage(try readAll(fd, path: path))
        }
        if size == 0 { return ByteStorage([UInt8]()) }
        if size < mapThreshold {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            var done = 0
            while done < size {
                let n = pread(fd, memory + done, size - done, off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    let e = errno
                    memory.deallocate()
                    throw FileError(errno: e, path: path, doing: "cannot read")
                }
                if n == 0 { break }
                done += n
            }
            let address = UInt(bitPattern: memory)
            return ByteStorage(baseAddress: UnsafeRawPointer(memory), count: done, release: {
                UnsafeMutableRawPointer(bitPattern: address)?.deallocate()
            })
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw FileError(errno: errno, path: path, doing: "cannot map")
        }
        let address = UInt(bitPattern: p)
        return ByteStorage(baseAddress: UnsafeRawPointer(p), count: size, isFileMapping: true, release: {
            if let q = UnsafeMutableRawPointer(bitPattern: address) { munmap(q, size) }
        })
    }

    static func readAll(_ fd: Int32, path: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(errno: errno, path: path, doing: "cannot read")
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}

extension DICOMReader {
    /// Reads the file at `path` (mapped: bulk values stay on disk until used).
    public static func read(contentsOf path: String, options: ReadOptions = ReadOptions()) throws -> DICOMFile {
        try read(MappedFile.open(path), options: options)
    }
}
