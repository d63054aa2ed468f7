/// PS3.15 Annex E: the Basic Application Level Confidentiality Profile (Table E.1-1) with its option
/// columns, and the Safe Private Attributes (Table E.3.10-1), generated from the standard's tables by
/// `scripts/generate-profile` into `ConfidentialityProfile+Generated.swift` and parsed once, on first use.
public enum ConfidentialityProfile {
    /// Every row of Table E.1-1, in tag order (rules with masks sort by their value).
    public static var rows: [ProfileRow] { tables.rows }

    /// The row "(gggg,eeee) where gggg is odd": what happens to private attributes.
    public static var privateAttributesRow: ProfileRow { tables.privateRow }

    /// The row for a standard tag: its own row, else the repeating-group row that covers it
    /// ((50xx,xxxx) curves, (60xx,3000) overlay data, (60xx,4000) overlay comments). Nil for tags the
    /// table does not list. Private tags are governed by `privateAttributesRow` and the safe list.
    public static func row(for tag: UInt32) -> ProfileRow? {
        let t = tables
        if let index = t.exact[tag] { return t.rows[index] }
        for index in t.masked where tag & t.rows[index].mask == t.rows[index].value {
            return t.rows[index]
        }
        return nil
    }

    /// Whether Table E.3.10-1 lists the private element with this creator, group and element byte
    /// (the low byte of the element number, i.e. its offset inside the creator's block).
    public static func isSafePrivate(creator: String, group: UInt16, elementByte: UInt8) -> Bool {
        tables.safePrivate[creator]?.contains(UInt32(group) << 8 | UInt32(elementByte)) ?? false
    }

    /// The creators Table E.3.10-1 names.
    public static var safePrivateCreators: [String] { tables.safePrivate.keys.sorted() }

    /// The edition the generated tables come from (for the De-identification Method text).
    public static let edition = "2024b"

    private struct Tables: Sendable {
        var rows: [ProfileRow] = []
        var exact: [UInt32: Int] = [:]
        var masked: [Int] = []
        var privateRow: ProfileRow
        var safePrivate: [String: Set<UInt32>] = [:]
    }

    private static let tables: Tables = {
        var rows: [ProfileRow] = []
        var privateRow: ProfileRow?
        for line in lines(of: profileTable) {
            guard let row = ProfileRow(line: line) else { preconditionFailure("bad generated profile line: \(line)") }
            if row.mask == 0x0001_0000 { privateRow = row } else { rows.append(row) }
        }
        guard let privateRow else { preconditionFailure("generated profile has no private attributes row") }
        var tables = Tables(privateRow: privateRow)
        tables.rows = rows
        for (index, row) in rows.enumerated() {
            if row.mask == 0xFFFF_FFFF { tables.exact[row.value] = index } else { tables.masked.append(index) }
        }
        for line in lines(of: safePrivateTable) {
            // GGGG EE VR|Creator
            guard let bar = line.firstIndex(of: "|") else { continue }
            let fields = line[..<bar].split(separator: " ")
            guard fields.count == 3, let group = UInt32(fields[0], radix: 16), let element = UInt32(fields[1], radix: 16) else {
                preconditionFailure("bad generated safe private line: \(line)")
            }
            tables.safePrivate[String(line[line.index(after: bar)...]), default: []].insert(group << 8 | element)
        }
        return tables
    }()

    private static func lines(of text: StaticString) -> [Substring] {
        let string = text.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
        return string.split(separator: "\n")
    }
}
