/// An incremental HTTP/1.0 and HTTP/1.1 request parser (RFC 9112): fed bytes in any chunking
/// (one byte at a time included), it yields requests one after another, bytes of a pipelined
/// next request staying buffered. A pure value: no sockets, no clock.
///
/// States: `requestLine` → `headers` → `body` (only with `Content-Length`) → a request is
/// returned and the parser is back at `requestLine`; any error moves it to `failed` for good (the
/// connection must be closed after the error response). Each line is scanned once, so feeding
/// byte by byte costs no more than feeding all at once.
///
/// Refused (status in `HTTPParseError.status`): a request line over `Limits.requestLine` (414);
/// a header block over `Limits.headerBlock` bytes or more than `Limits.headerCount` fields (431);
/// a body over `Limits.body` (413); `Transfer-Encoding` (chunked request bodies are not
/// supported, 501); POST/PUT/PATCH without `Content-Length` (411); another major version (505);
/// malformed lines, obs-fold, bad tokens, control characters, several or bad `Content-Length`,
/// HTTP/1.1 without exactly one `Host` (400).
public struct HTTPRequestParser: Sendable {
    public struct Limits: Sendable, Equatable {
        public var requestLine = 8 * 1024
        public var headerBlock = 16 * 1024
        public var headerCount = 100
        public var body = 64 * 1024
        public init() {}
    }

    enum State: Sendable, Equatable {
        case requestLine
        case headers
        case body(remaining: Int)
        case failed
    }

    public let limits: Limits
    private(set) var state: State = .requestLine
    private var buffer: [UInt8] = []
    /// Where the unconsumed bytes start in `buffer`.
    private var start = 0
    /// How far `buffer` has been searched for the end of the current line.
    private var scanned = 0
    private var headerBytes = 0
    private var emptyLinesSkipped = 0
    private var pending: HTTPRequest?

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Bytes received and not yet part of a returned request.
    public var bufferedCount: Int { buffer.count - start }

