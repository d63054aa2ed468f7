/// One DICOM association over a `Transport`, either side (requestor or acceptor).
///
/// Blocking and single-threaded: one caller drives it. Every PDU sent or received goes through
/// the `AssociationStateMachine`, whose actions this class performs (send an A-ABORT, close the
/// transport, time out with ARTIM); what the table forbids becomes a typed `DICOMNetworkError`.
public final class Association: @unchecked Sendable {
    public let transport: Transport
    public let request: AAssociateRQ
    /// The A-ASSOCIATE-AC: received (requestor) or sent (acceptor).
    public let acceptance: AAssociateAC
    public let acceptedContexts: [AcceptedPresentationContext]
    /// The peer's maximum P-DATA-TF length (0: no limit).
    public let peerMaximumLength: UInt32
    public let timeouts: NetworkTimeouts
    /// Size of the fragments this side sends.
    public let fragmentLength: Int
    /// How many operations this side may have outstanding at once (PS3.7 D.3.3.3): the requestor's
    /// Maximum Number Operations Invoked, the acceptor's Maximum Number Operations Performed, as the
    /// A-ASSOCIATE-AC granted them within what was proposed (0 there: as many as proposed); 1 when
    /// either side left the item out.
    public let operationsWindow: Int

    var machine: AssociationStateMachine
    var decoder: PDUDecoder
    var assembler = MessageAssembler()
    var lastMessageID: UInt16 = 0
    var readBuffer = [UInt8](repeating: 0, count: 1 << 16)

    init(transport: Transport, request: AAssociateRQ, acceptance: AAssociateAC, isRequestor: Bool,
         machine: AssociationStateMachine, decoder: PDUDecoder, timeouts: NetworkTimeouts, maximumSendLength: Int) {
        self.transport = transport
        self.request = request
        self.acceptance = acceptance
        self.machine = machine
        self.decoder = decoder
        self.timeouts = timeouts
        let peerMax = (isRequestor ? acceptance.userInformation.maximumLength : request.userInformation.maximumLength) ?? 0
        self.peerMaximumLength = peerMax
        self.fragmentLength = MessageFragmenter.fragmentLength(maximumPDULength: peerMax, cap: maximumSendLength)
        self.operationsWindow = Self.window(proposed: request.userInformation.asynchronousOperationsWindow,
                                            granted: acceptance.userInformation.asynchronousOperationsWindow, isRequestor: isRequestor)
        var accepted: [AcceptedPresentationContext] = []
        for result in acceptance.presentationContexts where result.result == .acceptance {
            if let proposal = request.presentationContexts.first(where: { $0.id == result.id }) {
                accepted.append(AcceptedPresentationContext(id: result.id, abstractSyntax: proposal.abstractSyntax,
                                                            transferSyntax: result.transferSyntax))
            }
        }
        self.acceptedContexts = accepted
    }

    /// This side's share of the negotiated window; 0 (unlimited) is read as the other value, both 0 as 65535.
    static func window(proposed: AsynchronousOperationsWindow?, granted: AsynchronousOperationsWindow?, isRequestor: Bool) -> Int {
        guard let proposed, let granted else { return 1 }
        let asked = Int(isRequestor ? proposed.maximumInvoked : proposed.maximumPerformed)
        let given = Int(isRequestor ? granted.maximumInvoked : granted.maximumPerformed)
        switch (asked, given) {
        case (0, 0): return Int(UInt16.max)
        case (0, _): return given
        case (_, 0): return asked
        default: return min(asked, given)
        }
    }

    public var state: AssociationState { machine.state }
    public var isEstablished: Bool { machine.state == .Sta6 }

    /// The accepted context for `abstractSyntax`, preferring `transferSyntax` when given.
    public func context(for abstractSyntax: String, transferSyntax: String? = nil) -> AcceptedPresentationContext? {
        let candidates = acceptedContexts.filter { $0.abstractSyntax == abstractSyntax }
        guard let transferSyntax else { return candidates.first }
        return candidates.first { $0.transferSyntax == transferSyntax }
    }

    /// The transfer syntax accepted on context `id`.
    func transferSyntax(of id: UInt8) -> String {
        acceptedContexts.first { $0.id == id }?.transferSyntax ?? "1.2.840.10008.1.2"
    }

