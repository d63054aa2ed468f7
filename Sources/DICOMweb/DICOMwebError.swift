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
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
