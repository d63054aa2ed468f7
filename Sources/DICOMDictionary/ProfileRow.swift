/// An action code of PS3.15 Table E.1-1.
public enum ProfileAction: String, Sendable, CaseIterable, Codable {
    /// Replace with a non-zero length value that may be a dummy value, consistent with the VR.
    case D
    /// Replace with a zero length value, or a non-zero length dummy value consistent with the VR.
    case Z
    /// Remove.
    case X
    /// Keep (unchanged for non-sequence attributes, cleaned for sequences).
    case K
    /// Clean: replace with values of similar meaning known not to contain identifying information.
    case C
    /// Replace with a non-zero length UID that is internally consistent within a set of instances.
    case U
    /// Z unless D is required to maintain IOD conformance (Type 2 versus Type 1).
    case ZD = "Z/D"
    /// X unless Z is required to maintain IOD conformance (Type 3 versus Type 2).
    case XZ = "X/Z"
    /// X unless D is required to maintain IOD conformance (Type 3 versus Type 1).
    case XD = "X/D"
    /// X unless Z or D is required to maintain IOD conformance (Type 3 versus Type 2 versus Type 1).
    case XZD = "X/Z/D"
    /// X unless Z or replacement of contained instance UIDs (U) is required to maintain IOD conformance.
    case XZU = "X/Z/U*"
}

/// The columns of Table E.1-1: the Basic Profile and each option of PS3.15 E.3.
public enum ProfileColumn: Int, Sendable, CaseIterable, Codable {
    case basicProfile
    case retainSafePrivate
    case retainUIDs
    case retainDeviceIdentity
    case retainInstitutionIdentity
    case retainPatientCharacteristics
    case retainLongitudinalFullDates
    case retainLongitudinalModifiedDates
    case cleanDescriptors
    case cleanStructuredContent
    case cleanGraphics
}

/// One row of Table E.1-1: a tag (or a pattern of tags: `tag & mask == value`) and its action in
/// each column.
public struct ProfileRow: Sendable, Equatable {
    public var value: UInt32
    public var mask: UInt32
    /// The table's "in Std. Comp. IOD" column.
    public var inStandardIOD: Bool
    public var name: String
    /// Indexed by `ProfileColumn.rawValue`; nil where the column is empty.
    public var actions: [ProfileAction?]

    public var basicAction: ProfileAction { actions[0]! }

    public func action(_ column: ProfileColumn) -> ProfileAction? { actions[column.rawValue] }

    /// Parses `VVVVVVVV MMMMMMMM S A1 … A11|Name` (layout in scripts/generate-profile).
    init?(line: Substring) {
        guard let bar = line.firstIndex(of: "|") else { return nil }
        let fields = line[..<bar].split(separator: " ")
        guard fields.count == 3 + ProfileColumn.allCases.count,
              let value = UInt32(fields[0], radix: 16), let mask = UInt32(fields[1], radix: 16)
        else { return nil }
        var actions: [ProfileAction?] = []
        for cell in fields[3...] {
            if cell == "-" { actions.append(nil); continue }
            guard let action = ProfileAction(rawValue: String(cell)) else { return nil }
            actions.append(action)
        }
        guard actions[0] != nil else { return nil }
        self.value = value
        self.mask = mask
        self.inStandardIOD = fields[2] == "Y"
        self.name = String(line[line.index(after: bar)...])
        self.actions = actions
    }
}
