import Foundation
import DICOMCoding
#if canImport(Glibc)
import Glibc
#endif

/// Writes a `multipart/related` body (RFC 2387) to a `ByteSink` part by part, copying files in
/// chunks of `chunkSize` so memory stays bounded whatever their size. Each part's bytes are
/// checked for the delimiter as they are copied (linear time); a file that contains it makes the
/// write fail with `.boundaryInData` (the caller chooses another boundary; with the random
/// 128-bit default this does not happen by chance).
public struct MultipartWriter<Sink: ByteSink> {
    public let boundary: String
    public private(set) var sink: Sink
    public var chunkSize = 1 << 20
    public private(set) var bytesWritten = 0
    public private(set) var partCount = 0
    private var closed = false

    public init(boundary: String = MultipartWriter.randomBoundary(), sink: Sink) {
        self.boundary = boundary
        self.sink = sink
    }

    /// `cmr-` and 32 random hex digits.
    public static func randomBoundary() -> String {
        var rng = SystemRandomNumberGenerator()
        return "cmr-" + (0..<4).map { _ in
            let v = rng.next() as UInt32
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 8 - s.count) + s
        }.joined()
    }

    /// The request's Content-Type: `multipart/related; type="<type>"; boundary=<boundary>`.
    public func contentType(type: String = "application/dicom") -> String {
        MediaType("multipart", "related", parameters: [("type", type), ("boundary", boundary)]).description
    }

    private mutating func put(_ s: String) throws {
        let b = Array(s.utf8)
        try sink.write(b)
        bytesWritten += b.count
    }

    private mutating func begin(_ headers: [MultipartHeaders.Field]) throws {
        precondition(!closed, "part after close")
        var head = (partCount == 0 ? "--" : "\r\n--") + boundary + "\r\n"
        for h in headers { head += h.name + ": " + h.value + "\r\n" }
        head += "\r\n"
        try put(head)
        partCount += 1
    }

    /// A part from bytes in memory.
    public mutating func writePart(headers: [MultipartHeaders.Field], body: [UInt8]) throws {
        try begin(headers)
        var m = delimiterMatcher()
        try body.withUnsafeBytes { b in try check(&m, b) }
        try sink.write(body)
        bytesWritten += body.count
    }

    /// A part whose body is the file at `path`, read in chunks. `Content-Length` is added from
    /// the file's size when `contentLength` is true.
    public mutating func writePart(headers: [MultipartHeaders.Field], file path: String, contentLength: Bool = false) throws {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.fromErrno(errno, path: path, doing: "cannot open") }
        defer { _ = Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileError.fromErrno(errno, path: path, doing: "cannot stat") }
        var fields = headers
        if contentLength { fields.append(.init("Content-Length", String(st.st_size))) }
        try begin(fields)
        var m = delimiterMatcher()
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var copied = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.fromErrno(errno, path: path, doing: "cannot read")
            }
            if n == 0 { break }
            try buffer.withUnsafeBytes { all in
                let b = UnsafeRawBufferPointer(rebasing: all[0..<n])
                try check(&m, b)
                try sink.write(b)
            }
            copied += n
            bytesWritten += n
        }
        if contentLength && copied != Int(st.st_size) {
            throw FileError(.io, path: path, reason: "changed size while being sent (\(st.st_size) → \(copied) bytes)")
        }
    }

    /// Writes the close delimiter; returns the sink.
    public mutating func close() throws -> Sink {
        if !closed {
            try put((partCount == 0 ? "--" : "\r\n--") + boundary + "--\r\n")
            closed = true
        }
        return sink
    }

    private func delimiterMatcher() -> DelimiterMatcher {
        var m = DelimiterMatcher(Array("\r\n--\(boundary)".utf8))
        m.matched = 2  // the CRLF that ends the part's headers comes right before the data
        return m
    }

    private func check(_ m: inout DelimiterMatcher, _ b: UnsafeRawBufferPointer) throws {
        var i = 0
        while i < b.count {
            var found = false
            i = m.scan(b, from: i) { if case .found = $0 { found = true } }
            if found {
                throw MultipartError(.boundaryInData, offset: bytesWritten, "the boundary \(boundary) occurs in part \(partCount)")
            }
        }
    }
}

extension MultipartWriter where Sink == MemorySink {
    public init(boundary: String = MultipartWriter.randomBoundary()) {
        self.init(boundary: boundary, sink: MemorySink())
    }
}
