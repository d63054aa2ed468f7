import DICOMCoding

/// Named timeouts, in seconds (nil: wait forever).
public struct NetworkTimeouts: Sendable, Equatable {
    /// TCP connect.
    public var connect: Double
    /// ARTIM: waiting for the A-ASSOCIATE-AC/RJ, for the A-RELEASE-RP, for an inbound A-ASSOCIATE-RQ.
    public var association: Double
    /// Between two PDUs of a DIMSE exchange.
    public var dimse: Double?

    public init(connect: Double = 10, association: Double = 30, dimse: Double? = 60) {
        self.connect = connect
        self.association = association
        self.dimse = dimse
    }
}

/// What an association requestor proposes.
public struct AssociationParameters: Sendable {
    public var callingAETitle: String
    public var calledAETitle: String
    public var presentationContexts: [PresentationContextProposal]
    /// The maximum P-DATA-TF length this side receives (sent as item 51H).
    public var maximumReceiveLength: UInt32
    /// Cap on the PDUs this side sends when the peer states no limit.
    public var maximumSendLength: Int
    public var asynchronousOperationsWindow: AsynchronousOperationsWindow?
    public var roleSelections: [RoleSelection]
    public var userIdentity: UserIdentityRequest?
    public var timeouts: NetworkTimeouts

    public init(callingAETitle: String = "CMR", calledAETitle: String = "ANY-SCP",
                presentationContexts: [PresentationContextProposal] = [],
                maximumReceiveLength: UInt32 = 1 << 20, maximumSendLength: Int = 1 << 20,
                asynchronousOperationsWindow: AsynchronousOperationsWindow? = nil,
                roleSelections: [RoleSelection] = [], userIdentity: UserIdentityRequest? = nil,
                timeouts: NetworkTimeouts = NetworkTimeouts()) {
        self.callingAETitle = callingAETitle
        self.calledAETitle = calledAETitle
        self.presentationContexts = presentationContexts
        self.maximumReceiveLength = maximumReceiveLength
        self.maximumSendLength = maximumSendLength
        self.asynchronousOperationsWindow = asynchronousOperationsWindow
        self.roleSelections = roleSelections
        self.userIdentity = userIdentity
        self.timeouts = timeouts
    }

    /// Adds one presentation context per (abstract syntax, transfer syntaxes) pair, numbering them 1, 3, 5, ...
    /// At most 128 contexts fit one association (IDs are odd bytes).
    public mutating func propose(_ abstractSyntax: String, transferSyntaxes: [String]) {
        let id = UInt8(truncatingIfNeeded: (presentationContexts.last.map { Int($0.id) } ?? -1) + 2)
        presentationContexts.append(PresentationContextProposal(id: id, abstractSyntax: abstractSyntax, transferSyntaxes: transferSyntaxes))
    }

    /// The A-ASSOCIATE-RQ these parameters make.
    public var associateRQ: AAssociateRQ {
        AAssociateRQ(calledAETitle: calledAETitle, callingAETitle: callingAETitle, presentationContexts: presentationContexts,
                     userInformation: UserInformation(maximumLength: maximumReceiveLength,
                                                      implementationClassUID: Implementation.classUID,
                                                      implementationVersionName: Implementation.versionName,
                                                      asynchronousOperationsWindow: asynchronousOperationsWindow,
                                                      roleSelections: roleSelections, userIdentityRequest: userIdentity))
    }
}

/// A presentation context both sides agreed on.
public struct AcceptedPresentationContext: Sendable, Equatable {
    public var id: UInt8
    public var abstractSyntax: String
    public var transferSyntax: String
}

/// A DIMSE response as received: its command, with status and comment at hand.
public struct DIMSEResponse: Sendable, Equatable {
    public var command: CommandSet
    /// The identifier that came with it (C-FIND pending responses), in the context's transfer syntax.
    public var dataSet: [UInt8]?

    public var status: DIMSEStatus { command.status ?? DIMSEStatus(0xFFFF) }
    public var errorComment: String? { command.errorComment }
    public var offendingElements: [(group: UInt16, element: UInt16)] { command.tags(.offendingElement) ?? [] }

    public static func == (a: DIMSEResponse, b: DIMSEResponse) -> Bool { a.command == b.command && a.dataSet == b.dataSet }
}
