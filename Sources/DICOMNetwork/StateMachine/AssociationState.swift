/// The states of the DICOM upper layer (PS3.8 Table 9-1).
public enum AssociationState: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Idle.
    case Sta1 = 1
    /// Transport connection open (awaiting A-ASSOCIATE-RQ PDU).
    case Sta2
    /// Awaiting local A-ASSOCIATE response primitive.
    case Sta3
    /// Awaiting transport connection opening to complete.
    case Sta4
    /// Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU.
    case Sta5
    /// Association established and ready for data transfer.
    case Sta6
    /// Awaiting A-RELEASE-RP PDU.
    case Sta7
    /// Awaiting local A-RELEASE response primitive.
    case Sta8
    /// Release collision, requestor side: awaiting A-RELEASE response primitive.
    case Sta9
    /// Release collision, acceptor side: awaiting A-RELEASE-RP PDU.
    case Sta10
    /// Release collision, requestor side: awaiting A-RELEASE-RP PDU.
    case Sta11
    /// Release collision, acceptor side: awaiting A-RELEASE response primitive.
    case Sta12
    /// Awaiting transport connection close indication (association no longer exists).
    case Sta13

    public var description: String { "Sta\(rawValue)" }
}

/// The events of the DICOM upper layer (PS3.8 Table 9-2).
public enum AssociationEvent: Sendable, Equatable, CustomStringConvertible {
    /// Evt1: A-ASSOCIATE request (local user).
    case associateRequest
    /// Evt2: transport connect confirmation.
    case transportConnected
    /// Evt3: A-ASSOCIATE-AC PDU received.
    case associateACReceived
    /// Evt4: A-ASSOCIATE-RJ PDU received.
    case associateRJReceived
    /// Evt5: transport connection indication (an inbound connection).
    case transportIndication
    /// Evt6: A-ASSOCIATE-RQ PDU received; `acceptable` is the AE-6 test of the PDU.
    case associateRQReceived(acceptable: Bool)
    /// Evt7: A-ASSOCIATE response primitive (accept).
    case associateAccept
    /// Evt8: A-ASSOCIATE response primitive (reject).
    case associateReject
    /// Evt9: P-DATA request primitive.
    case pDataRequest
    /// Evt10: P-DATA-TF PDU received.
    case pDataReceived
    /// Evt11: A-RELEASE request primitive.
    case releaseRequest
    /// Evt12: A-RELEASE-RQ PDU received.
    case releaseRQReceived
    /// Evt13: A-RELEASE-RP PDU received.
    case releaseRPReceived
    /// Evt14: A-RELEASE response primitive.
    case releaseResponse
    /// Evt15: A-ABORT request primitive.
    case abortRequest
    /// Evt16: A-ABORT PDU received.
    case abortReceived
    /// Evt17: transport connection closed.
    case transportClosed
    /// Evt18: ARTIM timer expired.
    case artimExpired
    /// Evt19: unrecognized or invalid PDU received.
    case invalidPDU

    /// 1...19 as the standard numbers them.
    public var number: Int {
        switch self {
        case .associateRequest: return 1
        case .transportConnected: return 2
        case .associateACReceived: return 3
        case .associateRJReceived: return 4
        case .transportIndication: return 5
        case .associateRQReceived: return 6
        case .associateAccept: return 7
        case .associateReject: return 8
        case .pDataRequest: return 9
        case .pDataReceived: return 10
        case .releaseRequest: return 11
        case .releaseRQReceived: return 12
        case .releaseRPReceived: return 13
        case .releaseResponse: return 14
        case .abortRequest: return 15
        case .abortReceived: return 16
        case .transportClosed: return 17
        case .artimExpired: return 18
        case .invalidPDU: return 19
        }
    }

    public var description: String { "Evt\(number)" }

    /// The event a received PDU raises.
    public init(received pdu: PDU, acceptable: Bool = true) {
        switch pdu {
        case .associateRQ: self = .associateRQReceived(acceptable: acceptable)
        case .associateAC: self = .associateACReceived
        case .associateRJ: self = .associateRJReceived
        case .data: self = .pDataReceived
        case .releaseRQ: self = .releaseRQReceived
        case .releaseRP: self = .releaseRPReceived
        case .abort: self = .abortReceived
        }
    }
}
