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
        /// The association holds no accepted presentation context for what was asked
        /// (SOP class and transfer syntax): transcode, or propose differently next time.
        case notAccepted
    }

    public var kind: Kind
    public var message: String
    /// The A-ASSOCIATE-RJ's result, source and reason when the peer rejected the association.
    public var reject: AAssociateRJ?

    public init(_ kind: Kind, _ message: String, reject: AAssociateRJ? = nil) {
        self.kind = kind
        self.message = message
        self.reject = reject
    }

    public var description: String { message }
}
