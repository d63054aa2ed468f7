/// String values (PS3.5 §6.1, §6.2): value length, padding, character repertoire, then each value's
/// length and format.
extension ValidationWalk {
    static let space = UInt8(ascii: " ")
    static let backslash = UInt8(ascii: "\\")

    /// Checks one string element's value bytes; returns the number of values (0 when empty).
    static func checkString(_ raw: Bytes, vr: VR, characterSet: SpecificCharacterSet,
                            findings: inout ElementFindings) -> Int {
        if raw.count % 2 == 1 {
            findings.add(.length, .error, "\(vr) value \(quote(raw)) has odd length \(raw.count); values are padded to even length")
        }
        let end = checkPadding(raw, vr: vr, findings: &findings)
        let content = Bytes(rebasing: raw[..<end])
        let repertoire = checkRepertoire(content, vr: vr, characterSet: characterSet, findings: &findings)
        if repertoire == .needsDecoding {
            return checkDecodedValues(content, vr: vr, characterSet: characterSet, findings: &findings)
        }
        return checkValues(content, vr: vr, checkFormat: repertoire == .valid, findings: &findings)
    }

    // MARK: Padding

    /// UI pads to even length with one NUL, the other string VRs with one space. Reports NUL padding
    /// on other VRs and spaces on UI; returns where the value ends without its NULs (and, for UI,
    /// its trailing spaces).
    static func checkPadding(_ raw: Bytes, vr: VR, findings: inout ElementFindings) -> Int {
        var end = raw.count
        var nuls = 0
        while end > 0 && raw[end - 1] == 0 {
            end -= 1
            nuls += 1
        }
        if vr == .UI {
            var spaces = 0
            while end > 0 && raw[end - 1] == space {
                end -= 1
                spaces += 1
            }
            if spaces > 0 {
                findings.add(.padding, .error,
                             "UI value \(quote(raw[..<(end + spaces)])) is padded with space; UI pads with NUL (0x00)")
            } else if nuls > 1 {
                findings.add(.padding, .warning,
                             "UI value \(quote(raw[..<end])) is followed by \(nuls) NUL bytes; one pads it to even length")
            }
        } else if nuls > 0 {
            findings.add(.padding, .error,
                         "\(vr) value \(quote(raw[..<end])) is padded with NUL (0x00); \(vr) pads with space (0x20)")
        }
        return end
    }

    // MARK: Character repertoire

    enum Repertoire {
        /// Printable ASCII and the control characters the VR allows.
        case valid
        /// Bytes above 0x7F or ESC, for the Specific Character Set to decode.
        case needsDecoding
        /// A character the VR does not allow; reported.
        case invalid
    }

    /// The default repertoire (ISO-IR 6: 0x20–0x7E) for every VR; CR, LF, FF and TAB besides in LT,
    /// ST and UT; for the VRs that use the Specific Character Set, bytes above 0x7F when one is
    /// declared, and ESC when it uses code extensions (decoded afterwards).
    static func checkRepertoire(_ v: Bytes, vr: VR, characterSet: SpecificCharacterSet,
                                findings: inout ElementFindings) -> Repertoire {
        let text = vr == .LT || vr == .ST || vr == .UT
        let specific = vr.usesSpecificCharacterSet
        let extended = specific && !characterSet.isDefault
        let escapes = specific && characterSet.usesCodeExtensions
        var result = Repertoire.valid
        for b in v[printablePrefix(v)...] {
            if b >= 0x20 && b < 0x7F { continue }
            if b >= 0x80 && extended { result = .needsDecoding; continue }
            if b == 0x1B && escapes { result = .needsDecoding; continue }
            if text && (b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D) { continue }
            let hex = ValueGrammar.describe(b)
            let what: String
            switch b {
            case 0x80...:
                what = specific
                    ? "byte \(hex) is outside the default repertoire, and Specific Character Set (0008,0005) declares no other"
                    : "byte \(hex) is outside the default repertoire, to which \(vr) is restricted"
            case 0x1B:
                what = specific
                    ? "ESC (0x1B) without code extensions in Specific Character Set (0008,0005)"
                    : "control character ESC (0x1B) is not allowed in \(vr)"
            case 0x00:
                what = "NUL (0x00) inside the value"
            default:
                what = "control character \(hex) is not allowed in \(vr)" + (text ? " (only TAB, LF, FF, CR and ESC)" : "")
            }
            findings.add(.charset, .error, "\(vr) value \(quote(v)): \(what)")
            return .invalid
        }
        return result
    }

