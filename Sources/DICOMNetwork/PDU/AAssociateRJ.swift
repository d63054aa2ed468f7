/// A-ASSOCIATE-RJ (PS3.8 §9.3.4).
public struct AAssociateRJ: Sendable, Equatable, CustomStringConvertible {
    public enum Result: UInt8, Sendable { case permanent = 1, transient = 2 }
    public enum Source: UInt8, Sendable {
        case serviceUser = 1
        case serviceProviderACSE = 2
        case serviceProviderPresentation = 3
    }

    public var result: Result
    public var source: Source
    /// Meaning depends on `source` (see `reasonDescription`).
    public var reason: UInt8

    public init(result: Result, source: Source, reason: UInt8) {
        self.result = result
        self.source = source
        self.reason = reason
    }

    public var reasonDescription: String {
        switch (source, reason) {
        case (.serviceUser, 1): return "no reason given"
        case (.serviceUser, 2): return "application context name not supported"
        case (.serviceUser, 3): return "calling AE title not recognized"
        case (.serviceUser, 7): return "called AE title not recognized"
        case (.serviceProviderACSE, 1): return "no reason given"
        case (.serviceProviderACSE, 2): return "protocol version not supported"
        case (.serviceProviderPresentation, 1): return "temporary congestion"
        case (.serviceProviderPresentation, 2): return "local limit exceeded"
        default: return "reason \(reason)"
        }
    }

    public var description: String {
        let r = result == .permanent ? "rejected (permanent)" : "rejected (transient)"
        let s: String
        switch source {
        case .serviceUser: s = "service user"
        case .serviceProviderACSE: s = "service provider (ACSE)"
        case .serviceProviderPresentation: s = "service provider (presentation)"
        }
        return "\(r) by the \(s): \(reasonDescription)"
    }
}
