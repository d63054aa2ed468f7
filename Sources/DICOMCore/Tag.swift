import Foundation
@_exported import DICOMDictionary

/// A data element tag: group and element number (PS3.5 §7.1).
public struct Tag: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// `group << 16 | element`.
    public let rawValue: UInt32

    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ group: UInt16, _ element: UInt16) {
        rawValue = UInt32(group) << 16 | UInt32(element)
    }

    @inlinable public var group: UInt16 { UInt16(truncatingIfNeeded: rawValue >> 16) }
    @inlinable public var element: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    /// Odd groups other than 0001, 0003, 0005, 0007 and FFFF hold private data elements.
    @inlinable public var isPrivate: Bool {
        group & 1 == 1 && group > 0x0007 && group != 0xFFFF
    }
    /// (gggg,0010)–(gggg,00FF) in a private group: a private creator that reserves a block.
    @inlinable public var isPrivateCreator: Bool {
        isPrivate && element >= 0x0010 && element <= 0x00FF
    }
    /// For a private data element (gggg,xxyy) with xx ≥ 0x10, the creator element (gggg,00xx).
    @inlinable public var privateCreatorTag: Tag? {
        guard isPrivate, element >= 0x1000 else { return nil }
        return Tag(group, element >> 8)
    }
    /// (gggg,0000): a group length.
    @inlinable public var isGroupLength: Bool { element == 0 }
    /// Item, item delimitation and sequence delimitation tags live in group FFFE.
    @inlinable public var isDelimiter: Bool { group == 0xFFFE }
    /// File meta information (group 0002).
    @inlinable public var isMeta: Bool { group == 0x0002 }

    public static let item = Tag(0xFFFE, 0xE000)
    public static let itemDelimitationItem = Tag(0xFFFE, 0xE00D)
    public static let sequenceDelimitationItem = Tag(0xFFFE, 0xE0DD)

    @inlinable public static func < (a: Tag, b: Tag) -> Bool { a.rawValue < b.rawValue }

    /// `(GGGG,EEEE)` in upper-case hex, as dcmdump writes it.
    public var description: String {
        "(" + Tag.hex4(group) + "," + Tag.hex4(element) + ")"
    }

    /// `GGGGEEEE`, as DICOM JSON keys it.
    public var jsonKey: String { Tag.hex4(group) + Tag.hex4(element) }

    @usableFromInline static func hex4(_ v: UInt16) -> String {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out = [UInt8](repeating: 0, count: 4)
        out[0] = digits[Int(v >> 12) & 15]
        out[1] = digits[Int(v >> 8) & 15]
        out[2] = digits[Int(v >> 4) & 15]
        out[3] = digits[Int(v) & 15]
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `GGGG,EEEE`, `(GGGG,EEEE)`, `GGGGEEEE` (hex), or a dictionary keyword.
    public init?(parsing text: String) {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        if s.hasPrefix("(") && s.hasSuffix(")") { s = s.dropFirst().dropLast() }
        let hex = s.replacingOccurrences(of: ",", with: "")
        if hex.count == 8, s.count == 8 || (s.count == 9 && s.contains(",")), let v = UInt32(hex, radix: 16) {
            self.init(v)
            return
        }
        if let v = DataDictionary.tag(forKeyword: String(s)) {
            self.init(v)
            return
        }
        return nil
    }
}
