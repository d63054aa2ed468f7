import Foundation

/// One HTTP request as the DICOMweb client makes it. The body is in memory (small: none of the
/// client's own requests), a file that the transport streams from disk, or a stream produced
/// while it is sent (STOW bodies, `MultipartFileStream`).
public struct HTTPRequest: Sendable {
    public enum Body: Sendable, Equatable {
        case none
        case bytes([UInt8])
        case file(String)
        case stream(StreamedBody)
    }

    public var method: String
    public var url: URL
    /// Header fields; names as written, compared without case by servers.
    public var headers: [(name: String, value: String)]
    public var body: Body
    /// Land the response body on disk as it arrives and hand it to the handler from there,
    /// instead of from memory: the network is never slowed by the handler, and memory stays
    /// bounded even when the handler is slower than the network (FoundationNetworking queues
    /// received data for the delegate without limit). Costs one temporary copy on disk.
    public var spoolToDisk = false

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Body = .none,
                spoolToDisk: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.spoolToDisk = spoolToDisk
    }

    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.name.lowercased() == n }?.value
    }
}

/// Status and header fields of a response (header names lowercased).
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]

    public init(status: Int, headers: [String: String] = [:]) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// `Retry-After` in seconds: delta-seconds, or an HTTP-date relative to `now`.
    public func retryAfter(now: Date = Date()) -> Double? {
        guard let raw = header("Retry-After")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        if let s = Int(raw), s >= 0 { return Double(s) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let d = f.date(from: raw) else { return nil }
        return max(0, d.timeIntervalSince(now))
    }
}

/// Receives a response as it arrives: the head once, then the body in chunks of any size.
/// Throwing cancels the request and the transport rethrows that error.
public protocol HTTPResponseHandler: AnyObject {
    func received(head: HTTPResponseHead) throws
    func received(body: UnsafeRawBufferPointer) throws
}

/// The network under the client: URLSession in production (`URLSessionTransport`), a canned
/// server in unit tests. `perform` blocks until the response has been handed over completely.
public protocol HTTPTransport: Sendable {
    func perform(_ request: HTTPRequest, handler: HTTPResponseHandler) throws -> HTTPResponseHead
}

/// Collects a response body in memory, up to a limit.
final class BodyCollector: HTTPResponseHandler {
    var head: HTTPResponseHead?
    var body: [UInt8] = []
    let limit: Int
    let url: String

    init(limit: Int, url: String) {
        self.limit = limit
        self.url = url
    }

    func received(head: HTTPResponseHead) throws { self.head = head }

    func received(body chunk: UnsafeRawBufferPointer) throws {
        guard body.count + chunk.count <= limit else {
            throw DICOMwebError(.malformedResponse, "\(url): response larger than \(limit) bytes", url: url)
        }
        body.append(contentsOf: chunk)
    }
}

/// A body read from a stream as it is sent, with no length known to the transport (chunked
/// transfer encoding). It makes a new stream for each time the body is sent: libcurl sends a
/// request again, once, on a new connection when a kept-alive one turns out dead, and asks
/// FoundationNetworking to rewind the body, which asks the task's delegate for a new stream (an
/// old stream would go on from where it was: a body without its beginning). Compared by identity.
public final class StreamedBody: @unchecked Sendable, Equatable {
    private let make: () -> InputStream
    private let lock = NSLock()
    private var made: [InputStream] = []

    public init(_ make: @escaping () -> InputStream) { self.make = make }

    /// A new stream from the start of the body.
    public func newStream() -> InputStream {
        let s = make()
        lock.withLock { made.append(s) }
        return s
    }

    /// The streams made so far, oldest first (the last one is the body the server got, if any).
    public var streams: [InputStream] { lock.withLock { made } }

    public static func == (a: StreamedBody, b: StreamedBody) -> Bool { a === b }
}
