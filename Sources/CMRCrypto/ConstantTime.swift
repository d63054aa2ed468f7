/// Comparisons whose running time does not depend on the bytes compared.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes, taking time that depends only on their lengths.
    ///
    /// Use it for MACs, tokens and anything else an attacker could otherwise guess byte by byte
    /// from timing. Lengths are not secret: collections of different lengths compare unequal at once.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) {
            difference |= x ^ y
        }
        // Fold to one bit without a data-dependent branch.
        return (UInt32(difference) &- 1) >> 31 == 1
    }
}
