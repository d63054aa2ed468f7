/// A response for the server to send: status, header fields, and a body in memory or a file
/// streamed in chunks. The server adds `Content-Length`, `Connection`, `Date` and the security
/// headers every response carries (`HTTPServer.securityHeaders`).
public struct HTTPResponse: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        case bytes([UInt8])
        /// A file sent from disk in chunks, never loaded whole; its size is taken when sending.
        case file(path: String)
    }

    public var status: Int
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body bytes when in memory (tests), else empty.
    public var bytes: [UInt8] {
        if case .bytes(let b) = body { return b }
        return []
    }

    public static func bytes(_ status: Int, contentType: String, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", contentType)]), body: .bytes(body))
    }

    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        bytes(status, contentType: "text/plain; charset=utf-8", Array(text.utf8))
    }

    /// The standard reason phrase of `status` ("Not Found"), or "Status" for one not listed.
    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 410: "Gone"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}
