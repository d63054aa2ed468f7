import Foundation

/// Typed reading and writing of element values.
extension DataSet {
    // MARK: Strings

    /// All values of a string element, decoded with the data set's character set and trimmed as
    /// its VR says (leading and trailing spaces; trailing only for ST, LT, UT; NUL for UI).
    public func strings(_ tag: Tag) -> [String] {
        guard let e = self[tag] else { return [] }
        return strings(of: e)
    }

    /// The first value of a string element.
    public func string(_ tag: Tag) -> String? {
        strings(tag).first
    }

    /// Decoded values of `element` (see `strings(_:)`). Binary VRs are formatted as text.
    public func strings(of element: DataElement) -> [String] {
        let vr = element.vr
        if !vr.isString {
            return formattedBinaryValues(of: element)
        }
        let text = element.value.withUnsafeBytes { characterSet.decode($0, vr: vr) }
        if text.isEmpty { return [] }
        // Split and trim on UTF-8 bytes: after decoding, a backslash is always a separator.
        let u = Array(text.utf8)
        var out: [String] = []
        var start = 0
        let multi = vr.allowsMultipleStringValues
        for i in 0...u.count where i == u.count || (multi && u[i] == 0x5C) {
            out.append(DataSet.trim(u, start, i, vr: vr))
            start = i + 1
        }
        return out
    }

