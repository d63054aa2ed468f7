/// The distribution of one frame's modality values, from a histogram (never a sort of the pixels):
/// minimum, maximum and percentiles, from which the automatic windows are made.
struct ValueStatistics: Sendable {
    /// Distinct modality values (or histogram bin lower edges) ascending, with their pixel counts.
    private(set) var values: [Double] = []
    private(set) var counts: [Int] = []
    /// Width of a bin when values are binned (0: exact values).
    private(set) var binWidth: Double = 0
    /// The values themselves when binned, to find the exact value of a rank inside its bin.
    private var samples: [Double] = []
    let integral: Bool
    /// Bins between the minimum and the maximum when values are not few integers.
    static let binCount = 4096
    var total: Int { counts.reduce(0, +) }
    private(set) var minimum: Double = 0
    private(set) var maximum: Double = 0

    /// From the pixel count of every raw code and the modality value of every code (the table
    /// path: at most 65536 codes).
    init(histogram: [Int], values modalityOfCode: [Double], integral: Bool) {
        self.integral = integral
        // Several codes can share a modality value (a modality LUT); order by value.
        let used = histogram.indices.filter { histogram[$0] > 0 }.sorted { modalityOfCode[$0] < modalityOfCode[$1] }
        for code in used {
            let v = modalityOfCode[code]
            if let last = values.last, last == v { counts[counts.count - 1] += histogram[code] } else {
                values.append(v)
                counts.append(histogram[code])
            }
        }
        minimum = values.first ?? 0
        maximum = values.last ?? 0
    }

    /// From modality values of any kind: `binCount` equal bins between the minimum and the maximum, or
    /// exact integers when they span fewer values than that.
    init(values samples: [Double], integral: Bool) {
        self.integral = integral
        let finite = samples.lazy.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return }
        minimum = lo
        maximum = hi
        if integral && hi - lo < 65536 {
            var histogram = [Int](repeating: 0, count: Int(hi - lo) + 1)
            for v in finite { histogram[Int(v - lo)] += 1 }
            for (i, c) in histogram.enumerated() where c > 0 {
                values.append(lo + Double(i))
                counts.append(c)
            }
            return
        }
        let bins = Self.binCount
        let width = hi > lo ? (hi - lo) / Double(bins) : 0
        var histogram = [Int](repeating: 0, count: bins)
        for v in finite {
            let b = width > 0 ? min(Int((v - lo) / width), bins - 1) : 0
            histogram[b] += 1
        }
        for (i, c) in histogram.enumerated() where c > 0 {
            values.append(lo + Double(i) * width)
            counts.append(c)
        }
        binWidth = width
        self.samples = samples
    }

    /// The value at `percent` of the pixels: the value of rank ⌊N·p/100⌋ counting from 0 for the
    /// low end (`upper` false), of rank ⌈N·p/100⌉ − 1 for the high end. Exact: when values are
    /// binned, the rank's bin is searched again among the values themselves.
    func percentile(_ percent: Double, upper: Bool) -> Double {
        let n = total
        guard n > 0 else { return 0 }
        let exact = Double(n) * percent / 100
        let rank = min(max(upper ? Int(exact.rounded(.up)) - 1 : Int(exact.rounded(.down)), 0), n - 1)
        var seen = 0
        for (i, c) in counts.enumerated() {
            if seen + c > rank {
                if binWidth == 0 { return values[i] }
                // The bin of values[i]: the same index computation as when counting.
                let bins = Self.binCount
                let target = Int(((values[i] - minimum) / binWidth).rounded())
                let inBin = samples.filter { v in
                    v.isFinite && (binWidth > 0 ? min(Int((v - minimum) / binWidth), bins - 1) : 0) == target
                }.sorted()
                return inBin[min(rank - seen, inBin.count - 1)]
            }
            seen += c
        }
        return maximum
    }

    /// A window covering the values from the low to the high percentile: for integer values the
    /// one DCMTK's min-max window uses (centre (lo + hi + 1)/2, width hi − lo + 1, LINEAR), so the low
    /// value maps to black and the high one to white; otherwise LINEAR_EXACT over [lo, hi].
    func window(lowPercent: Double, highPercent: Double) -> VOITransform {
        let lo = lowPercent <= 0 ? minimum : percentile(lowPercent, upper: false)
        let hi = highPercent >= 100 ? maximum : percentile(highPercent, upper: true)
        if integral && binWidth == 0 {
            return .window(center: (lo + hi + 1) / 2, width: hi - lo + 1, function: .linear)
        }
        let width = hi > lo ? hi - lo : max(abs(lo), 1) * 1e-9
        return .window(center: (lo + hi) / 2, width: width, function: .linearExact)
    }
}
