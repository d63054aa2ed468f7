/// A DIMSE status (0000,0900) and its class (PS3.7 Annex C).
public struct DIMSEStatus: Sendable, Hashable, CustomStringConvertible {
    public enum Category: String, Sendable {
        case success, warning, failure, cancel, pending
    }

    public var code: UInt16
    public init(_ code: UInt16) { self.code = code }

    public static let success = DIMSEStatus(0x0000)
    public static let pending = DIMSEStatus(0xFF00)
    /// Pending: one or more optional keys were not supported (C-FIND).
    public static let pendingWithWarnings = DIMSEStatus(0xFF01)
    public static let cancel = DIMSEStatus(0xFE00)
    /// Warning: coercion of data elements (C-STORE).
    public static let coercionOfDataElements = DIMSEStatus(0xB000)
    /// Warning: elements discarded (C-STORE).
    public static let elementsDiscarded = DIMSEStatus(0xB006)
    /// Warning: data set does not match SOP class (C-STORE).
    public static let dataSetDoesNotMatchSOPClassWarning = DIMSEStatus(0xB007)
    /// Warning: sub-operations complete, one or more failures or warnings (C-MOVE, C-GET).
    public static let subOperationsCompleteWithFailures = DIMSEStatus(0xB000)
    /// Warning: attribute value out of range (0116H) and attribute list error (0107H).
    public static let attributeListError = DIMSEStatus(0x0107)
    public static let attributeValueOutOfRange = DIMSEStatus(0x0116)
    public static let refusedOutOfResources = DIMSEStatus(0xA700)
    public static let sopClassNotSupported = DIMSEStatus(0x0122)
    public static let processingFailure = DIMSEStatus(0x0110)
    public static let duplicateSOPInstance = DIMSEStatus(0x0111)
    public static let noSuchSOPClass = DIMSEStatus(0x0118)
    public static let unrecognizedOperation = DIMSEStatus(0x0211)

    public var category: Category {
        switch code {
        case 0x0000: return .success
        case 0xFF00, 0xFF01: return .pending
        case 0xFE00: return .cancel
        case 0x0001, 0x0107, 0x0116, 0xB000...0xBFFF: return .warning
        default: return .failure
        }
    }

    public var isSuccess: Bool { category == .success }
    /// Success or warning: the operation was performed.
    public var isSuccessOrWarning: Bool { category == .success || category == .warning }
    public var isPending: Bool { category == .pending }

    /// "0000H" style, as the standard writes codes.
    public var hex: String {
        let s = String(code, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - s.count) + s + "H"
    }

    public var description: String { "\(hex) (\(category.rawValue))" }
}