    /// Bytes `u[lo..<hi]` as a String, trimmed as `vr` says.
    static func trim(_ u: [UInt8], _ lo: Int, _ hi: Int, vr: VR) -> String {
        var a = lo, b = hi
        switch vr {
        case .UI, .ST, .LT, .UT, .UR:
            while b > a, u[b - 1] == 0x20 || u[b - 1] == 0 { b -= 1 }
        default:
            while a < b, u[a] == 0x20 { a += 1 }
            while b > a, u[b - 1] == 0x20 || u[b - 1] == 0 { b -= 1 }
        }
        return u.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[a..<b]), as: UTF8.self) }
    }

    /// Sets a string element; values are joined with backslashes and padded to even length.
    /// The VR defaults to the dictionary's. Returns false when the text cannot be encoded in
    /// the data set's character set.
    @discardableResult
    public mutating func setStrings(_ tag: Tag, _ values: [String], vr: VR? = nil) -> Bool {
        let vr = vr ?? DataDictionary.entry(for: tag.rawValue)?.vr ?? .UN
        let text = values.joined(separator: "\\")
        let encoded: [UInt8]
        if vr.usesSpecificCharacterSet {
            guard let e = characterSet.encode(text, vr: vr) else { return false }
            encoded = e
        } else {
            encoded = Array(text.utf8)
        }
        var bytes = encoded
        if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
        insert(DataElement(tag, vr, .bytes(bytes)))
        return true
    }

    @discardableResult
    public mutating func setString(_ tag: Tag, _ value: String, vr: VR? = nil) -> Bool {
        setStrings(tag, [value], vr: vr)
    }

    // MARK: Numbers

    /// Numeric values of a binary (US, SS, UL, SL, FL, FD, SV, UV, OW, ...) or numeric-string
    /// (IS, DS) element.
    public func doubles(_ tag: Tag) -> [Double] {
        guard let e = self[tag] else { return [] }
        return DataSet.doubles(of: e)
    }

    public func double(_ tag: Tag) -> Double? { doubles(tag).first }

    public func ints(_ tag: Tag) -> [Int] {
        guard let e = self[tag] else { return [] }
        return DataSet.ints(of: e)
    }

    public func int(_ tag: Tag) -> Int? { ints(tag).first }

    public static func ints(of e: DataElement) -> [Int] {
        switch e.vr {
        case .IS, .DS:
            return rawStrings(e).compactMap { s in Int(s) ?? Double(s).flatMap { $0.isFinite ? Int(exactly: $0.rounded()) : nil } }
        case .FL, .FD, .OF, .OD:
            return doubles(of: e).compactMap { $0.isFinite ? Int(exactly: $0.rounded(.towardZero)) : nil }
        default:
            return integerValues(of: e)
        }
    }

    public static func doubles(of e: DataElement) -> [Double] {
        switch e.vr {
        case .IS, .DS:
            return rawStrings(e).compactMap { Double($0) }
        case .FL, .OF:
            return e.value.withUnsafeBytes { raw in
                stride(from: 0, to: raw.count - 3, by: 4).map { Double(Float(bitPattern: raw.loadLE(UInt32.self, at: $0))) }
            }
        case .FD, .OD:
            return e.value.withUnsafeBytes { raw in
                stride(from: 0, to: raw.count - 7, by: 8).map { Double(bitPattern: raw.loadLE(UInt64.self, at: $0)) }
            }
        default:
            return integerValues(of: e).map(Double.init)
        }
    }

    static func integerValues(of e: DataElement) -> [Int] {
        e.value.withUnsafeBytes { raw -> [Int] in
            switch e.vr {
            case .US, .OW:
                return stride(from: 0, to: raw.count - 1, by: 2).map { Int(raw.loadLE(UInt16.self, at: $0)) }
            case .SS:
                return stride(from: 0, to: raw.count - 1, by: 2).map { Int(Int16(bitPattern: raw.loadLE(UInt16.self, at: $0))) }
            case .UL, .OL:
                return stride(from: 0, to: raw.count - 3, by: 4).map { Int(raw.loadLE(UInt32.self, at: $0)) }
            case .SL:
                return stride(from: 0, to: raw.count - 3, by: 4).map { Int(Int32(bitPattern: raw.loadLE(UInt32.self, at: $0))) }
            case .SV:
                return stride(from: 0, to: raw.count - 7, by: 8).map { Int(Int64(bitPattern: raw.loadLE(UInt64.self, at: $0))) }
            case .UV, .OV:
                return stride(from: 0, to: raw.count - 7, by: 8).compactMap { Int(exactly: raw.loadLE(UInt64.self, at: $0)) }
            case .OB, .UN:
                return raw.map { Int($0) }
            default:
                return []
            }
        }
    }

    /// Tags of an AT element.
    public func tags(_ tag: Tag) -> [Tag] {
        guard let e = self[tag], e.vr == .AT else { return [] }
        return e.value.withUnsafeBytes { raw in
            stride(from: 0, to: raw.count - 3, by: 4).map {
                Tag(raw.loadLE(UInt16.self, at: $0), raw.loadLE(UInt16.self, at: $0 + 2))
            }
        }
    }

    /// Sets a binary numeric element from integers (US, SS, UL, SL, SV, UV, AT-less).
    public mutating func setInts(_ tag: Tag, _ values: [Int], vr: VR? = nil) {
        let vr = vr ?? DataDictionary.entry(for: tag.rawValue)?.vr ?? .UN
        var out: [UInt8] = []
        for v in values {
            switch vr {
            case .US, .SS, .OW: out.appendLE(UInt16(truncatingIfNeeded: v))
            case .UL, .SL, .OL: out.appendLE(UInt32(truncatingIfNeeded: v))
            case .SV, .UV, .OV: out.appendLE(UInt64(truncatingIfNeeded: v))
            case .IS, .DS:
                setStrings(tag, values.map(String.init), vr: vr)
                return
            default: out.append(UInt8(truncatingIfNeeded: v))
            }
        }
        insert(DataElement(tag, vr, .bytes(out)))
    }

    public mutating func setInt(_ tag: Tag, _ value: Int, vr: VR? = nil) { setInts(tag, [value], vr: vr) }

    // MARK: Sequences

    /// Items of a sequence element (empty when absent or not a sequence).
    public func items(_ tag: Tag) -> [DataSet] {
        guard case .sequence(let s)? = self[tag]?.value else { return [] }
        return s.items.map(\.dataSet)
    }

    public mutating func setItems(_ tag: Tag, _ items: [DataSet]) {
        insert(DataElement(tag, .SQ, .sequence(SequenceValue(items))))
    }

    // MARK: Formatting

    /// Values of a binary element as display strings (numbers, tags, or byte counts).
    public func formattedBinaryValues(of e: DataElement) -> [String] {
        switch e.vr {
        case .AT:
            return e.value.withUnsafeBytes { raw in
                stride(from: 0, to: raw.count - 3, by: 4).map {
                    Tag(raw.loadLE(UInt16.self, at: $0), raw.loadLE(UInt16.self, at: $0 + 2)).description
                }
            }
        case .FL, .FD, .OF, .OD:
            return DataSet.doubles(of: e).map { DataSet.format($0) }
        case .US, .SS, .UL, .SL, .SV, .UV:
            return DataSet.integerValues(of: e).map(String.init)
        default:
            return []
        }
    }

    /// Shortest text that reads back as the same Double (`1`, `0.5`, `1e-07`).
    public static func format(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}

extension UnsafeRawBufferPointer {
    @inlinable func loadLE<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension Array where Element == UInt8 {
    @inlinable mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        var x = v.littleEndian
        Swift.withUnsafeBytes(of: &x) { append(contentsOf: $0) }
    }
}
