/// The DICOM upper layer state machine (PS3.8 §9.2, Table 9-10) as a value type.
///
/// It does no I/O: `handle(_:)` moves to the next state and returns what the caller must do
/// (send a PDU, close the transport, start or stop the ARTIM timer, tell the user). A pair the
/// table leaves empty for a local primitive is refused (`.notAllowed`, state unchanged); a PDU
/// arriving where the table says so aborts.
public struct AssociationStateMachine: Sendable, Equatable {
    /// The table's action names (PS3.8 Tables 9-6 to 9-9).
    public enum ActionName: String, Sendable, CaseIterable {
        case AE1 = "AE-1", AE2 = "AE-2", AE3 = "AE-3", AE4 = "AE-4", AE5 = "AE-5", AE6 = "AE-6", AE7 = "AE-7", AE8 = "AE-8"
        case DT1 = "DT-1", DT2 = "DT-2"
        case AR1 = "AR-1", AR2 = "AR-2", AR3 = "AR-3", AR4 = "AR-4", AR5 = "AR-5"
        case AR6 = "AR-6", AR7 = "AR-7", AR8 = "AR-8", AR9 = "AR-9", AR10 = "AR-10"
        case AA1 = "AA-1", AA2 = "AA-2", AA3 = "AA-3", AA4 = "AA-4", AA5 = "AA-5", AA6 = "AA-6", AA7 = "AA-7", AA8 = "AA-8"
    }

    /// What the caller does, in order.
    public enum Action: Sendable, Equatable {
        case connectTransport
        case closeTransport
        case sendAssociateRQ
        case sendAssociateAC
        case sendAssociateRJ
        case sendPData
        case sendReleaseRQ
        case sendReleaseRP
        case sendAbort(AAbort.Source)
        case startARTIM
        case stopARTIM
        /// Tell the local user: an association request arrived (AE-6, acceptable).
        case indicateAssociateRequest
        case confirmAssociateAccepted
        case confirmAssociateRejected
        case indicatePData
        case indicateRelease
        case confirmRelease
        /// A-ABORT indication (the peer's user aborted) or A-P-ABORT (the provider did).
        case indicateAbort
        case indicateProviderAbort
        /// The PDU is ignored (AA-6).
        case ignorePDU
        /// The event is not allowed in this state; nothing changed.
        case notAllowed(AssociationEvent, AssociationState)
    }

    public private(set) var state: AssociationState
    /// True on the side that sent the A-ASSOCIATE-RQ (decides AR-8's next state).
    public private(set) var isRequestor: Bool
    /// True while the ARTIM timer runs.
    public private(set) var artimRunning: Bool

    public init(state: AssociationState = .Sta1, isRequestor: Bool = false) {
        self.state = state
        self.isRequestor = isRequestor
        self.artimRunning = false
    }

    /// The action Table 9-10 gives for `event` in `state`, nil where the table is empty.
    public static func transition(_ state: AssociationState, _ event: AssociationEvent) -> ActionName? {
        switch (event, state) {
        case (.associateRequest, .Sta1): return .AE1
        case (.transportConnected, .Sta4): return .AE2
        case (.associateACReceived, .Sta5): return .AE3
        case (.associateRJReceived, .Sta5): return .AE4
        case (.transportIndication, .Sta1): return .AE5
        case (.associateRQReceived, .Sta2): return .AE6
        case (.associateAccept, .Sta3): return .AE7
        case (.associateReject, .Sta3): return .AE8
        case (.pDataRequest, .Sta6): return .DT1
        case (.pDataRequest, .Sta8): return .AR7
        case (.pDataReceived, .Sta6): return .DT2
        case (.pDataReceived, .Sta7): return .AR6
        case (.releaseRequest, .Sta6): return .AR1
        case (.releaseRQReceived, .Sta6): return .AR2
        case (.releaseRQReceived, .Sta7): return .AR8
        case (.releaseRPReceived, .Sta7), (.releaseRPReceived, .Sta11): return .AR3
        case (.releaseRPReceived, .Sta10): return .AR10
        case (.releaseResponse, .Sta8), (.releaseResponse, .Sta12): return .AR4
        case (.releaseResponse, .Sta9): return .AR9
        case (.abortRequest, .Sta4): return .AA2
        case (.abortRequest, .Sta1), (.abortRequest, .Sta2), (.abortRequest, .Sta13): return nil
        case (.abortRequest, _): return .AA1
        case (.abortReceived, .Sta2), (.abortReceived, .Sta13): return .AA2
        case (.abortReceived, .Sta1), (.abortReceived, .Sta4): return nil
        case (.abortReceived, _): return .AA3
        case (.transportClosed, .Sta2): return .AA5
        case (.transportClosed, .Sta13): return .AR5
        case (.transportClosed, .Sta1): return nil
        case (.transportClosed, _): return .AA4
        case (.artimExpired, .Sta2), (.artimExpired, .Sta13): return .AA2
        case (.associateRQReceived, .Sta13), (.invalidPDU, .Sta13): return .AA7
        // Any other PDU: in Sta2 AA-1, ignored in Sta13, AA-8 in the other states with a transport.
        case (.associateACReceived, _), (.associateRJReceived, _), (.associateRQReceived, _), (.pDataReceived, _),
             (.releaseRQReceived, _), (.releaseRPReceived, _), (.invalidPDU, _):
            switch state {
            case .Sta1, .Sta4: return nil
            case .Sta2: return .AA1
            case .Sta13: return .AA6
            default: return .AA8
            }
        default: return nil
        }
    }

