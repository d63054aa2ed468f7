/// The registered UIDs of PS3.6 Table A-1 (transfer syntaxes, SOP classes, well-known instances,
/// coding schemes, …), with each SOP class's IOD.
///
/// The table lives in `UIDRegistry+Generated.swift`; lookups binary-search generated orders of its
/// lines and decode only the line found. For UID constants in code, use `UID.explicitVRLittleEndian`.
public enum UIDRegistry {
    /// The registry's entry for `uid`, or nil for an unregistered UID. Trailing NUL and space
    /// padding, as UI values carry it, is ignored.
    public static func entry(for uid: String) -> UIDEntry? {
        var uid = uid
        while let last = uid.utf8.last, last == 0 || last == 0x20 { uid.removeLast() }
        guard let row = search(uid, in: uidOrder) else { return nil }
        return entry(row: row)
    }

    /// The UID whose keyword is `keyword` (`"ExplicitVRLittleEndian"`, case-sensitive).
    public static func uid(forKeyword keyword: String) -> String? {
        guard let row = search(keyword, in: keywordOrder, field: 1) else { return nil }
        return TableText.string(TableText.field(line(row), 0))
    }

    /// Every registered transfer syntax, retired ones included, in the standard's order.
    public static var transferSyntaxes: [UIDEntry] { cachedTransferSyntaxes }

    /// Every entry, in the standard's order (`count` of them, in the generated file). Builds an
    /// array: for listing and tests.
    public static var allEntries: [UIDEntry] { (0..<count).map(entry(row:)) }

    // MARK: - Reading the generated table

    private static let cachedTransferSyntaxes: [UIDEntry] = allEntries.filter { $0.type == .transferSyntax }

    /// Finds `needle` as field 0 (the UID) or 1 (the keyword) of a row through `order`.
    static func search(_ needle: String, in order: StaticString, field: Int = 0) -> Int? {
        let lines = text.utf8Start
        return TableText.search(needle, in: order, text: text, terminator: UInt8(ascii: "|")) { row in
            var offset = TableText.hexField(lineOffsets, row, digits: 6)
            if field == 1 {
                while lines[offset] != UInt8(ascii: "|") { offset += 1 }
                offset += 1
            }
            return offset
        }
    }

    static func line(_ row: Int) -> UnsafeBufferPointer<UInt8> {
        TableText.line(text, from: TableText.hexField(lineOffsets, row, digits: 6))
    }

    /// Decodes line `row`: `UID|Keyword|Type|R if retired|Name|Info|IOD`.
    static func entry(row: Int) -> UIDEntry {
        var fields = TableText.Fields(line(row))
        let uid = fields.nextString()
        let keyword = fields.nextString()
        let type = UIDType(standardName: fields.nextString())
        let isRetired = fields.next().first == UInt8(ascii: "R")
        let name = fields.nextString()
        let info = fields.nextString()
        let iod = fields.nextString()
        return UIDEntry(uid: uid, name: name, type: type, keyword: keyword, isRetired: isRetired,
                        info: info, iod: iod.isEmpty ? nil : iod)
    }
}
