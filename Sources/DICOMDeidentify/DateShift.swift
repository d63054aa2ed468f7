/// Moves DA and DT values by a whole number of days on the proleptic Gregorian calendar,
/// keeping their precision (a year-only DT stays year-only) and any time and offset.
public enum DateShift {
    /// `value` moved by `days`, or nil when it is not a date this understands. Accepts
    /// YYYYMMDD, the ACR-NEMA form YYYY.MM.DD, and ranges "A-B" of either.
    public static func shiftDA(_ value: String, days: Int) -> String? {
        if let dash = value.firstIndex(of: "-") {
            let a = String(value[..<dash]), b = String(value[value.index(after: dash)...])
            let sa = a.isEmpty ? "" : shiftDA(a, days: days)
            let sb = b.isEmpty ? "" : shiftDA(b, days: days)
            guard let sa, let sb else { return nil }
            return sa + "-" + sb
        }
        var digits = Array(value.utf8)
        if digits.count == 10, digits[4] == 0x2E, digits[7] == 0x2E { digits.remove(at: 7); digits.remove(at: 4) }
        guard digits.count == 8, let (y, m, d) = parse(digits[...]) else { return nil }
        return format(days: daysFromCivil(y, m, d) + days, precision: 8)
    }

    /// A DT value (YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]) moved by `days`; the time part is kept.
    public static func shiftDT(_ value: String, days: Int) -> String? {
        let bytes = Array(value.utf8)
        var n = 0
        while n < bytes.count, bytes[n] >= 0x30, bytes[n] <= 0x39, n < 8 { n += 1 }
        guard n == 4 || n == 6 || n == 8 else { return nil }
        var full = Array(bytes[0..<n])
        while full.count < 8 { full += [0x30, 0x31] }   // missing month/day: the first
        guard let (y, m, d) = parse(full[...]) else { return nil }
        let date = format(days: daysFromCivil(y, m, d) + days, precision: n)
        return date + String(decoding: bytes[n...], as: UTF8.self)
    }

    private static func parse(_ d: ArraySlice<UInt8>) -> (Int, Int, Int)? {
        var v: [Int] = []
        for c in d {
            guard c >= 0x30, c <= 0x39 else { return nil }
            v.append(Int(c) - 0x30)
        }
        let y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3]
        let m = v[4] * 10 + v[5], day = v[6] * 10 + v[7]
        guard (1...12).contains(m), (1...daysIn(month: m, year: y)).contains(day) else { return nil }
        return (y, m, day)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func format(days: Int, precision: Int) -> String {
        let (y, m, d) = civilFromDays(days)
        func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
        var yearText = String(max(0, min(9999, y)))
        while yearText.count < 4 { yearText = "0" + yearText }
        let text = yearText + two(m) + two(d)
        return String(text.prefix(precision))
    }

    // Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms, public domain text).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
