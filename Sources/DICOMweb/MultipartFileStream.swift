import Foundation
import DICOMCore
import DICOMCoding
#if canImport(Glibc)
import Glibc
#endif

/// A `multipart/related` body produced while it is sent: each part's header, then its file read
/// straight into the transport's buffer, then the close delimiter. Nothing is held in memory
/// beyond the caller's buffer and nothing is written to disk (the former temporary body file
/// cost a write and a read of every batch, and FoundationNetworking's file upload path can crash
/// the process when the connection dies while it waits for a read: `_EasyHandle._PauseState`,
/// a `try!` on `curl_easy_pause`; docs/dicomweb.md).
///
/// A file comes from the caller's mapping when it has one (the bytes it scanned and hashed, even
/// if the path was removed since), else it is opened when the stream is made, so a file that
/// vanished or became unreadable is known before the request starts (`failedToOpen`) and its
/// batch goes without it. Each part's bytes are checked for the delimiter as they are read; a file that contains it,
/// or a read error, ends the stream with an error (`failure`), which aborts the request: the
/// caller picks another boundary or reports the file. A file whose size changed since it was
/// opened is a read error too (its bytes would no longer be the instance that was scanned).
///
/// Sent without Content-Length (FoundationNetworking frames a body stream with chunked transfer
/// encoding, and would send both headers if we added ours).
public final class MultipartFileStream: InputStream, @unchecked Sendable {
    public enum Failure: Error, Equatable {
        case boundaryInData(path: String)
        case read(path: String, reason: String)
    }

    public let boundary: String
    public let contentType: String
    /// Files of the batch that could not be opened, with the reason; they are not in the body.
    public private(set) var failedToOpen: [(path: String, reason: String)] = []
    /// The paths in the body, in order.
    public let sentPaths: [String]
    /// Why the stream ended early, if it did.
    public private(set) var failure: Failure?
    /// Bytes handed to the transport.
    public private(set) var bytesRead = 0

    private struct Part {
        let path: String
        var fd: Int32
        let storage: ByteStorage?
        let size: Int
        let head: [UInt8]
    }
    private var parts: [Part] = []
    private var tail: [UInt8]
    /// Where the stream is: part index (parts.count = the close delimiter), and the offset
    /// within the part's head, then within its file (or within the tail).
    private var index = 0
    private var headOffset = 0
    private var fileOffset = 0
    private var tailOffset = 0
    private var matcher: DelimiterMatcher
    private var status: Stream.Status = .notOpen

    /// Each file becomes a part of type `type`: from its mapping when `storage` is given, else
    /// opened by path now.
    public init(files: [(path: String, storage: ByteStorage?)], boundary: String, type: String = "application/dicom") {
        self.boundary = boundary
        contentType = MediaType("multipart", "related", parameters: [("type", type), ("boundary", boundary)]).description
        var opened: [Part] = []
        var failed: [(String, String)] = []
        for (path, storage) in files {
            let head = Array(((opened.isEmpty ? "--" : "\r\n--") + boundary + "\r\nContent-Type: \(type)\r\n\r\n").utf8)
            if let storage {
                opened.append(Part(path: path, fd: -1, storage: storage, size: storage.count, head: head))
                continue
            }
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            var st = stat()
            if fd < 0 {
                failed.append((path, String(cString: strerror(errno))))
                continue
            }
            if fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG {
                failed.append((path, fstat(fd, &st) != 0 ? String(cString: strerror(errno)) : "not a regular file"))
                _ = Glibc.close(fd)
                continue
            }
            opened.append(Part(path: path, fd: fd, storage: nil, size: Int(st.st_size), head: head))
        }
        parts = opened
        failedToOpen = failed
        sentPaths = opened.map(\.path)
        tail = Array(((opened.isEmpty ? "--" : "\r\n--") + boundary + "--\r\n").utf8)
        matcher = DelimiterMatcher(Array("\r\n--\(boundary)".utf8))
        super.init(data: Data())
    }

    deinit { closeFiles() }

    /// The body's length in bytes (what a Content-Length would say).
    public var length: Int { parts.reduce(tail.count) { $0 + $1.head.count + $1.size } }

