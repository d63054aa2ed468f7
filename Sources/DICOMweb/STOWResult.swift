/// The outcome of one STOW-RS request, instance by instance. An HTTP error status does not by
/// itself mean nothing was stored (Orthanc answers 400 and still stores part of a request; the
/// standard answers 409 or 202 for partial success): each instance is what the response said
/// about it, and `error` keeps the status for the caller's retry logic.
public struct STOWResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// In the Referenced SOP Sequence.
        case stored
        /// In the Referenced SOP Sequence with a Warning Reason.
        case storedWithWarning(Int)
        /// In the Failed SOP Sequence, with its Failure Reason when given.
        case failed(reason: Int?)
        /// Not mentioned in the response (or no response could be read): unknown, send again.
        case notAcknowledged
        /// Not sent: the file could not be opened when the request was made (the reason).
        case unreadable(String)
    }

    public struct Instance: Sendable, Equatable {
        public var instance: STOWInstance
        public var outcome: Outcome
        public var retrieveURL: String?
    }

    /// The HTTP status, or nil when no response arrived.
    public var status: Int?
    public var instances: [Instance]
    /// References in the response that match none of the files sent.
    public var unexpected: [STOWResponse.Reference]
    /// The HTTP error (with URL, status and Retry-After), when the status was not 2xx.
    public var error: DICOMwebError?
    public var response: STOWResponse?

    public var storedCount: Int { instances.filter { if case .stored = $0.outcome { return true }; if case .storedWithWarning = $0.outcome { return true }; return false }.count }
    public var isComplete: Bool { storedCount == instances.count }
    /// Some but not all instances stored.
    public var isPartial: Bool { storedCount > 0 && storedCount < instances.count }

    /// Matches a response to the files sent, by SOP Instance UID.
    /// `unreadable`: files left out of the request, by path, with the reason.
    public static func match(_ sent: [STOWInstance], response: STOWResponse?, status: Int?, error: DICOMwebError?,
                             unreadable: [String: String] = [:]) -> STOWResult {
        var byUID: [String: (Outcome, String?)] = [:]
        let known = Set(sent.map(\.sopInstanceUID))
        var unexpected: [STOWResponse.Reference] = []
        if let response {
            for r in response.stored {
                let outcome: Outcome = r.warningReason.map { .storedWithWarning($0) } ?? .stored
                if known.contains(r.sopInstanceUID) { byUID[r.sopInstanceUID] = (outcome, r.retrieveURL) } else { unexpected.append(r) }
            }
            for r in response.failed {
                if known.contains(r.sopInstanceUID) { byUID[r.sopInstanceUID] = (.failed(reason: r.failureReason), nil) } else { unexpected.append(r) }
            }
        }
        let instances = sent.map { i -> Instance in
            if let reason = unreadable[i.path] { return Instance(instance: i, outcome: .unreadable(reason), retrieveURL: nil) }
            let (o, url) = byUID[i.sopInstanceUID] ?? (.notAcknowledged, nil)
            return Instance(instance: i, outcome: o, retrieveURL: url)
        }
        return STOWResult(status: status, instances: instances, unexpected: unexpected, error: error, response: response)
    }
}
