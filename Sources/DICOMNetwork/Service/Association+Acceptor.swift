import DICOMCoding

/// What an acceptor agrees to.
public struct AcceptancePolicy: Sendable {
    /// The AE title this side answers to; nil accepts any called AE title.
    public var aeTitle: String?
    /// Calling AE titles allowed; nil allows any.
    public var allowedCallingAETitles: Set<String>?
    /// Abstract syntaxes accepted, each with the transfer syntaxes accepted in order of preference.
    public var abstractSyntaxes: [String: [String]]
    /// Transfer syntaxes for any abstract syntax not listed (a storage SCP taking every SOP class); nil rejects them.
    public var otherAbstractSyntaxes: [String]?
    public var maximumReceiveLength: UInt32
    public var maximumSendLength: Int
    /// The most requests a requestor may have outstanding on this side's associations (PS3.7
    /// D.3.3.3): a proposed asynchronous operations window is answered with the smaller of this and
    /// what was proposed, and 1 performed. 1 grants nothing beyond one at a time.
    public var operationsWindow: UInt16 = 1
    public var timeouts: NetworkTimeouts

    public init(aeTitle: String? = nil, allowedCallingAETitles: Set<String>? = nil, abstractSyntaxes: [String: [String]],
                otherAbstractSyntaxes: [String]? = nil,
                maximumReceiveLength: UInt32 = 1 << 20, maximumSendLength: Int = 1 << 20, timeouts: NetworkTimeouts = NetworkTimeouts()) {
        self.aeTitle = aeTitle
        self.allowedCallingAETitles = allowedCallingAETitles
        self.abstractSyntaxes = abstractSyntaxes
        self.otherAbstractSyntaxes = otherAbstractSyntaxes
        self.maximumReceiveLength = maximumReceiveLength
        self.maximumSendLength = maximumSendLength
        self.timeouts = timeouts
    }

    /// The A-ASSOCIATE-RJ for `rq`, or nil when it may be accepted.
    public func rejection(of rq: AAssociateRQ) -> AAssociateRJ? {
        if rq.applicationContextName != dicomApplicationContextName {
            return AAssociateRJ(result: .permanent, source: .serviceUser, reason: 2)
        }
        if rq.protocolVersion & 1 == 0 {
            return AAssociateRJ(result: .permanent, source: .serviceProviderACSE, reason: 2)
        }
        if let aeTitle, rq.calledAETitle != aeTitle {
            return AAssociateRJ(result: .permanent, source: .serviceUser, reason: 7)
        }
        if let allowed = allowedCallingAETitles, !allowed.contains(rq.callingAETitle) {
            return AAssociateRJ(result: .permanent, source: .serviceUser, reason: 3)
        }
        return nil
    }

    /// The answer to a proposed asynchronous operations window (nil when none was proposed).
    public func window(for proposed: AsynchronousOperationsWindow?) -> AsynchronousOperationsWindow? {
        guard let proposed else { return nil }
        let limit = max(1, operationsWindow)
        let invoked = proposed.maximumInvoked == 0 ? limit : min(proposed.maximumInvoked, limit)
        return AsynchronousOperationsWindow(maximumInvoked: invoked, maximumPerformed: 1)
    }

    /// The answer to each proposed context: the first of this side's syntaxes the proposal offers.
    public func results(for rq: AAssociateRQ) -> [PresentationContextResult] {
        rq.presentationContexts.map { pc in
            guard let accepted = abstractSyntaxes[pc.abstractSyntax] ?? otherAbstractSyntaxes else {
                return PresentationContextResult(id: pc.id, result: .abstractSyntaxNotSupported, transferSyntax: pc.transferSyntaxes.first ?? "")
            }
            guard let ts = accepted.first(where: { pc.transferSyntaxes.contains($0) }) else {
                return PresentationContextResult(id: pc.id, result: .transferSyntaxesNotSupported, transferSyntax: pc.transferSyntaxes.first ?? "")
            }
            return PresentationContextResult(id: pc.id, result: .acceptance, transferSyntax: ts)
        }
    }
}

extension Association {
    /// Answers an inbound connection: waits (ARTIM) for its A-ASSOCIATE-RQ and accepts or rejects it.
    public static func accept(over transport: Transport, policy: AcceptancePolicy) throws -> Association {
        var machine = AssociationStateMachine()
        try raise(.transportIndication, &machine, transport)     // AE-5: start ARTIM
        var decoder = PDUDecoder(maximumDataLength: Int(policy.maximumReceiveLength))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let pdu = try receivePDU(&decoder, &machine, transport, &buffer, timeout: policy.timeouts.association)
        guard case .associateRQ(let rq) = pdu else {
            _ = try? raise(AssociationEvent(received: pdu), &machine, transport)   // AA-1 / AA-2
            transport.close()
            throw DICOMNetworkError(.protocolError, "\(transport.peerDescription): sent \(pdu.type.name) instead of an A-ASSOCIATE-RQ")
        }
        if let rj = policy.rejection(of: rq) {
            try raise(.associateRQReceived(acceptable: false), &machine, transport)   // AE-6: RJ, ARTIM
            try? transport.write(PDU.associateRJ(rj).encoded())
            transport.close()
            _ = machine.handle(.transportClosed)
            throw DICOMNetworkError(.rejected, "\(rq.callingAETitle)@\(transport.peerDescription) calling \(rq.calledAETitle): \(rj)", reject: rj)
        }
        try raise(.associateRQReceived(acceptable: true), &machine, transport)      // AE-6: indication
        let ac = AAssociateAC(calledAETitle: rq.calledAETitle, callingAETitle: rq.callingAETitle,
                              presentationContexts: policy.results(for: rq),
                              userInformation: UserInformation(maximumLength: policy.maximumReceiveLength,
                                                               implementationClassUID: Implementation.classUID,
                                                               implementationVersionName: Implementation.versionName,
                                                               asynchronousOperationsWindow: policy.window(for: rq.userInformation.asynchronousOperationsWindow)))
        try raise(.associateAccept, &machine, transport)                               // AE-7
        try transport.write(PDU.associateAC(ac).encoded())
        return Association(transport: transport, request: rq, acceptance: ac, isRequestor: false, machine: machine,
                           decoder: decoder, timeouts: policy.timeouts, maximumSendLength: policy.maximumSendLength)
    }
}
