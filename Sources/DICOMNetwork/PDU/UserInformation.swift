/// The user information item (50H) and its sub-items (PS3.7 Annex D.3.3, PS3.8 Annex D).
public struct UserInformation: Sendable, Equatable {
    /// Maximum length of a P-DATA-TF PDU's variable field this side receives; 0 = no limit.
    public var maximumLength: UInt32?
    public var implementationClassUID: String?
    public var implementationVersionName: String?
    public var asynchronousOperationsWindow: AsynchronousOperationsWindow?
    public var roleSelections: [RoleSelection]
    public var userIdentityRequest: UserIdentityRequest?
    public var userIdentityResponse: [UInt8]?
    /// Sub-items this implementation does not interpret (extended negotiation 56H, 57H, ...), kept as is.
    public var otherItems: [RawItem]

    public init(maximumLength: UInt32? = nil, implementationClassUID: String? = nil,
                implementationVersionName: String? = nil,
                asynchronousOperationsWindow: AsynchronousOperationsWindow? = nil,
                roleSelections: [RoleSelection] = [], userIdentityRequest: UserIdentityRequest? = nil,
                userIdentityResponse: [UInt8]? = nil, otherItems: [RawItem] = []) {
        self.maximumLength = maximumLength
        self.implementationClassUID = implementationClassUID
        self.implementationVersionName = implementationVersionName
        self.asynchronousOperationsWindow = asynchronousOperationsWindow
        self.roleSelections = roleSelections
        self.userIdentityRequest = userIdentityRequest
        self.userIdentityResponse = userIdentityResponse
        self.otherItems = otherItems
    }
}

/// Item 53H: how many operations may be outstanding each way (0 = unlimited).
public struct AsynchronousOperationsWindow: Sendable, Equatable {
    public var maximumInvoked: UInt16
    public var maximumPerformed: UInt16
    public init(maximumInvoked: UInt16, maximumPerformed: UInt16) {
        self.maximumInvoked = maximumInvoked
        self.maximumPerformed = maximumPerformed
    }
}

/// Item 54H: SCU/SCP role selection for one SOP class (C-GET needs the SCP role for storage).
public struct RoleSelection: Sendable, Equatable {
    public var sopClassUID: String
    public var scuRole: Bool
    public var scpRole: Bool
    public init(sopClassUID: String, scuRole: Bool, scpRole: Bool) {
        self.sopClassUID = sopClassUID
        self.scuRole = scuRole
        self.scpRole = scpRole
    }
}

/// Item 58H: user identity negotiation, request side (PS3.7 D.3.3.7).
public struct UserIdentityRequest: Sendable, Equatable {
    public enum IdentityType: UInt8, Sendable {
        case username = 1
        case usernameAndPasscode = 2
        case kerberos = 3
        case saml = 4
        case jwt = 5
    }

    public var type: IdentityType
    public var positiveResponseRequested: Bool
    public var primaryField: [UInt8]
    public var secondaryField: [UInt8]

    public init(type: IdentityType, positiveResponseRequested: Bool, primaryField: [UInt8], secondaryField: [UInt8] = []) {
        self.type = type
        self.positiveResponseRequested = positiveResponseRequested
        self.primaryField = primaryField
        self.secondaryField = secondaryField
    }
}

/// An item kept as its type and bytes.
public struct RawItem: Sendable, Equatable {
    public var type: UInt8
    public var value: [UInt8]
    public init(type: UInt8, value: [UInt8]) {
        self.type = type
        self.value = value
    }
}