    func nextMessageID() -> UInt16 {
        lastMessageID = lastMessageID == UInt16.max ? 1 : lastMessageID + 1
        return lastMessageID
    }

    // MARK: state machine plumbing

    /// Runs `event` through the state machine and performs the actions that need no PDU from the caller.
    @discardableResult
    static func raise(_ event: AssociationEvent, _ machine: inout AssociationStateMachine, _ transport: Transport,
                      abortReason: AAbort.Reason = .notSpecified) throws -> [AssociationStateMachine.Action] {
        let actions = machine.handle(event)
        for action in actions {
            switch action {
            case .sendAbort(let source):
                try? transport.write(PDU.abort(AAbort(source: source, reason: source == .serviceProvider ? abortReason : .notSpecified)).encoded())
            case .closeTransport:
                transport.close()
            case .notAllowed(let e, let s):
                throw DICOMNetworkError(.protocolError, "\(transport.peerDescription): \(e) is not allowed in \(s)")
            default:
                break
            }
        }
        // Sta13 waits for the peer to close; this side closes at once, which is Evt17 → Sta1.
        if machine.state == .Sta13, actions.contains(where: { if case .sendAbort = $0 { return true }; return false }) {
            transport.close()
            _ = machine.handle(.transportClosed)
        }
        return actions
    }

    @discardableResult
    func raise(_ event: AssociationEvent, abortReason: AAbort.Reason = .notSpecified) throws -> [AssociationStateMachine.Action] {
        try Self.raise(event, &machine, transport, abortReason: abortReason)
    }

