/// What is wrong with one value, before it is tied to an element and a path.
struct ValueDefect: Equatable {
    var code: ValidationProblem.Code
    var severity: ValidationProblem.Severity
    var reason: String

    static func format(_ reason: String) -> ValueDefect {
        ValueDefect(code: .vrFormat, severity: .error, reason: reason)
    }
}

/// Hand-written scanners for the value formats of PS3.5 §6.2 (Table 6.2-1), one value at a time.
///
/// Each takes the bytes of one value (split at backslashes, trailing padding spaces removed, except
/// for UI, which keeps everything but the element's NUL padding) and returns what is wrong, or nil.
/// AE needs no scanner: its repertoire is checked by the caller, as is a value of spaces only.
/// Character repertoire (control characters, bytes above 0x7F) is checked before, by the caller;
/// maximum lengths too, except for AS, DA, DT and TM, whose formats fix their lengths.
enum ValueGrammar {
    typealias Bytes = UnsafeRawBufferPointer

    static func check(_ value: Bytes, vr: VR) -> ValueDefect? {
        switch vr {
        case .AS: return age(value)
        case .CS: return codeString(value)
        case .DA: return date(value)
        case .DT: return dateTime(value)
        case .TM: return time(value)
        case .DS: return decimal(value)
        case .IS: return integer(value)
        case .UI: return uid(value)
        case .UR: return uri(value)
        default: return nil
        }
    }

    // MARK: AS, CS

    /// AS: `nnnD`, `nnnW`, `nnnM` or `nnnY`.
    static func age(_ v: Bytes) -> ValueDefect? {
        guard v.count == 4 else { return .format("expected nnnD, nnnW, nnnM or nnnY, found \(v.count) characters") }
        for i in 0..<3 where !isDigit(v[i]) {
            return .format("character \(describe(v[i])) where a digit is expected (nnnD, nnnW, nnnM or nnnY)")
        }
        switch v[3] {
        case UInt8(ascii: "D"), UInt8(ascii: "W"), UInt8(ascii: "M"), UInt8(ascii: "Y"): return nil
        default: return .format("unit \(describe(v[3])) is not D, W, M or Y")
        }
    }

