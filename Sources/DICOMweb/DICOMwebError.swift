/// Why a DICOMweb request failed, naming the URL and the HTTP status where there is one.
public struct DICOMwebError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached.
        case unavailable
        /// The server answered with an HTTP error status.
        case httpStatus(Int)
        /// The response could not be parsed (multipart, DICOM JSON, XML).
        case malformedResponse
        /// No answer within the time allowed.
        case timeout
        /// The request was refused before it was sent (plain http to a non-loopback host, a bad URL).
        case refused
        /// A local file could not be read or written.
        case io
    }

    public var kind: Kind
    public var message: String
    /// The request's URL, when the error belongs to one.
    public var url: String?
    /// Seconds the server asked the client to wait (`Retry-After`), when it said.
    public var retryAfter: Double?

    public init(_ kind: Kind, _ message: String, url: String? = nil, retryAfter: Double? = nil) {
        self.kind = kind
        self.message = message
        self.url = url
        self.retryAfter = retryAfter
    }

    /// The HTTP status, when the server answered with an error status.
    public var status: Int? {
        if case .httpStatus(let s) = kind { return s }
        return nil
    }

    /// Whether trying again later may work: no answer, a timeout, or 408/429/500/502/503/504.
    public var isTransient: Bool {
        switch kind {
        case .unavailable, .timeout: return true
        case .httpStatus(let s): return [408, 429, 500, 502, 503, 504].contains(s)
        case .malformedResponse, .refused, .io: return false
        }
    }

    public var description: String { message }
}