    /// The next PDU from the peer, or a typed error after the state machine has handled the failure.
    static func receivePDU(_ decoder: inout PDUDecoder, _ machine: inout AssociationStateMachine, _ transport: Transport,
                           _ buffer: inout [UInt8], timeout: Double?) throws -> PDU {
        while true {
            do {
                if let pdu = try decoder.next() { return pdu }
            } catch let error as PDUDecodingError {
                let reason: AAbort.Reason
                switch error {
                case .unknownType: reason = .unrecognizedPDU
                case .tooLong, .malformed: reason = .invalidPDUParameterValue
                }
                _ = try? raise(.invalidPDU, &machine, transport, abortReason: reason)
                transport.close()
                throw DICOMNetworkError(.protocolError, "\(transport.peerDescription): \(error)")
            }
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBytes { try transport.read(into: $0, timeout: timeout) }
            } catch let error as DICOMNetworkError where error.kind == .timeout {
                if machine.state == .Sta2 || machine.state == .Sta13 {
                    _ = try? raise(.artimExpired, &machine, transport)
                } else {
                    _ = try? raise(.abortRequest, &machine, transport)
                }
                transport.close()
                throw error
            }
            if n == 0 {
                let wasEstablished = machine.state
                _ = try? raise(.transportClosed, &machine, transport)
                transport.close()
                throw DICOMNetworkError(.unavailable, "\(transport.peerDescription): the peer closed the connection (in \(wasEstablished))")
            }
            buffer.withUnsafeBytes { decoder.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    func receivePDU(timeout: Double?) throws -> PDU {
        try Self.receivePDU(&decoder, &machine, transport, &readBuffer, timeout: timeout)
    }

    /// Handles a PDU that is not P-DATA during data transfer: peer abort, release, or a protocol violation.
    func unexpected(_ pdu: PDU) throws -> Never {
        let peer = transport.peerDescription
        switch pdu {
        case .abort(let a):
            _ = try? raise(.abortReceived)
            transport.close()
            throw DICOMNetworkError(.rejected, "\(peer): the association was \(a)")
        default:
            _ = try? raise(AssociationEvent(received: pdu), abortReason: .unexpectedPDU)
            transport.close()
            throw DICOMNetworkError(.protocolError, "\(peer): unexpected \(pdu.type.name) in \(machine.state)")
        }
    }

    // MARK: sending

    /// Sends `bytes` as a command or data set, fragmented to the peer's maximum length, each PDU in one write.
    func sendMessagePart(_ bytes: UnsafeRawBufferPointer, contextID: UInt8, isCommand: Bool, afterEach: ((Range<Int>) -> Void)? = nil) throws {
        guard machine.state == .Sta6 || machine.state == .Sta8 else {
            throw DICOMNetworkError(.unavailable, "\(transport.peerDescription): the association is over (\(machine.state)); open a new one")
        }
        var p = 0
        repeat {
            let end = min(bytes.count, p + fragmentLength)
            try raise(.pDataRequest)
            let header = PDU.dataHeader(presentationContextID: contextID, isCommand: isCommand, isLast: end == bytes.count, fragmentLength: end - p)
            do {
                try header.withUnsafeBytes { try transport.write([$0, UnsafeRawBufferPointer(rebasing: bytes[p..<end])]) }
            } catch {
                _ = try? raise(.transportClosed)
                throw error
            }
            afterEach?(p..<end)
            p = end
        } while p < bytes.count
    }

    func sendCommand(_ command: CommandSet, contextID: UInt8) throws {
        try command.encoded().withUnsafeBytes { try sendMessagePart($0, contextID: contextID, isCommand: true) }
    }

    // MARK: receiving

    /// One whole DIMSE message. Data fragments go to `onData` when given (streaming), else are collected.
    /// Returns nil when the peer asked to release (the release is answered).
    func receiveMessage(timeout: Double?, onData: ((CommandSet, UInt8, [UInt8], Bool) throws -> Void)? = nil) throws -> (CommandSet, UInt8, [UInt8]?)? {
        var command: CommandSet?
        var contextID: UInt8 = 0
        var data: [UInt8]?
        while true {
            let pdu = try receivePDU(timeout: timeout)
            switch pdu {
            case .data(let pdata):
                try raise(.pDataReceived)
                for pdv in pdata.values {
                    guard let out = try assemble(pdv) else { continue }
                    switch out {
                    case .command(let c, let id, let expectsData):
                        command = c
                        contextID = id
                        if !expectsData { return (c, id, nil) }
                        if onData == nil { data = [] }
                    case .dataFragment(let bytes, let isLast):
                        guard let c = command else { continue }
                        if let onData { try onData(c, contextID, bytes, isLast) } else { data! += bytes }
                        if isLast { return (c, contextID, data) }
                    }
                }
            case .releaseRQ where command == nil:
                try raise(.releaseRQReceived)
                try raise(.releaseResponse)
                try transport.write(PDU.releaseRP.encoded())
                // AR-4 waits for the requestor to close; closing here is Evt17 in Sta13.
                transport.close()
                try raise(.transportClosed)
                return nil
            default:
                try unexpected(pdu)
            }
        }
    }

    func assemble(_ pdv: PresentationDataValue) throws -> MessageAssembler.Output? {
        do {
            if !acceptedContexts.contains(where: { $0.id == pdv.presentationContextID }) {
                throw DICOMNetworkError(.protocolError, "PDV on presentation context \(pdv.presentationContextID), which was not accepted")
            }
            return try assembler.add(pdv)
        } catch let error as DICOMNetworkError {
            _ = try? raise(.invalidPDU, abortReason: .invalidPDUParameterValue)
            transport.close()
            throw DICOMNetworkError(.protocolError, "\(transport.peerDescription): \(error.message)")
        }
    }

    // MARK: ending

    /// A-RELEASE: asks the peer to release and waits (ARTIM) for its answer.
    public func release() throws {
        guard machine.state == .Sta6 else { return }
        try raise(.releaseRequest)
        try transport.write(PDU.releaseRQ.encoded())
        while true {
            let pdu = try receivePDU(timeout: timeouts.association)
            switch pdu {
            case .releaseRP:
                try raise(.releaseRPReceived)
                transport.close()
                return
            case .data:
                try raise(.pDataReceived)          // AR-6: late data is indicated and dropped
            case .releaseRQ:
                try raise(.releaseRQReceived)      // collision: AR-8
                try raise(.releaseResponse)        // AR-9 (requestor) answers first
                try transport.write(PDU.releaseRP.encoded())
            default:
                try unexpected(pdu)
            }
        }
    }

    /// A-ABORT (service user) and close. Never throws: aborting is what one does when things failed.
    public func abort() {
        if machine.state != .Sta1 { _ = try? raise(.abortRequest) }
        transport.close()
        if machine.state == .Sta13 { _ = try? raise(.transportClosed) }
    }
}
