import DICOMDictionary

/// The options of PS3.15 E.3 that cmr implements, each with its column of Table E.1-1 and its
/// code of CID 7050 (De-identification Method).
public enum ProfileOption: String, Sendable, CaseIterable, Codable, Comparable {
    case retainSafePrivate = "safe-private"
    case retainUIDs = "uids"
    case retainDeviceIdentity = "device-identity"
    case retainInstitutionIdentity = "institution-identity"
    case retainPatientCharacteristics = "patient-characteristics"
    case retainLongitudinalFullDates = "full-dates"
    case retainLongitudinalModifiedDates = "modified-dates"
    case cleanDescriptors = "clean-descriptors"
    case cleanStructuredContent = "clean-structured-content"
    case cleanGraphics = "clean-graphics"

    public var column: ProfileColumn {
        switch self {
        case .retainSafePrivate: .retainSafePrivate
        case .retainUIDs: .retainUIDs
        case .retainDeviceIdentity: .retainDeviceIdentity
        case .retainInstitutionIdentity: .retainInstitutionIdentity
        case .retainPatientCharacteristics: .retainPatientCharacteristics
        case .retainLongitudinalFullDates: .retainLongitudinalFullDates
        case .retainLongitudinalModifiedDates: .retainLongitudinalModifiedDates
        case .cleanDescriptors: .cleanDescriptors
        case .cleanStructuredContent: .cleanStructuredContent
        case .cleanGraphics: .cleanGraphics
        }
    }

    /// The CID 7050 code (scheme DCM) and meaning.
    public var code: MethodCode {
        switch self {
        case .cleanGraphics: MethodCode("113103", "Clean Graphics Option")
        case .cleanStructuredContent: MethodCode("113104", "Clean Structured Content Option")
        case .cleanDescriptors: MethodCode("113105", "Clean Descriptors Option")
        case .retainLongitudinalFullDates: MethodCode("113106", "Retain Longitudinal Temporal Information Full Dates Option")
        case .retainLongitudinalModifiedDates: MethodCode("113107", "Retain Longitudinal Temporal Information Modified Dates Option")
        case .retainPatientCharacteristics: MethodCode("113108", "Retain Patient Characteristics Option")
        case .retainDeviceIdentity: MethodCode("113109", "Retain Device Identity Option")
        case .retainUIDs: MethodCode("113110", "Retain UIDs Option")
        case .retainSafePrivate: MethodCode("113111", "Retain Safe Private Option")
        case .retainInstitutionIdentity: MethodCode("113112", "Retain Institution Identity Option")
        }
    }

    public static func < (a: ProfileOption, b: ProfileOption) -> Bool { a.column.rawValue < b.column.rawValue }
}

/// A code of CID 7050, scheme DCM.
public struct MethodCode: Sendable, Equatable, Codable {
    public var value: String
    public var meaning: String
    public init(_ value: String, _ meaning: String) {
        self.value = value
        self.meaning = meaning
    }

    public static let basicProfile = MethodCode("113100", "Basic Application Confidentiality Profile")
    public static let cleanPixelData = MethodCode("113101", "Clean Pixel Data Option")
}
