/// A-ASSOCIATE-RQ (PS3.8 §9.3.2): who calls whom, what is proposed.
public struct AAssociateRQ: Sendable, Equatable {
    public var protocolVersion: UInt16
    public var calledAETitle: String
    public var callingAETitle: String
    public var applicationContextName: String
    public var presentationContexts: [PresentationContextProposal]
    public var userInformation: UserInformation

    public init(calledAETitle: String, callingAETitle: String,
                presentationContexts: [PresentationContextProposal],
                userInformation: UserInformation = UserInformation(),
                applicationContextName: String = dicomApplicationContextName, protocolVersion: UInt16 = 1) {
        self.protocolVersion = protocolVersion
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
        self.applicationContextName = applicationContextName
        self.presentationContexts = presentationContexts
        self.userInformation = userInformation
    }
}

/// A presentation context as proposed (item type 20H): one abstract syntax, one or more transfer syntaxes.
public struct PresentationContextProposal: Sendable, Equatable {
    /// Odd, 1...255.
    public var id: UInt8
    public var abstractSyntax: String
    public var transferSyntaxes: [String]

    public init(id: UInt8, abstractSyntax: String, transferSyntaxes: [String]) {
        self.id = id
        self.abstractSyntax = abstractSyntax
        self.transferSyntaxes = transferSyntaxes
    }
}
