extension Association {
    /// Connects to `host:port` over TCP and requests an association.
    public static func request(host: String, port: UInt16, parameters: AssociationParameters) throws -> Association {
        var machine = AssociationStateMachine()
        _ = machine.handle(.associateRequest)                      // AE-1: connect
        let transport = try SocketTransport.connect(host: host, port: port, timeout: parameters.timeouts.connect)
        return try request(over: transport, parameters: parameters, machine: machine)
    }

    /// Requests an association over a connected transport (a socket, or memory in tests).
    public static func request(over transport: Transport, parameters: AssociationParameters) throws -> Association {
        var machine = AssociationStateMachine()
        _ = machine.handle(.associateRequest)
        return try request(over: transport, parameters: parameters, machine: machine)
    }

    static func request(over transport: Transport, parameters: AssociationParameters, machine: AssociationStateMachine) throws -> Association {
        var machine = machine
        let rq = parameters.associateRQ
        guard !rq.presentationContexts.isEmpty, rq.presentationContexts.count <= 128 else {
            transport.close()
            throw DICOMNetworkError(.notAccepted, "an association proposes 1 to 128 presentation contexts, not \(rq.presentationContexts.count)")
        }
        try raise(.transportConnected, &machine, transport)     // AE-2: send the RQ, start ARTIM
        do {
            try transport.write(PDU.associateRQ(rq).encoded())
        } catch {
            _ = try? raise(.transportClosed, &machine, transport)
            throw error
        }
        var decoder = PDUDecoder(maximumDataLength: Int(parameters.maximumReceiveLength))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let peer = transport.peerDescription
        let pdu = try receivePDU(&decoder, &machine, transport, &buffer, timeout: parameters.timeouts.association)
        switch pdu {
        case .associateAC(let ac):
            try raise(.associateACReceived, &machine, transport)    // AE-3
            return Association(transport: transport, request: rq, acceptance: ac, isRequestor: true, machine: machine,
                               decoder: decoder, timeouts: parameters.timeouts, maximumSendLength: parameters.maximumSendLength)
        case .associateRJ(let rj):
            try raise(.associateRJReceived, &machine, transport)    // AE-4: closes
            throw DICOMNetworkError(.rejected, "\(parameters.calledAETitle)@\(peer) \(rj)", reject: rj)
        case .abort(let a):
            _ = try? raise(.abortReceived, &machine, transport)
            transport.close()
            throw DICOMNetworkError(.rejected, "\(parameters.calledAETitle)@\(peer): the association request was \(a)")
        default:
            _ = try? raise(AssociationEvent(received: pdu), &machine, transport, abortReason: .unexpectedPDU)
            transport.close()
            throw DICOMNetworkError(.protocolError, "\(parameters.calledAETitle)@\(peer): answered the A-ASSOCIATE-RQ with \(pdu.type.name)")
        }
    }
}
