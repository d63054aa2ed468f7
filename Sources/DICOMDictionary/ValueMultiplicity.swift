/// How many values an attribute holds (PS3.5 §6.4): `1`, `1-3`, `1-n`, `2-2n`.
///
/// A count is allowed when it lies in `min...max` (no upper bound when `max` is nil) and
/// `count - min` is a multiple of `step`. An empty value (no values at all) is outside every VM:
/// whether an attribute may be empty is a question for its module's type (1, 2, 3), not its VM.
public struct ValueMultiplicity: Sendable, Hashable, CustomStringConvertible {
    public let min: Int
    /// nil: no upper bound (`n`).
    public let max: Int?
    /// 2 for `2-2n`, 3 for `3-3n`, otherwise 1.
    public let step: Int

    public init(min: Int, max: Int?, step: Int = 1) {
        self.min = min
        self.max = max
        self.step = step
    }

    public static let one = ValueMultiplicity(min: 1, max: 1)
    public static let oneOrMore = ValueMultiplicity(min: 1, max: nil)

    /// Parses the standard's notation: `N`, `N-M`, `N-n`, `N-Kn`, and alternatives joined by
    /// ` or ` (`1-n or 1`), which give the smallest range that holds them all.
    public init?(parsing text: String) {
        var result: ValueMultiplicity?
        for word in text.split(separator: " ").split(separator: "or", omittingEmptySubsequences: false) {
            guard word.count == 1, let range = ValueMultiplicity.parseRange(Array(word[word.startIndex].utf8)) else {
                return nil
            }
            guard let previous = result else {
                result = range
                continue
            }
            let high: Int? = if let a = previous.max, let b = range.max { Swift.max(a, b) } else { nil }
            result = ValueMultiplicity(min: Swift.min(previous.min, range.min), max: high,
                                       step: Swift.min(previous.step, range.step))
        }
        guard let result else { return nil }
        self = result
    }

    /// `N`, `N-M`, `N-n` or `N-Kn`, as ASCII bytes.
    private static func parseRange(_ text: [UInt8]) -> ValueMultiplicity? {
        var i = 0
        func number() -> Int? {
            var value: Int?
            while i < text.count, text[i] >= 0x30, text[i] <= 0x39, (value ?? 0) < 1_000_000 {
                value = (value ?? 0) * 10 + Int(text[i] - 0x30)
                i += 1
            }
            return value
        }
        guard let low = number() else { return nil }
        if i == text.count { return ValueMultiplicity(min: low, max: low) }
        guard text[i] == UInt8(ascii: "-") else { return nil }
        i += 1
        let upper = number()
        if i == text.count {
            guard let upper, upper >= low else { return nil }
            return ValueMultiplicity(min: low, max: upper)
        }
        guard i == text.count - 1, text[i] | 0x20 == UInt8(ascii: "n") else { return nil }
        let step = upper ?? 1
        return step > 0 ? ValueMultiplicity(min: low, max: nil, step: step) : nil
    }

    /// True when an element may hold `count` values.
    public func allows(_ count: Int) -> Bool {
        guard count >= min else { return false }
        if let max, count > max { return false }
        return (count - min) % step == 0
    }

    /// The standard's notation: `1`, `1-3`, `1-n`, `2-2n`.
    public var description: String {
        guard let max else { return step == 1 ? "\(min)-n" : "\(min)-\(step)n" }
        return max == min ? "\(min)" : "\(min)-\(max)"
    }
}
