/// The PS3.6 data dictionary: what the standard says about each tag.
///
/// The tables live in `DataDictionary+Generated.swift` (from `scripts/generate-dictionary`) as string
/// literals; this file reads them in place. Nothing is built at launch or on lookup: a tag is found
/// through a generated hash table of fixed-width records, a keyword by binary search over a
/// generated keyword order, and names are decoded only when asked for.
public enum DataDictionary {
    /// The dictionary's entry for `tag`, or nil when the standard defines none.
    ///
    /// Besides the tags PS3.6 lists, this matches:
    /// - repeating groups and elements: (50xx,eeee) and (60xx,eeee) for even xx 00–1E, (7Fxx,eeee)
    ///   for even groups, (0020,31xx), (0028,04x0), (0028,08x0), (1000,xxx0)…(1000,xxx5), (1010,xxxx);
    ///   the entry's `tag` is the tag asked for; tags the standard lists exactly win;
    /// - (gggg,0000) in any even group without its own entry: UL 1 "GroupLength" ("Group Length");
    /// - (gggg,0010)–(gggg,00FF) in a private group (odd, above 0007, not FFFF): LO 1
    ///   "PrivateCreator" ("Private Creator").
    /// Other private data elements, and group lengths of odd groups, have no entry.
    public static func entry(for tag: UInt32) -> DictionaryEntry? {
        let group = tag >> 16
        if group & 1 == 1 {
            let element = tag & 0xFFFF
            if group > 0x0007 && group != 0xFFFF && element >= 0x0010 && element <= 0x00FF {
                return DictionaryEntry(tag: tag, row: privateCreatorRow)
            }
            return nil
        }
        if let row = exactRow(for: tag) { return DictionaryEntry(tag: tag, row: row) }
        if tag & 0xFFFF == 0 { return DictionaryEntry(tag: tag, row: groupLengthRow) }
        if let row = repeatingRow(for: tag) { return DictionaryEntry(tag: tag, row: row) }
        return nil
    }

    /// The tag of the entry whose keyword is `keyword` (case-sensitive, as the standard spells it);
    /// for a repeating entry its base tag, every x as 0 ((60xx,3000) → 0x60003000), which another entry
    /// may own ((0028,04x0) RowsForNthOrderCoefficients → (0028,0400), TransformLabel). Nil for unknown
    /// keywords and for "GroupLength" and "PrivateCreator", which stand for no single tag.
    public static func tag(forKeyword keyword: String) -> UInt32? {
        let found = TableText.search(keyword, in: keywordOrder, text: text, terminator: UInt8(ascii: "|")) { row in
            TableText.hex(records, at: row * recordSize + Field.textOffset, digits: 6)
        }
        guard let row = found else { return nil }
        return tag(row: row)
    }

    /// The number of entries PS3.6 lists, repeating ones included, synthesised ones not.
    public static var count: Int { exactCount + repeatingCount }

    /// Every entry in tag order, then the repeating entries (with their base tags). Builds an array:
    /// for listing and tests, not for lookups.
    public static var allEntries: [DictionaryEntry] {
        (0..<count).map { DictionaryEntry(tag: tag(row: $0), row: $0) }
    }

    // MARK: - Reading the generated tables

    /// Record fields: `TTTTTTTT VR L MM R OOOOOO`.
    enum Field {
        static let vr = 9
        static let vrList = 12
        static let vm = 14
        static let retired = 17
        static let textOffset = 19
    }

    @inline(__always)
    static func record(_ row: Int) -> UnsafePointer<UInt8> {
        records.utf8Start + row * recordSize
    }

    static func tag(row: Int) -> UInt32 {
        UInt32(TableText.hex(records, at: row * recordSize, digits: 8))
    }

    /// A tag as the 8 upper-case hex digits the records start with, read as a big-endian number:
    /// these compare as the tags do, because in ASCII "0"–"9" sort before "A"–"F".
    @inline(__always)
    static func hexKey(_ tag: UInt32) -> UInt64 {
        // Spread the 8 nibbles into 8 bytes, most significant first, then map 0–15 to ASCII.
        var x = UInt64(tag)
        x = (x & 0xFFFF_0000) << 16 | (x & 0xFFFF)
        x = (x & 0x0000_FF00_0000_FF00) << 8 | (x & 0x0000_00FF_0000_00FF)
        x = (x & 0x00F0_00F0_00F0_00F0) << 4 | (x & 0x000F_000F_000F_000F)
        let letters = (x &+ 0x0606_0606_0606_0606) >> 4 & 0x0101_0101_0101_0101
        return x &+ 0x3030_3030_3030_3030 &+ letters &* 7
    }

    /// The first 8 bytes of a record, its tag in hex, as a big-endian number to compare with `hexKey`.
    @inline(__always)
    static func recordKey(_ row: Int) -> UInt64 {
        UInt64(bigEndian: UnsafeRawPointer(record(row)).loadUnaligned(as: UInt64.self))
    }

    /// The row of an exact tag, through the generated hash table (linear probing).
    static func exactRow(for tag: UInt32) -> Int? {
        let key = hexKey(tag)
        var slot = Int(truncatingIfNeeded: (tag &* hashMultiplier) >> hashShift)
        while true {
            let row = TableText.hex4(hashSlots, at: slot * 5)
            if row == 0xFFFF { return nil }
            if recordKey(row) == key { return row }
            slot = (slot + 1) & (hashSlotCount - 1)
        }
    }

    static func repeatingRow(for tag: UInt32) -> Int? {
        repeatingMasks.withUnsafeBufferPointer { masks -> Int? in
            repeatingTags.withUnsafeBufferPointer { tags -> Int? in
                for i in 0..<repeatingCount where tag & masks[i] == tags[i] { return exactCount + i }
                return nil
            }
        }
    }

    static func vr(row: Int) -> VR {
        let p = record(row) + Field.vr
        return VR(code: UInt16(p[0]) << 8 | UInt16(p[1])) ?? .UN
    }

    static func isRetired(row: Int) -> Bool {
        record(row)[Field.retired] == UInt8(ascii: "R")
    }

    static func vrList(row: Int) -> [VR] {
        vrLists[TableText.hex(records, at: row * recordSize + Field.vrList, digits: 1)]
    }

    static func vm(row: Int) -> ValueMultiplicity {
        multiplicities[TableText.hex(records, at: row * recordSize + Field.vm, digits: 2)]
    }

    /// The row's `Keyword|Name` line.
    static func line(_ row: Int) -> UnsafeBufferPointer<UInt8> {
        TableText.line(text, from: TableText.hex(records, at: row * recordSize + Field.textOffset, digits: 6))
    }

    static func keywordBytes(_ row: Int) -> UnsafeBufferPointer<UInt8> {
        TableText.field(line(row), 0)
    }

    static func nameBytes(_ row: Int) -> UnsafeBufferPointer<UInt8> {
        TableText.field(line(row), 1)
    }
}
