/// One attribute of the PS3.6 data dictionary, as `DataDictionary.entry(for:)` finds it.
///
/// The tag, VR and retired flag are stored; keyword, name, alternative VRs and VM are read from the
/// generated tables when asked for, so a lookup on the parsing hot path allocates nothing.
public struct DictionaryEntry: Sendable, Hashable, CustomStringConvertible {
    /// The tag looked up: for a repeating entry such as (60xx,3000), the concrete tag (6002,3000).
    public let tag: UInt32
    /// The first VR the standard lists; UN when it lists none (items and delimiters, see PS3.6 Note 2).
    public let vr: VR
    public let isRetired: Bool
    /// Row in the generated tables.
    let row: Int

    init(tag: UInt32, row: Int) {
        self.tag = tag
        self.row = row
        vr = DataDictionary.vr(row: row)
        isRetired = DataDictionary.isRetired(row: row)
    }

    /// The standard's keyword (`PatientName`); "GroupLength" and "PrivateCreator" for the synthesised
    /// entries; empty for the few rows the standard leaves without one.
    public var keyword: String { TableText.string(DataDictionary.keywordBytes(row)) }

    /// The standard's name (`Patient's Name`).
    public var name: String { TableText.string(DataDictionary.nameBytes(row)) }

    /// Every VR the standard lists when it lists more than one (`[.US, .SS]` for "US or SS"),
    /// the first being `vr`; empty when there is no choice.
    public var alternativeVRs: [VR] { DataDictionary.vrList(row: row) }

    /// Value multiplicity; 1-n for the few rows the standard leaves without one.
    public var vm: ValueMultiplicity { DataDictionary.vm(row: row) }

    /// True for entries that stand for a range of tags: (60xx,3000), (0020,31xx), (1000,xxx0), …
    public var isRepeating: Bool {
        row >= DataDictionary.exactCount && row < DataDictionary.groupLengthRow
    }

    /// True for the group length and private creator entries the dictionary makes up for any group.
    public var isSynthesised: Bool { row >= DataDictionary.groupLengthRow }

    /// The tag as the standard writes the entry: `(0010,0010)`, `(60xx,3000)`, `(gggg,0000)`, `(gggg,00xx)`.
    public var pattern: String {
        switch row {
        case DataDictionary.groupLengthRow: return "(gggg,0000)"
        case DataDictionary.privateCreatorRow: return "(gggg,00xx)"
        default: break
        }
        let mask = isRepeating ? DataDictionary.repeatingMasks[row - DataDictionary.exactCount] : 0xFFFF_FFFF
        let value = DataDictionary.tag(row: row)
        let hex = Array("0123456789ABCDEF".utf8)
        var digits: [UInt8] = []
        for shift in stride(from: UInt32(28), through: 0, by: -4) {
            if shift == 12 { digits.append(UInt8(ascii: ",")) }
            // A nibble the mask does not fix entirely is an x (masks also pin groups to even ones).
            digits.append(mask >> shift & 0xF == 0xF ? hex[Int(value >> shift & 0xF)] : UInt8(ascii: "x"))
        }
        return "(" + String(decoding: digits, as: UTF8.self) + ")"
    }

    /// `(0010,0010) PN 1 PatientName`.
    public var description: String {
        var vrText = vr.rawValue
        if !alternativeVRs.isEmpty { vrText = alternativeVRs.map(\.rawValue).joined(separator: " or ") }
        let hex = String(tag, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: 8 - hex.count) + hex
        var text = "(\(padded.prefix(4)),\(padded.suffix(4))) \(vrText) \(vm) \(keyword)"
        if isRetired { text += " (retired)" }
        return text
    }
}
