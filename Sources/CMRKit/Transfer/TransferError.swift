import DICOMNetwork

extension CMRError {
    /// The user-facing form of a network error talking to `peer`. A permanent rejection is a
    /// refusal by policy (77: the peer does not know us, or refuses what we propose); a transient
    /// one (the peer is busy) and timeouts may work later (75); unreachable is 69; a broken protocol 76.
    public static func network(_ error: Error, peer: String) -> CMRError {
        guard var e = error as? DICOMNetworkError else {
            if let c = error as? CMRError { return c }
            return CMRError(.ioError, "\(peer): \(error)")
        }
        // The library names the transport ("host:port: …"); `peer` says it better.
        if let colon = e.message.range(of: ": "), e.message[..<colon.lowerBound].allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" || $0.isLetter || $0 == "-" || $0 == "[" || $0 == "]" }),
           e.message[..<colon.lowerBound].contains(":") {
            e.message = String(e.message[colon.upperBound...])
        }
        switch e.kind {
        case .unavailable:
            return CMRError(.peerUnavailable, "\(peer): \(e.message)", hint: "check the host and port, and that the peer is running")
        case .rejected:
            if let rj = e.reject {
                if rj.result == .transient {
                    return CMRError(.temporaryFailure, "\(peer): \(e.message)", hint: "the peer is busy or at its limit; try again later")
                }
                return CMRError(.permissionDenied, "\(peer): \(e.message)",
                                hint: "check the AE titles: the peer must know this side's calling AE title (--ae-title) and its own called AE title")
            }
            return CMRError(.peerUnavailable, "\(peer): \(e.message)")
        case .timeout:
            return CMRError(.temporaryFailure, "\(peer): \(e.message)", hint: "the peer did not answer in time; raise the timeouts or try again later")
        case .protocolError:
            return CMRError(.protocolError, "\(peer): \(e.message)")
        case .notAccepted:
            return CMRError(.permissionDenied, "\(peer): \(e.message)", hint: "the peer does not accept this SOP class or transfer syntax")
        }
    }

    /// Whether trying again (re-associating) may help: connection loss, abort, timeout, a transient rejection.
    public var isTransient: Bool {
        kind == .peerUnavailable || kind == .temporaryFailure
    }
}
