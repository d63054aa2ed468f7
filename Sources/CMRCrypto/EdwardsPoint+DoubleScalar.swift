extension EdwardsPoint {
    /// The odd multiples B, 3B, 5B, …, 127B for width-8 non-adjacent forms, computed once.
    static let baseOddMultiples: [AffineNielsPoint] = {
        let twice = EdwardsPoint.base.doubled().projectiveNiels
        var multiples = [EdwardsPoint.base]
        for _ in 1..<64 {
            multiples.append(multiples[multiples.count - 1] + twice)
        }
        return AffineNielsPoint.batch(multiples)
    }()

    /// [a]P + [b]B, in variable time: for verification, where every input is public.
    ///
    /// Both scalars are 32 little-endian bytes below 2²⁵³ (reduced modulo ℓ), written in
    /// width-5 (a) and width-8 (b) non-adjacent form and evaluated with one shared chain of
    /// doublings (Straus–Shamir).
    static func multiplyAndAddBase(_ a: [UInt8], _ point: EdwardsPoint, _ b: [UInt8]) -> EdwardsPoint {
        let aDigits = nonAdjacentForm(a, width: 5)
        let bDigits = nonAdjacentForm(b, width: 8)

        // P, 3P, 5P, …, 15P.
        var pointMultiples = [point.projectiveNiels]
        let twice = point.doubled().projectiveNiels
        var multiple = point
        for _ in 1..<8 {
            multiple = multiple + twice
            pointMultiples.append(multiple.projectiveNiels)
        }
        let baseMultiples = baseOddMultiples

        var index = 255
        while index >= 0 && aDigits[index] == 0 && bDigits[index] == 0 {
            index -= 1
        }
        var result = EdwardsPoint.identity
        while index >= 0 {
            result = result.doubled()
            let aDigit = Int(aDigits[index])
            if aDigit > 0 {
                result = result + pointMultiples[aDigit / 2]
            } else if aDigit < 0 {
                result = result - pointMultiples[-aDigit / 2]
            }
            let bDigit = Int(bDigits[index])
            if bDigit > 0 {
                result = result + baseMultiples[bDigit / 2]
            } else if bDigit < 0 {
                result = result - baseMultiples[-bDigit / 2]
            }
            index -= 1
        }
        return result
    }

    /// The width-w non-adjacent form of a scalar below 2²⁵⁵: 256 digits dᵢ, each zero or odd with
    /// |dᵢ| < 2^(w−1), any w consecutive of them holding at most one non-zero digit, and
    /// Σ dᵢ · 2ⁱ = the scalar.
    static func nonAdjacentForm(_ scalar: [UInt8], width: Int) -> [Int8] {
        precondition(scalar.count == 32 && (2...8).contains(width))
        var words = [UInt64](repeating: 0, count: 5)
        scalar.withUnsafeBytes { raw in
            for index in 0..<4 {
                words[index] = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
            }
        }
        let windowSize = 1 << width
        let windowMask = UInt64(windowSize - 1)
        var digits = [Int8](repeating: 0, count: 256)
        var position = 0
        var carry = 0
        while position < 256 {
            let wordIndex = position / 64
            let bitIndex = position % 64
            let bits: UInt64
            if bitIndex < 64 - width {
                bits = words[wordIndex] &>> UInt64(bitIndex)
            } else {
                bits = words[wordIndex] &>> UInt64(bitIndex) | words[wordIndex + 1] &<< UInt64(64 - bitIndex)
            }
            let window = carry + Int(bits & windowMask)
            if window & 1 == 0 {
                // An even window: the digit here is zero; look at the next bit.
                position += 1
                continue
            }
            if window < windowSize / 2 {
                carry = 0
                digits[position] = Int8(window)
            } else {
                carry = 1
                digits[position] = Int8(window - windowSize)
            }
            position += width
        }
        return digits
    }
}
