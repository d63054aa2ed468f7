import Foundation

/// The VOI LUT stage (PS3.3 C.11.2): modality values to output levels 0 ... maxOutput.
///
/// Every function is evaluated in `Double` and truncated to an integer output level (floor: the
/// values are never negative), the way DCMTK's `dcmimgle` computes its output.
/// `output(_:maxOutput:inverted:)` applies the Presentation LUT shape too: `inverted` is INVERSE
/// (or MONOCHROME1).
public enum VOITransform: Sendable, Equatable {
    /// Window Center and Width with a VOI LUT Function.
    case window(center: Double, width: Double, function: VOILUTFunction)
    /// A VOI LUT Sequence table; entries of `bits` bits scale to the output range.
    case lut(LookupTable)
    /// No VOI: the whole range modality values can take maps linearly onto the output (DCMTK's
    /// default "no VOI windowing"); `minimum` and `maximum` are that range.
    case fullRange(minimum: Double, maximum: Double)

    /// Whether the window is usable: LINEAR needs width ≥ 1, the others width > 0 (C.11.2.1.2).
    public var isValid: Bool {
        switch self {
        case .window(let c, let w, let f):
            return c.isFinite && w.isFinite && (f == .linear ? w >= 1 : w > 0)
        case .lut(let t): return !t.entries.isEmpty
        case .fullRange(let lo, let hi): return lo.isFinite && hi.isFinite && hi >= lo
        }
    }

    /// The output level for modality value `x`.
    @inline(__always)
    public func output(_ x: Double, maxOutput: Int, inverted: Bool) -> Int {
        let top = Double(maxOutput)
        // DCMTK's convention: the output range runs from `low` to `high`, swapped when inverted.
        let low = inverted ? top : 0, high = inverted ? 0 : top
        switch self {
        case .window(let c, let w, .linear):
            // C.11.2.1.2.1, in DCMTK's arithmetic (dimoopxt.h, "VOI LINEAR #8") for identical bytes.
            let w1 = w - 1
            if x <= c - 0.5 - w1 / 2 { return Int(low) }
            if x > c - 0.5 + w1 / 2 { return Int(high) }
            let range = high - low
            let offset = w1 == 0 ? 0 : high - ((c - 0.5) / w1 + 0.5) * range
            let gradient = w1 == 0 ? 0 : range / w1
            return Self.level(offset + x * gradient, maxOutput)
        case .window(let c, let w, .linearExact):
            // C.11.2.1.3.2: no half-unit shift; the window is exactly [c − w/2, c + w/2].
            if x <= c - w / 2 { return Int(low) }
            if x > c + w / 2 { return Int(high) }
            return Self.level(low + ((x - c) / w + 0.5) * (high - low), maxOutput)
        case .window(let c, let w, .sigmoid):
            // C.11.2.1.3.1; DCMTK writes it as range / (1 + exp(−4(x − c)/w)).
            return Self.level(low + (high - low) / (1 + exp(-4 * (x - c) / w)), maxOutput)
        case .lut(let table):
            // DCMTK: entry × (levels / 2^bits), i.e. entry >> (bits − 8) for 8-bit output.
            // Inverted, the standard's INVERSE of that level (DCMTK scales by one level less there).
            let v = Self.level(Double(table.value(x)) * ((top + 1) / Double(table.outputLevels)), maxOutput)
            return inverted ? maxOutput - v : v
        case .fullRange(let lo, let hi):
            // DCMTK "VOI NONE #8": (x − min) × levels / (max − min + 1). Inverted, the standard's
            // INVERSE of that level (DCMTK scales by one level less there).
            let v = Self.level((min(max(x, lo), hi) - lo) * ((top + 1) / (hi - lo + 1)), maxOutput)
            return inverted ? maxOutput - v : v
        }
    }

    /// Truncates toward zero into 0 ... maxOutput.
    @inline(__always)
    static func level(_ v: Double, _ maxOutput: Int) -> Int {
        guard v > 0 else { return 0 }
        guard v < Double(maxOutput) else { return maxOutput }
        return Int(v)
    }
}
