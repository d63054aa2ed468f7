import Foundation

/// Conversions between DS, IS and binary number values and JSON number text.
extension DICOMJSON {
    /// JSON number text for a DS value (its UTF-8), keeping its digits: `+.5` → `0.5`,
    /// `007` → `7`, `5.` → `5`, `1E3` → `1E3`. Nil when the value is no decimal number, or one
    /// too large for a Double (JSON readers would turn it into infinity).
    static func jsonDecimal(_ u: UnsafeBufferPointer<UInt8>) -> String? {
        var i = 0
        var negative = false
        if i < u.count && (u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-")) {
            negative = u[i] == UInt8(ascii: "-")
            i += 1
        }
        let intStart = i
        while i < u.count && isDigit(u[i]) { i += 1 }
        var significantStart = intStart
        while significantStart < i && u[significantStart] == UInt8(ascii: "0") { significantStart += 1 }
        let intDigits = significantStart..<i
        let hasIntDigits = i > intStart
        var fracDigits = i..<i
        if i < u.count && u[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < u.count && isDigit(u[i]) { i += 1 }
            fracDigits = fracStart..<i
        }
        guard hasIntDigits || !fracDigits.isEmpty else { return nil }
        var exponent = i..<i
        if i < u.count && (u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E")) {
            let expStart = i
            i += 1
            if i < u.count && (u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-")) { i += 1 }
            let digitsStart = i
            while i < u.count && isDigit(u[i]) { i += 1 }
            guard i > digitsStart else { return nil }
            exponent = expStart..<i
        }
        guard i == u.count else { return nil }

        var out: [UInt8] = []
        out.reserveCapacity(u.count + 2)
        if negative { out.append(UInt8(ascii: "-")) }
        if intDigits.isEmpty { out.append(UInt8(ascii: "0")) } else { out += u[intDigits] }
        if !fracDigits.isEmpty {
            out.append(UInt8(ascii: "."))
            out += u[fracDigits]
        }
        out += u[exponent]
        let text = String(decoding: out, as: UTF8.self)
        // Only an exponent can take a DS value (16 characters at most) out of Double's range.
        if !exponent.isEmpty {
            guard let d = Double(text), d.isFinite else { return nil }
        }
        return text
    }

    /// JSON number text for an IS value (its UTF-8): `+12` → `12`, `-007` → `-7`, `-0` → `0`.
    /// Nil when the value is not an optionally signed string of digits.
    static func jsonInteger(_ u: UnsafeBufferPointer<UInt8>) -> String? {
        var i = 0
        var negative = false
        if let f = u.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") {
            negative = f == UInt8(ascii: "-")
            i = 1
        }
        guard i < u.count else { return nil }
        for j in i..<u.count where !isDigit(u[j]) { return nil }
        while i < u.count && u[i] == UInt8(ascii: "0") { i += 1 }
        if i == u.count { return "0" }
        return (negative ? "-" : "") + String(decoding: UnsafeBufferPointer(rebasing: u[i...]), as: UTF8.self)
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
    }

    // MARK: Decoding

    /// DS text for a JSON number, as written when it fits the 16 bytes DS allows, else the
    /// shortest text that does (precision is lost only past 16 characters).
    static func decimalString(fromJSONNumber text: String) -> (text: String, exact: Bool) {
        if text.utf8.count <= 16 { return (text, true) }
        guard let d = Double(text), d.isFinite else { return (text, false) }
        var candidate = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : d.description
        var precision = 16
        while candidate.utf8.count > 16 && precision > 0 {
            candidate = String(format: "%.\(precision)g", d)
            precision -= 1
        }
        return (candidate, Double(candidate) == d)
    }

    /// An integer for a JSON number (or numeric string), accepting integral values written
    /// with a fraction or exponent (`3.0`, `1e3`). Nil when it is no integer or out of range.
    static func integer(fromJSON text: String, in range: ClosedRange<Int64>) -> Int64? {
        if let v = Int64(text) { return range.contains(v) ? v : nil }
        guard let d = Double(text), d == d.rounded(), let v = Int64(exactly: d) else { return nil }
        return range.contains(v) ? v : nil
    }

    static func unsigned(fromJSON text: String) -> UInt64? {
        if let v = UInt64(text) { return v }
        guard let d = Double(text), d == d.rounded() else { return nil }
        return UInt64(exactly: d)
    }

    /// A Double for JSON number text, or for the strings NaN, Infinity and -Infinity that stand
    /// for the values JSON numbers cannot hold.
    static func double(fromJSON text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }

    static func float(fromJSON text: String) -> Float? {
        switch text {
        case "NaN": return .nan
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Float(text)
        }
    }
}
