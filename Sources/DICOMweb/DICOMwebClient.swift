import Foundation
import DICOMCore
import DICOMCoding

/// A DICOMweb (PS3.18) client for one service base URL (`https://host/dicomweb`): STOW-RS
/// (`store`), WADO-RS (`retrieve`, `metadata`), QIDO-RS (`search`). Calls block until the
/// response has been handled; every failure is a `DICOMwebError` naming the URL (and status).
/// The network is behind `HTTPTransport`, so everything above it is tested without a server.
public struct DICOMwebClient: Sendable {
    /// Who the client says it is. Supplied by the caller (the CLI reads them from files or the
    /// environment); sent only over HTTPS or to a loopback host (see `allowInsecure`).
    public enum Credentials: Sendable, Equatable {
        case bearer(String)
        case basic(user: String, password: String)

        var headerValue: String {
            switch self {
            case .bearer(let t): return "Bearer " + t
            case .basic(let u, let p): return "Basic " + Data((u + ":" + p).utf8).base64EncodedString()
            }
        }
    }

    public struct Options: Sendable {
        public var credentials: Credentials?
        /// Allows plain `http://` to a host that is not loopback (refused otherwise).
        public var allowInsecure = false
        /// Largest JSON response (QIDO, metadata, STOW) held in memory.
        public var maximumJSONResponse = 256 << 20
        public var userAgent = "cmr"
        public init(credentials: Credentials? = nil, allowInsecure: Bool = false) {
            self.credentials = credentials
            self.allowInsecure = allowInsecure
        }
    }

    public let base: URL
    public var options: Options
    public let transport: HTTPTransport

    /// Checks the URL (http or https, a host; plain http only to loopback unless allowed).
    public init(base: URL, options: Options = Options(), transport: HTTPTransport? = nil) throws {
        guard let scheme = base.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw DICOMwebError(.refused, "\(base.absoluteString): a DICOMweb URL starts with https:// (or http:// for loopback)", url: base.absoluteString)
        }
        guard let host = base.host, !host.isEmpty else {
            throw DICOMwebError(.refused, "\(base.absoluteString): no host in the URL", url: base.absoluteString)
        }
        if scheme == "http" && !options.allowInsecure && !DICOMwebClient.isLoopback(host) {
            throw DICOMwebError(.refused, "\(base.absoluteString): plain http to \(host) would send data and credentials unencrypted; use https, or allow insecure transport explicitly", url: base.absoluteString)
        }
        var s = base.absoluteString
        while s.hasSuffix("/") { s.removeLast() }
        self.base = URL(string: s) ?? base
        self.options = options
        self.transport = transport ?? URLSessionTransport()
    }

    /// `localhost`, 127.0.0.0/8 and ::1.
    public static func isLoopback(_ host: String) -> Bool {
        var h = host.lowercased()
        if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h == "localhost" || h.hasSuffix(".localhost") || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The URL of `path` (e.g. `studies/1.2.3/series`) under the base, with query items
    /// percent-encoded (everything but RFC 3986 unreserved characters).
    public func url(_ path: String, query: [(String, String)] = []) -> URL {
        var s = base.absoluteString + "/" + path
        if !query.isEmpty {
            s += "?" + query.map { DICOMwebClient.percentEncode($0.0) + "=" + DICOMwebClient.percentEncode($0.1) }.joined(separator: "&")
        }
        return URL(string: s)!
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// A request with the client's common headers (auth, user agent).
    func request(_ method: String, _ url: URL, accept: String, body: HTTPRequest.Body = .none,
                 headers extra: [(name: String, value: String)] = []) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [("Accept", accept), ("User-Agent", options.userAgent)]
        if let c = options.credentials { headers.append(("Authorization", c.headerValue)) }
        headers += extra
        return HTTPRequest(method: method, url: url, headers: headers, body: body)
    }

    /// An error for a response with an error status, with the first bytes of its body.
    static func statusError(_ head: HTTPResponseHead, url: String, body: [UInt8] = []) -> DICOMwebError {
        var text = String(decoding: body.prefix(300), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        if !text.isEmpty { text = ": " + text }
        return DICOMwebError(.httpStatus(head.status), "\(url): HTTP \(head.status)\(text)", url: url, retryAfter: head.retryAfter())
    }

    /// GET (or another method) with the response collected in memory; error statuses throw.
    func fetch(_ req: HTTPRequest) throws -> (HTTPResponseHead, [UInt8]) {
        let c = BodyCollector(limit: options.maximumJSONResponse, url: req.url.absoluteString)
        let head = try transport.perform(req, handler: c)
        guard (200..<300).contains(head.status) else {
            throw DICOMwebClient.statusError(head, url: req.url.absoluteString, body: c.body)
        }
        return (head, c.body)
    }
}