    /// Applies `event`: the next state and the actions to perform.
    public mutating func handle(_ event: AssociationEvent) -> [Action] {
        guard let name = Self.transition(state, event) else { return [.notAllowed(event, state)] }
        var actions: [Action] = []
        func stopARTIM() {
            if artimRunning { actions.append(.stopARTIM) }
            artimRunning = false
        }
        func startARTIM() {
            actions.append(.startARTIM)
            artimRunning = true
        }
        switch name {
        case .AE1:
            isRequestor = true
            actions = [.connectTransport]; state = .Sta4
        case .AE2:
            actions = [.sendAssociateRQ]; startARTIM(); state = .Sta5
        case .AE3:
            stopARTIM(); actions.append(.confirmAssociateAccepted); state = .Sta6
        case .AE4:
            stopARTIM(); actions += [.confirmAssociateRejected, .closeTransport]; state = .Sta1
        case .AE5:
            isRequestor = false
            actions = []; startARTIM(); state = .Sta2
        case .AE6:
            stopARTIM()
            if case .associateRQReceived(acceptable: true) = event {
                actions.append(.indicateAssociateRequest); state = .Sta3
            } else {
                actions.append(.sendAssociateRJ); startARTIM(); state = .Sta13
            }
        case .AE7:
            actions = [.sendAssociateAC]; state = .Sta6
        case .AE8:
            actions = [.sendAssociateRJ]; startARTIM(); state = .Sta13
        case .DT1:
            actions = [.sendPData]; state = .Sta6
        case .DT2:
            actions = [.indicatePData]; state = .Sta6
        case .AR1:
            actions = [.sendReleaseRQ]; state = .Sta7
        case .AR2:
            actions = [.indicateRelease]; state = .Sta8
        case .AR3:
            actions = [.confirmRelease, .closeTransport]; state = .Sta1
        case .AR4:
            actions = [.sendReleaseRP]; startARTIM(); state = .Sta13
        case .AR5:
            stopARTIM(); state = .Sta1
        case .AR6:
            actions = [.indicatePData]; state = .Sta7
        case .AR7:
            actions = [.sendPData]; state = .Sta8
        case .AR8:
            actions = [.indicateRelease]; state = isRequestor ? .Sta9 : .Sta10
        case .AR9:
            actions = [.sendReleaseRP]; state = .Sta11
        case .AR10:
            actions = [.confirmRelease]; state = .Sta12
        case .AA1:
            actions = [.sendAbort(.serviceUser)]; startARTIM(); state = .Sta13
        case .AA2:
            stopARTIM(); actions.append(.closeTransport); state = .Sta1
        case .AA3:
            stopARTIM(); actions += [.indicateAbort, .closeTransport]; state = .Sta1
        case .AA4:
            stopARTIM(); actions.append(.indicateProviderAbort); state = .Sta1
        case .AA5:
            stopARTIM(); state = .Sta1
        case .AA6:
            actions = [.ignorePDU]; state = .Sta13
        case .AA7:
            actions = [.sendAbort(.serviceProvider)]; state = .Sta13
        case .AA8:
            actions = [.sendAbort(.serviceProvider), .indicateProviderAbort]; startARTIM(); state = .Sta13
        }
        return actions
    }
}
