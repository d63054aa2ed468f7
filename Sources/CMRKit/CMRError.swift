import Foundation

/// Every failure a cmr operation reports to its user, with the exit status it maps to.
///
/// Library modules throw their own typed errors with context; CMRKit wraps them into these,
/// naming the file (or peer) and the problem, with a hint for the fix where there is one.
public struct CMRError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// 64 — the command line is wrong.
        case usage
        /// 65 — the input data is invalid (not DICOM, corrupt, fails validation).
        case invalidData
        /// 66 — an input file or folder does not exist or cannot be opened.
        case inputMissing
        /// 69 — a peer is unavailable or rejected the association.
        case peerUnavailable
        /// 73 — an output cannot be created (exists and no --overwrite, folder missing).
        case cannotCreateOutput
        /// 74 — a read or write failed.
        case ioError
        /// 75 — a temporary failure; trying again may work.
        case temporaryFailure
        /// 76 — a peer broke the protocol.
        case protocolError
        /// 77 — refused by permission or by policy.
        case permissionDenied
        /// 78 — the configuration (key file, recipe, config) is wrong.
        case configuration
    }

    public var kind: Kind
    /// What went wrong, naming the file or peer: `"scan.dcm: truncated at offset 1234 in (7FE0,0010)"`.
    public var message: String
    /// How to fix it, when cmr knows.
    public var hint: String?

    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    /// The BSD sysexits status of this error (see docs/exit-codes.md).
    public var exitStatus: Int32 {
        switch kind {
        case .usage: return 64
        case .invalidData: return 65
        case .inputMissing: return 66
        case .peerUnavailable: return 69
        case .cannotCreateOutput: return 73
        case .ioError: return 74
        case .temporaryFailure: return 75
        case .protocolError: return 76
        case .permissionDenied: return 77
        case .configuration: return 78
        }
    }

    public var description: String { message }
}
