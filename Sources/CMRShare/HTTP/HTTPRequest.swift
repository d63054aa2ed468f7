/// One parsed HTTP/1.x request (RFC 9112), with the peer's address filled in by the server.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The request target as sent (origin form: path and query).
    public var target: String
    /// `target` before `?`, percent-escapes left as sent.
    public var path: String
    /// The query's `name=value` pairs, percent-decoded (`+` as a space); the first of a name wins.
    public var query: [String: String]
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whether the connection stays open after the response (the version's default, changed by
    /// `Connection: close` or `Connection: keep-alive`).
    public var keepAlive: Bool
    /// The client's address (`host:port`), or the proxy's client when the server trusts
    /// `X-Forwarded-For` from a proxy on loopback.
    public var remoteAddress: String

    public init(method: String, target: String, minorVersion: Int = 1, headers: HTTPHeaders = HTTPHeaders(),
                body: [UInt8] = [], keepAlive: Bool = true, remoteAddress: String = "") {
        self.method = method
        self.target = target
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = parts.first.map(String.init) ?? ""
        self.query = parts.count > 1 ? Self.parseQuery(parts[1]) : [:]
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
        self.remoteAddress = remoteAddress
    }

    /// The path split on `/` into percent-decoded segments (empty segments dropped); nil when an
    /// escape is broken or decodes to something that is not UTF-8.
    public var pathSegments: [String]? {
        var out: [String] = []
        for s in path.split(separator: "/") {
            guard let d = Self.percentDecoded(s, plusIsSpace: false) else { return nil }
            out.append(d)
        }
        return out
    }

    static func parseQuery(_ q: Substring) -> [String: String] {
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let k = Self.percentDecoded(kv[0], plusIsSpace: true), out[k] == nil else { continue }
            out[k] = kv.count > 1 ? Self.percentDecoded(kv[1], plusIsSpace: true) ?? "" : ""
        }
        return out
    }

    static func percentDecoded(_ s: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%") {
                guard it.count >= 2, let hi = hexValue(it.removeFirst()), let lo = hexValue(it.removeFirst()) else { return nil }
                bytes.append(hi << 4 | lo)
            } else if plusIsSpace && b == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }
}