    /// Whether part of a request has been received (a timeout then answers 408 rather than
    /// closing quietly).
    public var isMidRequest: Bool {
        state != .requestLine || buffer[start...].contains { $0 != 0x0D && $0 != 0x0A }
    }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete request from the bytes appended so far, or nil when more are needed.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        do {
            return try step()
        } catch {
            state = .failed
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> HTTPRequest? {
        while true {
            switch state {
            case .failed:
                throw HTTPParseError(400, "the connection had a malformed request")
            case .requestLine:
                guard let line = try nextLine(limit: limits.requestLine, tooLong: HTTPParseError(414, "request line longer than \(limits.requestLine) bytes")) else { return nil }
                if line.isEmpty {
                    // RFC 9112 2.2: empty lines before a request line are ignored (a few).
                    emptyLinesSkipped += 1
                    if emptyLinesSkipped > 4 { throw HTTPParseError(400, "empty lines instead of a request") }
                    continue
                }
                pending = try Self.parseRequestLine(line)
                headerBytes = 0
                state = .headers
            case .headers:
                let room = limits.headerBlock - headerBytes
                guard let line = try nextLine(limit: max(0, room), tooLong: HTTPParseError(431, "header block longer than \(limits.headerBlock) bytes")) else { return nil }
                headerBytes += line.count + 2
                if line.isEmpty {
                    let length = try finishHeaders()
                    if length > 0 {
                        state = .body(remaining: length)
                    } else {
                        return complete()
                    }
                    continue
                }
                guard pending!.headers.count < limits.headerCount else {
                    throw HTTPParseError(431, "more than \(limits.headerCount) header fields")
                }
                let (name, value) = try Self.parseField(line)
                pending!.headers.add(name, value)
            case .body(let remaining):
                let available = buffer.count - start
                guard available >= remaining else { return nil }
                pending!.body = Array(buffer[start..<(start + remaining)])
                start += remaining
                scanned = start
                return complete()
            }
        }
    }

    private mutating func complete() -> HTTPRequest? {
        state = .requestLine
        emptyLinesSkipped = 0
        // Drop what was consumed, keeping a pipelined request's bytes.
        buffer.removeSubrange(0..<start)
        start = 0
        scanned = 0
        defer { pending = nil }
        return pending
    }

    /// The next line without its CRLF (or bare LF), consumed; nil when no line end has come yet.
    private mutating func nextLine(limit: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> ArraySlice<UInt8>? {
        var i = max(scanned, start)
        while i < buffer.count, buffer[i] != 0x0A { i += 1 }
        if i == buffer.count {
            scanned = i
            if i - start > limit + 1 { throw tooLong }
            return nil
        }
        var end = i
        if end > start, buffer[end - 1] == 0x0D { end -= 1 }
        if end - start > limit { throw tooLong }
        let line = buffer[start..<end]
        start = i + 1
        scanned = start
        return line
    }

    // MARK: Lines

    static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw HTTPParseError(400, "request line is not METHOD TARGET VERSION") }
        let method = parts[0], target = parts[1], version = parts[2]
        guard !method.isEmpty, method.allSatisfy(isTokenByte) else { throw HTTPParseError(400, "method is not a token") }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPParseError(400, "request target is empty or has spaces or control characters")
        }
        let minor: Int
        switch Array(version) {
        case Array("HTTP/1.1".utf8): minor = 1
        case Array("HTTP/1.0".utf8): minor = 0
        case let v where v.count == 8 && v.starts(with: "HTTP/".utf8) && isDigit(v[5]) && v[6] == UInt8(ascii: ".") && isDigit(v[7]):
            throw HTTPParseError(505, "HTTP/\(Character(UnicodeScalar(v[5]))).\(Character(UnicodeScalar(v[7]))) is not supported")
        default:
            throw HTTPParseError(400, "version is not HTTP/1.0 or HTTP/1.1")
        }
        let targetText = String(decoding: target, as: UTF8.self)
        let methodText = String(decoding: method, as: UTF8.self)
        guard targetText.hasPrefix("/") || (methodText == "OPTIONS" && targetText == "*") else {
            throw HTTPParseError(400, "request target is not a path")
        }
        return HTTPRequest(method: methodText, target: targetText, minorVersion: minor,
                           keepAlive: minor == 1)
    }

    static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String) {
        guard let first = line.first else { throw HTTPParseError(400, "empty header field") }
        if first == 0x20 || first == 0x09 { throw HTTPParseError(400, "obsolete line folding in the header block") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw HTTPParseError(400, "header field without a colon") }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            throw HTTPParseError(400, "header field name is not a token")
        }
        var value = line[(colon + 1)...]
        while let f = value.first, f == 0x20 || f == 0x09 { value.removeFirst() }
        while let l = value.last, l == 0x20 || l == 0x09 { value.removeLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw HTTPParseError(400, "control character in a header field value")
        }
        // Latin-1 for obs-text: every byte maps to one scalar, so nothing is lost or rejected.
        return (String(decoding: name, as: UTF8.self), String(value.map { Character(UnicodeScalar($0)) }))
    }

    /// Checks the header block as a whole; returns the body length.
    private mutating func finishHeaders() throws(HTTPParseError) -> Int {
        var r = pending!
        let h = r.headers
        if h.contains("Transfer-Encoding") {
            throw HTTPParseError(501, "Transfer-Encoding in a request is not supported; send Content-Length")
        }
        if r.minorVersion == 1 && h.values("Host").count != 1 {
            throw HTTPParseError(400, "an HTTP/1.1 request needs exactly one Host field")
        }
        let lengths = h.values("Content-Length")
        var length = 0
        if lengths.count > 1 { throw HTTPParseError(400, "several Content-Length fields") }
        if let text = lengths.first {
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy(Self.isDigit), let n = Int(text) else {
                throw HTTPParseError(400, "Content-Length is not a number")
            }
            if n > limits.body { throw HTTPParseError(413, "body of \(n) bytes; at most \(limits.body)") }
            length = n
        } else if ["POST", "PUT", "PATCH"].contains(r.method) {
            throw HTTPParseError(411, "\(r.method) needs Content-Length")
        }
        if h.listContains("Connection", token: "close") {
            r.keepAlive = false
        } else if r.minorVersion == 0 {
            r.keepAlive = h.listContains("Connection", token: "keep-alive")
        }
        pending = r
        return length
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// tchar of RFC 9110 5.6.2.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
        default: false
        }
    }
}

/// Why a request was refused while parsing, as the status to answer with and a short reason.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400, 411, 413, 414, 431, 501 or 505.
    public var status: Int
    public var message: String

    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status) \(HTTPResponse.reason(status)): \(message)" }
}