    private func closeFiles() {
        for i in parts.indices where parts[i].fd >= 0 {
            _ = Glibc.close(parts[i].fd)
            parts[i].fd = -1
        }
    }

    public override func open() { if status == .notOpen { status = .open } }
    public override func close() { closeFiles(); status = .closed }
    public override var streamStatus: Stream.Status { status }
    public override var streamError: Error? { failure }
    /// True after a failure too, so that the transport reads the -1 and aborts the request
    /// (FoundationNetworking takes "no bytes available" for a complete body).
    public override var hasBytesAvailable: Bool { status != .atEnd && status != .closed }
    public override func getBuffer(_ buffer: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, length len: UnsafeMutablePointer<Int>) -> Bool { false }
    public override func schedule(in aRunLoop: RunLoop, forMode mode: RunLoop.Mode) {}
    public override func remove(from aRunLoop: RunLoop, forMode mode: RunLoop.Mode) {}

    public override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength len: Int) -> Int {
        switch status {
        case .atEnd, .closed: return 0
        case .error: return -1
        default: if len <= 0 { return 0 }
        }
        status = .reading
        var filled = 0
        defer {
            bytesRead += filled
            if status == .reading { status = .open }
        }
        while filled < len {
            if index == parts.count {
                let n = min(len - filled, tail.count - tailOffset)
                tail.withUnsafeBytes { (buffer + filled).update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self) + tailOffset, count: n) }
                tailOffset += n
                filled += n
                if tailOffset == tail.count { status = .atEnd; closeFiles() }
                return filled
            }
            let part = parts[index]
            if headOffset < part.head.count {
                let n = min(len - filled, part.head.count - headOffset)
                part.head.withUnsafeBytes { (buffer + filled).update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self) + headOffset, count: n) }
                headOffset += n
                filled += n
                if headOffset == part.head.count { matcher.matched = 2 }  // the CRLF ending the headers precedes the data
                continue
            }
            if fileOffset < part.size {
                let want = min(len - filled, part.size - fileOffset)
                var n: Int
                if let storage = part.storage {
                    (buffer + filled).update(from: storage.baseAddress.assumingMemoryBound(to: UInt8.self) + fileOffset, count: want)
                    n = want
                    // A large mapping gives its pages back as they are sent (memory stays flat).
                    if storage.count > 4 << 20 && (fileOffset + n) / (1 << 20) > fileOffset / (1 << 20) {
                        storage.releasePages((fileOffset / (1 << 20) * (1 << 20))..<((fileOffset + n) / (1 << 20) * (1 << 20)))
                    }
                } else {
                    n = pread(part.fd, buffer + filled, want, off_t(fileOffset))
                }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    let reason = n < 0 ? String(cString: strerror(errno)) : "the file became shorter while it was sent"
                    return fail(.read(path: part.path, reason: reason))
                }
                let chunk = UnsafeRawBufferPointer(start: buffer + filled, count: n)
                var found = false
                var i = 0
                while i < n && !found { i = matcher.scan(chunk, from: i) { if case .found = $0 { found = true } } }
                if found { return fail(.boundaryInData(path: part.path)) }
                fileOffset += n
                filled += n
                continue
            }
            // The part is complete: a file read by descriptor must not have grown meanwhile.
            var st = stat()
            if part.fd >= 0 && fstat(part.fd, &st) == 0 && Int(st.st_size) != part.size {
                return fail(.read(path: part.path, reason: "changed size while being sent (\(part.size) → \(st.st_size) bytes)"))
            }
            index += 1
            headOffset = 0
            fileOffset = 0
            matcher.matched = 0
        }
        return filled
    }

    private func fail(_ f: Failure) -> Int {
        failure = f
        status = .error
        closeFiles()
        return -1
    }

    /// The whole body in memory (tests and canned transports).
    public static func readAll(_ stream: InputStream) -> [UInt8]? {
        stream.open()
        defer { stream.close() }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { stream.read($0.baseAddress!, maxLength: $0.count) }
            if n < 0 { return nil }
            if n == 0 { return out }
            out.append(contentsOf: buffer[0..<n])
        }
    }
}