    /// The length of the leading run of whole 8-byte words in 0x20–0x7E, looking at a word at a time.
    @inline(__always)
    static func printablePrefix(_ v: Bytes) -> Int {
        guard let base = v.baseAddress else { return 0 }
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let high: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i + 8 <= v.count {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let seven = w & low
            // A high bit set where a byte is 0x7F or above, or where it is below 0x20 (per byte, no carries:
            // each sum stays below 0x100).
            let aboveTilde = (seven &+ 0x0101_0101_0101_0101) | w
            let belowSpace = ~((seven &+ 0x6060_6060_6060_6060) | w)
            if (aboveTilde | belowSpace) & high != 0 { break }
            i += 8
        }
        return i
    }

    // MARK: Values as bytes

    /// Splits `content` at backslashes (for VRs with several values) and checks each value's length
    /// and, when `checkFormat`, its format. Returns the number of values.
    static func checkValues(_ content: Bytes, vr: VR, checkFormat: Bool, findings: inout ElementFindings) -> Int {
        let n = content.count
        // Nothing but padding: no value. (AE forbids a value of spaces only; see checkValue.)
        if vr == .UI || vr == .AE ? n == 0 : content.allSatisfy({ $0 == space }) { return 0 }
        let multiple = vr.allowsMultipleStringValues
        var start = 0
        var count = 0
        while true {
            var end = n
            if multiple {
                end = start
                while end < n && content[end] != backslash { end += 1 }
            }
            count += 1
            // Values are numbered in messages when there are several.
            let numbered = start > 0 || end < n
            checkValue(Bytes(rebasing: content[start..<end]), number: numbered ? count : nil, vr: vr,
                       checkFormat: checkFormat, findings: &findings)
            if end >= n { break }
            start = end + 1
        }
        return count
    }

    /// One value of the default repertoire (or of a Specific Character Set that needed no decoding).
    static func checkValue(_ raw: Bytes, number: Int?, vr: VR, checkFormat: Bool, findings: inout ElementFindings) {
        var end = raw.count
        if vr != .UI {
            while end > 0 && raw[end - 1] == space { end -= 1 }
        }
        if vr == .AE && end == 0 && raw.count > 0 {
            findings.addValue(.vrFormat, .error, "AE value \(quote(raw)) consists only of spaces")
        }
        if end == 0 { return }
        let value = Bytes(rebasing: raw[..<end])
        func label() -> String { "\(vr) value \(number.map { "\($0) " } ?? "")\(quote(value))" }

        if vr == .PN {
            for defect in personNameDefects(value, equals: UInt8(ascii: "="), caret: UInt8(ascii: "^")) {
                findings.addValue(defect.code, defect.severity, "\(label()): \(defect.reason)")
            }
            return
        }
        if let maximum = vr.maximumLength, !hasFixedFormat(vr), value.count > maximum {
            let unit = vr.usesSpecificCharacterSet ? "characters" : "bytes"
            findings.addValue(.length, .error, "\(label()) is \(value.count) \(unit) long; \(vr) allows at most \(maximum)")
        }
        if checkFormat, let defect = ValueGrammar.check(value, vr: vr) {
            findings.addValue(defect.code, defect.severity, "\(label()): \(defect.reason)")
        }
    }

    /// AS, DA, DT and TM: the format fixes the length, so a long value is a format problem.
    static func hasFixedFormat(_ vr: VR) -> Bool {
        vr == .AS || vr == .DA || vr == .DT || vr == .TM
    }

    // MARK: Values to decode

