/// One registered UID of PS3.6 Table A-1.
public struct UIDEntry: Sendable, Hashable, CustomStringConvertible {
    public let uid: String
    /// `"Explicit VR Little Endian"`; empty for the two retired rows the standard left unnamed.
    public let name: String
    public let type: UIDType
    /// `"ExplicitVRLittleEndian"`; empty when the standard gives none.
    public let keyword: String
    public let isRetired: Bool
    /// The table's "Info" column, such as "Default Transfer Syntax for DICOM"; often empty.
    public let info: String
    /// For a storage SOP class, the name of its IOD (`"CT Image"`), from PS3.4 Annex B.
    public let iod: String?

    public init(uid: String, name: String, type: UIDType, keyword: String, isRetired: Bool,
                info: String = "", iod: String? = nil) {
        self.uid = uid
        self.name = name
        self.type = type
        self.keyword = keyword
        self.isRetired = isRetired
        self.info = info
        self.iod = iod
    }

    /// `1.2.840.10008.1.2.1 Explicit VR Little Endian (Transfer Syntax)`.
    public var description: String {
        "\(uid) \(name.isEmpty ? keyword : name) (\(type)\(isRetired ? ", retired" : ""))"
    }
}
