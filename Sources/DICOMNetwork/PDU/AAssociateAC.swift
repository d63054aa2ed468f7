/// A-ASSOCIATE-AC (PS3.8 §9.3.3): the acceptor's answer to each proposed presentation context.
public struct AAssociateAC: Sendable, Equatable {
    public var protocolVersion: UInt16
    /// Echoed from the request (the standard says "not tested" on receipt).
    public var calledAETitle: String
    public var callingAETitle: String
    public var applicationContextName: String
    public var presentationContexts: [PresentationContextResult]
    public var userInformation: UserInformation

    public init(calledAETitle: String, callingAETitle: String,
                presentationContexts: [PresentationContextResult],
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

/// A presentation context as answered (item type 21H).
public struct PresentationContextResult: Sendable, Equatable {
    public enum Result: UInt8, Sendable {
        case acceptance = 0
        case userRejection = 1
        case noReason = 2
        case abstractSyntaxNotSupported = 3
        case transferSyntaxesNotSupported = 4
    }

    public var id: UInt8
    public var result: Result
    /// The one transfer syntax chosen; meaningful only when accepted.
    public var transferSyntax: String

    public init(id: UInt8, result: Result, transferSyntax: String) {
        self.id = id
        self.result = result
        self.transferSyntax = transferSyntax
    }
}