    /// Values of LO, SH, PN, UC, LT, ST, UT with characters beyond ASCII: decoded with the Specific
    /// Character Set (which also finds the backslashes that are delimiters, rather than second bytes
    /// of a multi-byte character), lengths counted in characters.
    static func checkDecodedValues(_ content: Bytes, vr: VR, characterSet: SpecificCharacterSet,
                                   findings: inout ElementFindings) -> Int {
        let text = characterSet.decode(content, vr: vr)
        if text.unicodeScalars.allSatisfy({ $0 == " " }) { return 0 }
        if text.unicodeScalars.contains("\u{FFFD}") && !containsEncodedReplacementCharacter(content, characterSet) {
            findings.add(.charset, .error,
                         "\(vr) value \(quote(content)) has bytes that Specific Character Set \"\(characterSet)\" does not define")
        }
        let values: [Substring] = vr.allowsMultipleStringValues
            ? text.split(separator: "\\", omittingEmptySubsequences: false)
            : [Substring(text)]
        for (index, raw) in values.enumerated() {
            var value = raw.unicodeScalars[...]
            while value.last == " " { value.removeLast() }
            if value.isEmpty { continue }
            func label() -> String { "\(vr) value \(values.count > 1 ? "\(index + 1) " : "")\(quote(String(value)))" }
            if vr == .PN {
                for defect in personNameDefects(Array(value), equals: "=", caret: "^") {
                    findings.addValue(defect.code, defect.severity, "\(label()): \(defect.reason)")
                }
            } else if let maximum = vr.maximumLength, value.count > maximum {
                findings.addValue(.length, .error, "\(label()) is \(value.count) characters long; \(vr) allows at most \(maximum)")
            }
        }
        return values.count
    }

    /// True when UTF-8 text holds U+FFFD itself (EF BF BD), so a replacement character in the
    /// decoded text need not mean undecodable bytes.
    private static func containsEncodedReplacementCharacter(_ v: Bytes, _ characterSet: SpecificCharacterSet) -> Bool {
        guard characterSet.isUTF8Compatible, v.count >= 3 else { return false }
        for i in 0..<(v.count - 2) where v[i] == 0xEF && v[i + 1] == 0xBF && v[i + 2] == 0xBD { return true }
        return false
    }

    // MARK: PN

    /// PN: at most three component groups (alphabetic, ideographic, phonetic) separated by `=`, each
    /// of at most five components separated by `^` and at most 64 characters.
    static func personNameDefects<C: Collection>(_ value: C, equals: C.Element, caret: C.Element) -> [ValueDefect]
    where C.Element: Equatable {
        var defects: [ValueDefect] = []
        let groups = value.split(separator: equals, omittingEmptySubsequences: false)
        if groups.count > 3 {
            defects.append(.format("\(groups.count) component groups; PN allows at most three"))
        }
        for (index, group) in groups.prefix(3).enumerated() {
            let components = group.reduce(1) { $1 == caret ? $0 + 1 : $0 }
            if components > 5 {
                defects.append(.format("component group \(index + 1) has \(components) components; PN allows at most five"))
            }
            if group.count > 64 {
                defects.append(ValueDefect(code: .length, severity: .error,
                                           reason: "component group \(index + 1) is \(group.count) characters long; PN allows at most 64"))
            }
        }
        return defects
    }

    // MARK: Quoting

    /// The value in double quotes, control characters, bytes above 0x7E and `"` escaped (backslashes,
    /// the value delimiter, are left as they are), cut at 64 bytes.
    static func quote<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var s = "\""
        var n = 0
        for b in bytes {
            if n == 64 { s += "…"; break }
            n += 1
            switch b {
            case 0x22: s += "\\\""
            case 0x0A: s += "\\n"
            case 0x0D: s += "\\r"
            case 0x09: s += "\\t"
            case 0x20..<0x7F: s.unicodeScalars.append(Unicode.Scalar(b))
            default: s += "\\x" + (b < 0x10 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return s + "\""
    }

    /// Decoded text in double quotes, control characters escaped, cut at 64 characters.
    static func quote(_ text: String) -> String {
        var s = "\""
        for (n, c) in text.unicodeScalars.enumerated() {
            if n == 64 { s += "…"; break }
            switch c {
            case "\"": s += "\\\""
            case "\n": s += "\\n"
            case "\r": s += "\\r"
            case "\t": s += "\\t"
            case _ where c.value < 0x20 || c.value == 0x7F:
                s += "\\x" + (c.value < 0x10 ? "0" : "") + String(c.value, radix: 16, uppercase: true)
            default: s.unicodeScalars.append(c)
            }
        }
        return s + "\""
    }
}
