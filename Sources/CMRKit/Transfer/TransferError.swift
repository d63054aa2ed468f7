import DICOMNetwork
import DICOMweb

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

extension CMRError {
    /// The user-facing form of a DICOMweb failure talking to `peer` (docs/transfer.md): no answer 69;
    /// a timeout or a transient status (408, 429, 5xx) 75; refused credentials or forbidden 77; a URL
    /// that is no DICOMweb service (a redirect, 405, 501, and for STOW 404) 78; a broken answer 76;
    /// a local file 74. `storing`: a STOW-RS request (`--to`), else QIDO/WADO (`--from`).
    public static func web(_ error: Error, peer: String, storing: Bool) -> CMRError {
        guard let e = error as? DICOMwebError else {
            if let c = error as? CMRError { return c }
            return CMRError(.ioError, "\(peer): \(error)")
        }
        switch e.kind {
        case .unavailable:
            return CMRError(.peerUnavailable, e.message, hint: "check the URL, and that the server is running")
        case .timeout:
            return CMRError(.temporaryFailure, e.message, hint: "the server did not answer in time; raise --dimse-timeout or try again later")
        case .refused:
            return CMRError(.permissionDenied, e.message, hint: "use https://, or give --allow-insecure if this network is trusted")
        case .malformedResponse:
            return CMRError(.protocolError, e.message)
        case .io:
            return CMRError(.ioError, e.message)
        case .httpStatus(let status):
            if e.isTransient { return CMRError(.temporaryFailure, e.message, hint: "the server is busy or failing; try again later") }
            switch status {
            case 401, 407:
                return CMRError(.permissionDenied, e.message + " (the server refused the credentials)",
                                hint: "check --user-file, --token-file, --token-command or CMR_TOKEN")
            case 403:
                return CMRError(.permissionDenied, e.message + " (forbidden)",
                                hint: "the credentials are not allowed to \(storing ? "store" : "read") there")
            case 300..<400, 405, 501, 404 where storing:
                return CMRError(.configuration, e.message + " (not a DICOMweb service root)",
                                hint: "\(storing ? "--to" : "--from") names the DICOMweb service root, e.g. https://host/dicom-web")
            default:
                return CMRError(.protocolError, e.message)
            }
        }
    }
}
