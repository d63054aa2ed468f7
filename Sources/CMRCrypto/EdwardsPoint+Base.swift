extension EdwardsPoint {
    /// baseTable[i][j] = (j + 1) · 256ⁱ · B for i in 0..<32, j in 0..<8: the fixed-base table of
    /// ref10, computed once on first use (about a millisecond).
    static let baseTable: [[AffineNielsPoint]] = {
        var points: [EdwardsPoint] = []
        points.reserveCapacity(32 * 8)
        var power = EdwardsPoint.base  // 256ⁱ · B
        for _ in 0..<32 {
            var multiple = power
            let cached = power.projectiveNiels
            for _ in 0..<8 {
                points.append(multiple)
                multiple = multiple + cached
            }
            for _ in 0..<8 { power = power.doubled() }
        }
        let affine = AffineNielsPoint.batch(points)
        return (0..<32).map { Array(affine[($0 * 8)..<($0 * 8 + 8)]) }
    }()

    /// [scalar]B for a scalar given as 32 little-endian bytes below 2²⁵⁵, in constant time.
    ///
    /// The scalar is written in 64 signed radix-16 digits eᵢ ∈ [−8, 8]; then
    /// [s]B = Σ eᵢ · 16ⁱ · B = 16 · Σ_{i odd} eᵢ · 16ⁱ⁻¹ · B + Σ_{i even} eᵢ · 16ⁱ · B,
    /// and each eᵢ · 16ⁱ · B (i even) is eᵢ · 256^(i/2) · B, a signed entry of `baseTable` chosen
    /// by reading all eight entries of its row.
    static func multiplyBase(_ scalar: [UInt8]) -> EdwardsPoint {
        precondition(scalar.count == 32 && scalar[31] < 0x80)
        var digits = [Int8](repeating: 0, count: 64)
        for index in 0..<32 {
            digits[2 * index] = Int8(scalar[index] & 0x0F)
            digits[2 * index + 1] = Int8(scalar[index] >> 4)
        }
        // Recentre from [0, 15] to [−8, 7], carrying into the next digit; the last one stays ≤ 8.
        var carry: Int8 = 0
        for index in 0..<63 {
            digits[index] &+= carry
            carry = (digits[index] &+ 8) >> 4
            digits[index] &-= carry << 4
        }
        digits[63] &+= carry

        let table = baseTable
        var result = EdwardsPoint.identity
        for index in stride(from: 1, to: 64, by: 2) {
            result = result + select(table[index / 2], digit: digits[index])
        }
        result = result.doubled().doubled().doubled().doubled()
        for index in stride(from: 0, to: 64, by: 2) {
            result = result + select(table[index / 2], digit: digits[index])
        }
        return result
    }

    /// digit · row[0] from the row's multiples 1…8, for digit ∈ [−8, 8], reading every entry so
    /// that neither branches nor memory addresses depend on the digit.
    @inline(__always)
    private static func select(_ row: [AffineNielsPoint], digit: Int8) -> AffineNielsPoint {
        let value = Int64(digit)
        let negative = ConstantTime.negativeMask(value)
        let signExtension = Int64(bitPattern: negative)
        let magnitude = UInt64(bitPattern: (value ^ signExtension) &- signExtension)
        var chosen = AffineNielsPoint.identity
        for j in 0..<8 {
            chosen.conditionalAssign(row[j], mask: ConstantTime.equalMask(magnitude, UInt64(j + 1)))
        }
        chosen.conditionalAssign(chosen.negated, mask: negative)
        return chosen
    }
}