    /// CS: upper-case letters, digits, space and underscore.
    static func codeString(_ v: Bytes) -> ValueDefect? {
        for b in v {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), space, UInt8(ascii: "_"):
                continue
            default:
                return .format("character \(describe(b)) is not allowed (upper-case letters, digits, space and underscore only)")
            }
        }
        return nil
    }

    // MARK: DA, DT, TM

    /// DA: `YYYYMMDD`, a date of the Gregorian calendar. The ACR-NEMA form `YYYY.MM.DD` is reported
    /// as retired.
    static func date(_ v: Bytes) -> ValueDefect? {
        if v.first == space { return .format("leading space") }
        if v.count == 10, v[4] == dot, v[7] == dot,
           let y = number(v, 0, 4), let m = number(v, 5, 2), let d = number(v, 8, 2) {
            let calendar = calendarDefect(year: y, month: m, day: d).map { "; besides, " + $0.reason } ?? ""
            return ValueDefect(code: .retiredFormat, severity: .error,
                               reason: "uses the retired ACR-NEMA form YYYY.MM.DD; DICOM requires YYYYMMDD" + calendar)
        }
        if let bad = v.first(where: { !isDigit($0) }) {
            return .format("character \(describe(bad)) is not a digit (expected YYYYMMDD)")
        }
        guard v.count == 8 else { return .format("expected 8 digits YYYYMMDD, found \(v.count)") }
        return calendarDefect(year: number(v, 0, 4)!, month: number(v, 4, 2)!, day: number(v, 6, 2)!)
    }

    /// DT: `YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]][&ZZXX]`, with & a sign and the offset from UTC in
    /// −1200…+1400.
    static func dateTime(_ v: Bytes) -> ValueDefect? {
        if v.first == space { return .format("leading space") }
        let n = v.count
        var end = n
        for i in 0..<n where v[i] == UInt8(ascii: "+") || v[i] == UInt8(ascii: "-") {
            end = i
            break
        }
        var i = 0
        func component(_ name: String, _ range: ClosedRange<Int>) -> (value: Int?, defect: ValueDefect?) {
            guard i < end else { return (nil, nil) }
            guard i + 2 <= end else { return (nil, .format("incomplete \(name): one digit where two are expected")) }
            guard let x = number(v, i, 2) else {
                let bad = isDigit(v[i]) ? v[i + 1] : v[i]
                return (nil, .format("character \(describe(bad)) in the \(name), where a digit is expected"))
            }
            i += 2
            guard range.contains(x) else { return (nil, .format("\(name) \(twoDigits(x)) is out of range \(twoDigits(range.lowerBound))-\(twoDigits(range.upperBound))")) }
            return (x, nil)
        }
        guard end >= 4 else { return .format("expected at least a four-digit year") }
        guard let year = number(v, 0, 4) else {
            return .format("character \(describe(v[0..<4].first { !isDigit($0) }!)) in the year, where a digit is expected")
        }
        i = 4
        var leapSecond = false
        let (month, monthDefect) = component("month", 1...12)
        if let monthDefect { return monthDefect }
        if let month {
            let (day, dayDefect) = component("day", 1...31)
            if let dayDefect { return dayDefect }
            if let day, day > daysIn(month: month, year: year) {
                return .format("day \(twoDigits(day)) does not exist in \(year)-\(twoDigits(month))")
            }
            if day != nil {
                let (hour, hourDefect) = component("hour", 0...23)
                if let hourDefect { return hourDefect }
                if hour != nil {
                    let (minute, minuteDefect) = component("minute", 0...59)
                    if let minuteDefect { return minuteDefect }
                    if minute != nil {
                        let (second, secondDefect) = component("second", 0...60)
                        if let secondDefect { return secondDefect }
                        leapSecond = second == 60
                        if second != nil, i < end, v[i] == dot {
                            if let defect = fraction(v, from: i + 1, to: end) { return defect }
                            i = end
                        }
                    }
                }
            }
        }
        if i < end {
            return .format("unexpected \(describe(v[i])) at position \(i + 1)")
        }
        if end < n {
            guard n - end == 5, let hh = number(v, end + 1, 2), let mm = number(v, end + 3, 2) else {
                return .format("UTC offset \"\(String(decoding: v[end...], as: UTF8.self))\" is not &ZZXX (sign and four digits)")
            }
            let minutes = (hh * 60 + mm) * (v[end] == UInt8(ascii: "-") ? -1 : 1)
            if mm > 59 || minutes < -12 * 60 || minutes > 14 * 60 {
                return .format("UTC offset \(String(decoding: v[end...], as: UTF8.self)) is out of range -1200 to +1400")
            }
        }
        if leapSecond { return leapSecondWarning }
        return nil
    }

    /// TM: `HH[MM[SS[.F{1-6}]]]`. The ACR-NEMA form `HH:MM:SS.frac` is reported as retired.
    static func time(_ v: Bytes) -> ValueDefect? {
        if v.first == space { return .format("leading space") }
        if v.contains(UInt8(ascii: ":")) {
            if retiredTime(v) {
                return ValueDefect(code: .retiredFormat, severity: .error,
                                   reason: "uses the retired ACR-NEMA form HH:MM:SS; DICOM requires HHMMSS")
            }
            return .format("character ':' is not allowed (expected HHMMSS.FFFFFF)")
        }
        return timeDigits(v)
    }

    /// `HH[MM[SS[.F{1-6}]]]` without separators.
    static func timeDigits(_ v: Bytes) -> ValueDefect? {
        let n = v.count
        let names = ["hour", "minute", "second"]
        let ranges = [0...23, 0...59, 0...60]
        var i = 0
        var leapSecond = false
        for k in 0..<3 {
            if i == n { break }
            if k > 0 && v[i] == dot { break }
            guard i + 2 <= n else { return .format("incomplete \(names[k]): one digit where two are expected") }
            guard let x = number(v, i, 2) else {
                let bad = isDigit(v[i]) ? v[i + 1] : v[i]
                return .format("character \(describe(bad)) in the \(names[k]), where a digit is expected")
            }
            guard ranges[k].contains(x) else {
                return .format("\(names[k]) \(twoDigits(x)) is out of range 00-\(k == 0 ? "23" : "59")")
            }
            leapSecond = k == 2 && x == 60
            i += 2
        }
        if i < n {
            guard v[i] == dot else { return .format("unexpected \(describe(v[i])) at position \(i + 1)") }
            guard i == 6 else { return .format("a fraction needs hours, minutes and seconds before it") }
            if let defect = fraction(v, from: i + 1, to: n) { return defect }
        }
        if leapSecond { return leapSecondWarning }
        return nil
    }

    /// True for `HH:MM[:SS[.F…]]` with valid fields.
    private static func retiredTime(_ v: Bytes) -> Bool {
        var digits: [UInt8] = []
        var i = 0
        var fields = 0
        while i < v.count && v[i] != dot {
            guard i + 2 <= v.count, number(v, i, 2) != nil else { return false }
            digits += [v[i], v[i + 1]]
            fields += 1
            i += 2
            if i < v.count && v[i] == UInt8(ascii: ":") {
                i += 1
                guard i < v.count else { return false }
            } else { break }
        }
        guard fields >= 2 else { return false }
        digits += v[i...]
        return digits.withUnsafeBytes { timeDigits($0) } == nil
    }

    /// `F{1-6}` from `start` to `end`.
    private static func fraction(_ v: Bytes, from start: Int, to end: Int) -> ValueDefect? {
        guard end > start else { return .format("no digits after the decimal point") }
        for i in start..<end where !isDigit(v[i]) {
            return .format("character \(describe(v[i])) in the fraction of a second, where a digit is expected")
        }
        if end - start > 6 { return .format("\(end - start) digits in the fraction of a second; at most 6") }
        return nil
    }

    private static let leapSecondWarning = ValueDefect(
        code: .vrFormat, severity: .warning,
        reason: "second 60 is valid only for a leap second")

    static func calendarDefect(year: Int, month: Int, day: Int) -> ValueDefect? {
        guard (1...12).contains(month) else { return .format("month \(twoDigits(month)) is out of range 01-12") }
        guard day >= 1, day <= daysIn(month: month, year: year) else {
            return .format("day \(twoDigits(day)) does not exist in \(year)-\(twoDigits(month))")
        }
        return nil
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: DS, IS

    /// DS: a fixed or floating point number (`[+-]digits[.digits][(E|e)[+-]digits]`), with leading
    /// and trailing spaces allowed and embedded ones not.
    static func decimal(_ v: Bytes) -> ValueDefect? {
        let n = v.count
        var i = 0
        while i < n && v[i] == space { i += 1 }
        if i < n && (v[i] == UInt8(ascii: "+") || v[i] == UInt8(ascii: "-")) { i += 1 }
        var mantissaDigits = 0
        while i < n && isDigit(v[i]) { i += 1; mantissaDigits += 1 }
        if i < n && v[i] == dot {
            i += 1
            while i < n && isDigit(v[i]) { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else {
            return i < n ? .format("character \(describe(v[i])) where a digit is expected") : .format("no digits")
        }
        if i < n && (v[i] == UInt8(ascii: "E") || v[i] == UInt8(ascii: "e")) {
            i += 1
            if i < n && (v[i] == UInt8(ascii: "+") || v[i] == UInt8(ascii: "-")) { i += 1 }
            var exponentDigits = 0
            while i < n && isDigit(v[i]) { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return .format("exponent without digits") }
        }
        if i < n { return .format("character \(describe(v[i])) is not allowed at position \(i + 1)") }
        return nil
    }

    /// IS: `[+-]digits` in −2^31…2^31−1, with leading and trailing spaces allowed.
    static func integer(_ v: Bytes) -> ValueDefect? {
        let n = v.count
        var i = 0
        while i < n && v[i] == space { i += 1 }
        var negative = false
        if i < n && (v[i] == UInt8(ascii: "+") || v[i] == UInt8(ascii: "-")) {
            negative = v[i] == UInt8(ascii: "-")
            i += 1
        }
        let start = i
        var magnitude: Int64 = 0
        while i < n && isDigit(v[i]) {
            magnitude = min(magnitude * 10 + Int64(v[i] - UInt8(ascii: "0")), 1 << 40)
            i += 1
        }
        if i < n { return .format("character \(describe(v[i])) is not allowed at position \(i + 1)") }
        guard i > start else { return .format("no digits") }
        if negative ? magnitude > 1 << 31 : magnitude > (1 << 31) - 1 {
            return .format("out of range -2147483648 to 2147483647")
        }
        return nil
    }

    // MARK: UI, UR

    /// UI: components of digits separated by dots, none empty, none with a leading zero (other than
    /// "0" itself), the first 0, 1 or 2 (ISO/IEC 8824 object identifiers). A UID of zeros only ("0",
    /// "0.0") is well formed but identifies nothing: a warning.
    static func uid(_ v: Bytes) -> ValueDefect? {
        let n = v.count
        var start = 0
        var index = 0
        var zerosOnly = true
        while start <= n {
            var end = start
            while end < n && v[end] != dot {
                let b = v[end]
                if !isDigit(b) {
                    return .format("character \(describe(b)) is not allowed (digits and '.' only)")
                }
                end += 1
            }
            if end == start { return .format("empty component \(index + 1)") }
            if end - start > 1 && v[start] == UInt8(ascii: "0") {
                return .format("component \(index + 1) \"\(String(decoding: v[start..<end], as: UTF8.self))\" has a leading zero")
            }
            if index == 0 && (end - start > 1 || v[start] > UInt8(ascii: "2")) {
                return .format("root \(String(decoding: v[start..<end], as: UTF8.self)) is not 0, 1 or 2")
            }
            zerosOnly = zerosOnly && end - start == 1 && v[start] == UInt8(ascii: "0")
            index += 1
            start = end + 1
        }
        if zerosOnly {
            return ValueDefect(code: .vrFormat, severity: .warning, reason: "nothing but zero components")
        }
        return nil
    }

    /// UR: a URI or URL (RFC 3986 characters), no leading spaces.
    static func uri(_ v: Bytes) -> ValueDefect? {
        if v.first == space { return .format("leading space") }
        for (i, b) in v.enumerated() {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "/"),
                 UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "@"), UInt8(ascii: "!"),
                 UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"),
                 UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "%"):
                continue
            default:
                return .format("character \(describe(b)) at position \(i + 1) is not allowed in a URI (RFC 3986)")
            }
        }
        return nil
    }

    // MARK: Helpers

    static let space = UInt8(ascii: " ")
    static let dot = UInt8(ascii: ".")

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    /// The number written by `count` digits at `at`, or nil when one is not a digit.
    @inline(__always) static func number(_ v: Bytes, _ at: Int, _ count: Int) -> Int? {
        var x = 0
        for i in at..<(at + count) {
            let b = v[i]
            guard isDigit(b) else { return nil }
            x = x * 10 + Int(b - 0x30)
        }
        return x
    }

    static func twoDigits(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }

    /// `'x'` for a printable ASCII character, `0x0A` otherwise.
    static func describe(_ b: UInt8) -> String {
        if b > 0x20 && b < 0x7F { return "'" + String(UnicodeScalar(b)) + "'" }
        if b == 0x20 { return "' ' (space)" }
        return "0x" + (b < 0x10 ? "0" : "") + String(b, radix: 16, uppercase: true)
    }
}
