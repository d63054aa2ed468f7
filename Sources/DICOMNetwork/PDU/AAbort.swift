/// A-ABORT (PS3.8 §9.3.8).
public struct AAbort: Sendable, Equatable, CustomStringConvertible {
    public enum Source: UInt8, Sendable { case serviceUser = 0, reserved = 1, serviceProvider = 2 }
    /// Reasons when the source is the service provider (PS3.8 Table 9-26).
    public enum Reason: UInt8, Sendable {
        case notSpecified = 0
        case unrecognizedPDU = 1
        case unexpectedPDU = 2
        case reserved = 3
        case unrecognizedPDUParameter = 4
        case unexpectedPDUParameter = 5
        case invalidPDUParameterValue = 6
    }

    public var source: Source
    public var reason: Reason

    public init(source: Source, reason: Reason = .notSpecified) {
        self.source = source
        self.reason = reason
    }

    public var description: String {
        source == .serviceProvider ? "aborted by the service provider: \(reason)" : "aborted by the service user"
    }
}
