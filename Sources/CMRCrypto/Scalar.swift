/// An integer modulo ℓ = 2²⁵² + 27742317777372353535851937790883648493, the order of the
/// edwards25519 base point, in radix 2⁵²: five limbs with value Σ limbᵢ · 2⁵²ⁱ.
///
/// Multiplication is Montgomery's with R = 2²⁶⁰. Every operation runs in time independent of the
/// values, since signing computes with the secret scalar.
struct Scalar {
    var l0: UInt64
    var l1: UInt64
    var l2: UInt64
    var l3: UInt64
    var l4: UInt64

    static let mask52: UInt64 = (1 << 52) - 1

    @inline(__always)
    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        (self.l0, self.l1, self.l2, self.l3, self.l4) = (l0, l1, l2, l3, l4)
    }

    /// ℓ.
    static let order = Scalar(0x2_631a_5cf5_d3ed, 0xd_ea2f_79cd_6581, 0x14_def9, 0, 0x1000_0000_0000)
    /// −ℓ⁻¹ mod 2⁵², for Montgomery reduction.
    static let montgomeryFactor: UInt64 = 0x5_1da3_1254_7e1b
    /// R = 2²⁶⁰ mod ℓ.
    static let montgomeryR = Scalar(
        0xf_48bd_6721_e6ed, 0x3_bab5_ac67_e45a, 0xf_ffff_eb35_e51b, 0xf_ffff_ffff_ffff, 0xfff_ffff_ffff)
    /// R² mod ℓ.
    static let montgomeryR2 = Scalar(
        0x9_d265_e952_d13b, 0xd_63c7_15be_a69f, 0x5_be65_cb68_7604, 0x3_dcee_c73d_217f, 0x941_1b7c_309a)

    /// The 32 little-endian bytes as a number below 2²⁵⁶, not reduced.
    init(bytes: [UInt8]) {
        precondition(bytes.count == 32)
        let w = bytes.withUnsafeBytes { raw in
            (0..<4).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
        }
        let mask = Self.mask52
        self.init(
            w[0] & mask,
            (w[0] &>> 52 | w[1] &<< 12) & mask,
            (w[1] &>> 40 | w[2] &<< 24) & mask,
            (w[2] &>> 28 | w[3] &<< 36) & mask,
            w[3] &>> 16)
    }

    /// The 64 little-endian bytes (a SHA-512 digest) reduced modulo ℓ.
    init(reducing bytes: [UInt8]) {
        precondition(bytes.count == 64)
        let w = bytes.withUnsafeBytes { raw in
            (0..<8).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
        }
        let mask = Self.mask52
        // The low 260 bits and the high 252 bits.
        let low = Scalar(
            w[0] & mask,
            (w[0] &>> 52 | w[1] &<< 12) & mask,
            (w[1] &>> 40 | w[2] &<< 24) & mask,
            (w[2] &>> 28 | w[3] &<< 36) & mask,
            (w[3] &>> 16 | w[4] &<< 48) & mask)
        let high = Scalar(
            (w[4] &>> 4) & mask,
            (w[4] &>> 56 | w[5] &<< 8) & mask,
            (w[5] &>> 44 | w[6] &<< 20) & mask,
            (w[6] &>> 32 | w[7] &<< 32) & mask,
            w[7] &>> 20)
        // low·R/R + high·R²/R = low + high·2²⁶⁰ (mod ℓ).
        self = Self.montgomeryMultiply(low, Self.montgomeryR) + Self.montgomeryMultiply(high, Self.montgomeryR2)
    }

    /// The value as 32 little-endian bytes (canonical when the value is reduced).
    var encoded: [UInt8] {
        let words = [
            l0 | l1 &<< 52,
            l1 &>> 12 | l2 &<< 40,
            l2 &>> 24 | l3 &<< 28,
            l3 &>> 36 | l4 &<< 16,
        ]
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeMutableBytes { out in
            for (index, word) in words.enumerated() {
                out.storeBytes(of: word.littleEndian, toByteOffset: index * 8, as: UInt64.self)
            }
        }
        return bytes
    }

    /// The little-endian bytes of ℓ.
    private static let orderBytes: [UInt8] = order.encoded

    /// Whether 32 little-endian bytes encode a number below ℓ (RFC 8032 §5.1.7 requires S < ℓ).
    /// Variable time: for public values.
    static func isCanonical(_ bytes: some Collection<UInt8>) -> Bool {
        let bytes = Array(bytes)
        guard bytes.count == 32 else { return false }
        for index in stride(from: 31, through: 0, by: -1) where bytes[index] != orderBytes[index] {
            return bytes[index] < orderBytes[index]
        }
        return false
    }

    /// (a · b + c) mod ℓ, for a, b with a · b < 2²⁶⁰ · ℓ and c < ℓ. This is S = r + k · s of
    /// signing, with s the clamped secret (below 2²⁵⁵) and k, r reduced.
    static func multiplyAdd(_ a: Scalar, _ b: Scalar, _ c: Scalar) -> Scalar {
        let product = montgomeryMultiply(montgomeryMultiply(a, b), montgomeryR2)
        return product + c
    }

    /// (a + b) mod ℓ, for a, b < ℓ.
    static func + (a: Scalar, b: Scalar) -> Scalar {
        let mask = mask52
        var carry: UInt64 = 0
        carry = a.l0 &+ b.l0; let s0 = carry & mask
        carry = a.l1 &+ b.l1 &+ (carry &>> 52); let s1 = carry & mask
        carry = a.l2 &+ b.l2 &+ (carry &>> 52); let s2 = carry & mask
        carry = a.l3 &+ b.l3 &+ (carry &>> 52); let s3 = carry & mask
        carry = a.l4 &+ b.l4 &+ (carry &>> 52); let s4 = carry & mask
        return Scalar(s0, s1, s2, s3, s4).subtractingOrder()
    }

    /// self − ℓ if that is not negative, else self; for self < 2ℓ. Constant time.
    private func subtractingOrder() -> Scalar {
        let mask = Self.mask52
        let order = Self.order
        var borrow: UInt64 = 0
        borrow = l0 &- order.l0; var d0 = borrow & mask
        borrow = l1 &- (order.l1 &+ (borrow &>> 63)); var d1 = borrow & mask
        borrow = l2 &- (order.l2 &+ (borrow &>> 63)); var d2 = borrow & mask
        borrow = l3 &- (order.l3 &+ (borrow &>> 63)); var d3 = borrow & mask
        borrow = l4 &- (order.l4 &+ (borrow &>> 63)); var d4 = borrow & mask
        // Add ℓ back where the subtraction went below zero.
        let underflow = 0 &- (borrow &>> 63)
        var carry: UInt64 = 0
        carry = d0 &+ (order.l0 & underflow); d0 = carry & mask
        carry = d1 &+ (order.l1 & underflow) &+ (carry &>> 52); d1 = carry & mask
        carry = d2 &+ (order.l2 & underflow) &+ (carry &>> 52); d2 = carry & mask
        carry = d3 &+ (order.l3 & underflow) &+ (carry &>> 52); d3 = carry & mask
        carry = d4 &+ (order.l4 & underflow) &+ (carry &>> 52); d4 = carry & mask
        return Scalar(d0, d1, d2, d3, d4)
    }

    @inline(__always)
    private static func m(_ a: UInt64, _ b: UInt64) -> DoubleWord {
        DoubleWord(a, times: b)
    }

    /// a · b / R mod ℓ, for a · b < R · ℓ; the result is below ℓ.
    static func montgomeryMultiply(_ a: Scalar, _ b: Scalar) -> Scalar {
        let z0 = m(a.l0, b.l0)
        let z1 = m(a.l0, b.l1) + m(a.l1, b.l0)
        let z2 = m(a.l0, b.l2) + m(a.l1, b.l1) + m(a.l2, b.l0)
        let z3 = m(a.l0, b.l3) + m(a.l1, b.l2) + m(a.l2, b.l1) + m(a.l3, b.l0)
        let z4 = m(a.l0, b.l4) + m(a.l1, b.l3) + m(a.l2, b.l2) + m(a.l3, b.l1) + m(a.l4, b.l0)
        let z5 = m(a.l1, b.l4) + m(a.l2, b.l3) + m(a.l3, b.l2) + m(a.l4, b.l1)
        let z6 = m(a.l2, b.l4) + m(a.l3, b.l3) + m(a.l4, b.l2)
        let z7 = m(a.l3, b.l4) + m(a.l4, b.l3)
        let z8 = m(a.l4, b.l4)
        return montgomeryReduce(z0, z1, z2, z3, z4, z5, z6, z7, z8)
    }

    /// (Σ zᵢ · 2⁵²ⁱ) / R mod ℓ for a sum below R · ℓ: add the multiple n · ℓ that clears the low
    /// 260 bits, keep the high half (below 2ℓ), and subtract ℓ once if needed.
    private static func montgomeryStep(_ sum: DoubleWord) -> (carry: DoubleWord, n: UInt64) {
        let n = (sum.low &* montgomeryFactor) & mask52
        return ((sum + m(n, order.l0)).shiftedRight(by: 52), n)
    }

    private static func montgomeryReduce(
        _ z0: DoubleWord, _ z1: DoubleWord, _ z2: DoubleWord, _ z3: DoubleWord, _ z4: DoubleWord,
        _ z5: DoubleWord, _ z6: DoubleWord, _ z7: DoubleWord, _ z8: DoubleWord
    ) -> Scalar {
        let l = order  // l.l3 is zero, so its products are left out.
        let mask = mask52
        let (c0, n0) = montgomeryStep(z0)
        let (c1, n1) = montgomeryStep(c0 + z1 + m(n0, l.l1))
        let (c2, n2) = montgomeryStep(c1 + z2 + m(n0, l.l2) + m(n1, l.l1))
        let (c3, n3) = montgomeryStep(c2 + z3 + m(n1, l.l2) + m(n2, l.l1))
        let (c4, n4) = montgomeryStep(c3 + z4 + m(n0, l.l4) + m(n2, l.l2) + m(n3, l.l1))
        let s5 = c4 + z5 + m(n1, l.l4) + m(n3, l.l2) + m(n4, l.l1)
        let s6 = s5.shiftedRight(by: 52) + z6 + m(n2, l.l4) + m(n4, l.l2)
        let s7 = s6.shiftedRight(by: 52) + z7 + m(n3, l.l4)
        let s8 = s7.shiftedRight(by: 52) + z8 + m(n4, l.l4)
        let r4 = s8.lowBits(shiftedRightBy: 52)
        return Scalar(s5.low & mask, s6.low & mask, s7.low & mask, s8.low & mask, r4).subtractingOrder()
    }
}
