/// An unsigned 128-bit number as two 64-bit halves: the wide products and sums of the field and
/// scalar arithmetic. (The standard library's `UInt128` needs macOS 15; this needs nothing, and
/// `multipliedFullWidth` and `addingReportingOverflow` compile to single instructions.)
struct DoubleWord {
    var high: UInt64
    var low: UInt64

    @inline(__always)
    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The full product `a × b`.
    @inline(__always)
    init(_ a: UInt64, times b: UInt64) {
        (high, low) = a.multipliedFullWidth(by: b)
    }

    @inline(__always)
    static func + (a: DoubleWord, b: DoubleWord) -> DoubleWord {
        let (low, carry) = a.low.addingReportingOverflow(b.low)
        return DoubleWord(high: a.high &+ b.high &+ (carry ? 1 : 0), low: low)
    }

    @inline(__always)
    static func + (a: DoubleWord, b: UInt64) -> DoubleWord {
        let (low, carry) = a.low.addingReportingOverflow(b)
        return DoubleWord(high: a.high &+ (carry ? 1 : 0), low: low)
    }

    /// The low 64 bits of `self >> shift`, for 0 < shift < 64.
    @inline(__always)
    func lowBits(shiftedRightBy shift: UInt64) -> UInt64 {
        (low &>> shift) | (high &<< (64 - shift))
    }

    /// `self >> shift`, for 0 < shift < 64.
    @inline(__always)
    func shiftedRight(by shift: UInt64) -> DoubleWord {
        DoubleWord(high: high &>> shift, low: lowBits(shiftedRightBy: shift))
    }
}
