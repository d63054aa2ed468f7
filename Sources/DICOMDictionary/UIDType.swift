/// The kind of a registered UID: the "UID Type" column of PS3.6 Table A-1.
public enum UIDType: Hashable, Sendable, CustomStringConvertible {
    case transferSyntax
    case sopClass
    case metaSOPClass
    case wellKnownSOPInstance
    case wellKnownFrameOfReference
    case synchronizationFrameOfReference
    case ldapOID
    case codingScheme
    /// "DICOM UIDs as a Coding Scheme" (1.2.840.10008.2.6.1).
    case dicomUIDsAsCodingScheme
    case applicationContextName
    case serviceClass
    case applicationHostingModel
    case mappingResource
    case contextGroupName
    /// A type this version of cmr does not know, as the standard writes it.
    case other(String)

    /// The type from the standard's wording (`"Transfer Syntax"`), case-insensitively.
    public init(standardName: String) {
        switch standardName {
        case "Transfer Syntax": self = .transferSyntax
        case "SOP Class": self = .sopClass
        default: self.init(lowercasedName: standardName)
        }
    }

    private init(lowercasedName standardName: String) {
        switch standardName.lowercased() {
        case "transfer syntax": self = .transferSyntax
        case "sop class": self = .sopClass
        case "meta sop class": self = .metaSOPClass
        case "well-known sop instance": self = .wellKnownSOPInstance
        case "well-known frame of reference": self = .wellKnownFrameOfReference
        case "synchronization frame of reference": self = .synchronizationFrameOfReference
        case "ldap oid": self = .ldapOID
        case "coding scheme": self = .codingScheme
        case "dicom uids as a coding scheme": self = .dicomUIDsAsCodingScheme
        case "application context name": self = .applicationContextName
        case "service class": self = .serviceClass
        case "application hosting model": self = .applicationHostingModel
        case "mapping resource": self = .mappingResource
        case "context group name": self = .contextGroupName
        default: self = .other(standardName)
        }
    }

    /// The standard's wording: `"Transfer Syntax"`, `"Well-known SOP Instance"`.
    public var standardName: String {
        switch self {
        case .transferSyntax: return "Transfer Syntax"
        case .sopClass: return "SOP Class"
        case .metaSOPClass: return "Meta SOP Class"
        case .wellKnownSOPInstance: return "Well-known SOP Instance"
        case .wellKnownFrameOfReference: return "Well-known frame of reference"
        case .synchronizationFrameOfReference: return "Synchronization Frame of Reference"
        case .ldapOID: return "LDAP OID"
        case .codingScheme: return "Coding Scheme"
        case .dicomUIDsAsCodingScheme: return "DICOM UIDs as a Coding Scheme"
        case .applicationContextName: return "Application Context Name"
        case .serviceClass: return "Service Class"
        case .applicationHostingModel: return "Application Hosting Model"
        case .mappingResource: return "Mapping Resource"
        case .contextGroupName: return "Context Group Name"
        case .other(let name): return name
        }
    }

    public var description: String { standardName }
}
