/// Why a network operation failed, naming the peer where there is one.
public struct DICOMNetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The peer could not be reached, or closed the connection.
        case unavailable
        /// The association was rejected (A-ASSOCIATE-RJ) or aborted (A-ABORT).
        case rejected
        /// The peer broke the protocol (a malformed or unexpected PDU).
        case protocolError
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
