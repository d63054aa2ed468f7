/// An element of the field GF(p), p = 2²⁵⁵ − 19, in radix 2⁵¹: five unsigned limbs with value
/// Σ limbᵢ · 2⁵¹ⁱ, not necessarily reduced.
///
/// Bounds: `*`, `squared()`, `-` and `reduced()` give limbs below 2⁵²; `+` does not carry, so the
/// sum of two such elements has limbs below 2⁵³. `*`, `squared()` and `-` accept limbs below 2⁵⁴.
/// Every operation runs in time independent of the values.
struct FieldElement {
    var l0: UInt64
    var l1: UInt64
    var l2: UInt64
    var l3: UInt64
    var l4: UInt64

    static let mask51: UInt64 = (1 << 51) - 1

    @inline(__always)
    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        (self.l0, self.l1, self.l2, self.l3, self.l4) = (l0, l1, l2, l3, l4)
    }

    static let zero = FieldElement(0, 0, 0, 0, 0)
    static let one = FieldElement(1, 0, 0, 0, 0)
    /// d = −121665/121666, the curve constant of edwards25519.
    static let d = FieldElement(
        0x34_dca1_3597_8a3, 0x1a_8283_b156_ebd, 0x5e_7a26_001c_029, 0x73_9c66_3a03_cbb, 0x52_036c_ee2b_6ff)
    /// 2d.
    static let d2 = FieldElement(
        0x69_b942_6b2f_159, 0x35_0507_62ad_d7a, 0x3c_f44c_0038_052, 0x67_38cc_7407_977, 0x24_06d9_dc56_dff)
    /// √−1 = 2^((p−1)/4).
    static let sqrtMinusOne = FieldElement(
        0x61_b274_a0ea_0b0, 0x0d_5a5f_c8f1_89d, 0x7e_f5e9_cbd0_c60, 0x78_595a_6804_c9e, 0x2b_8324_804f_c1d)

    /// The field element of 32 little-endian bytes, ignoring the top bit (bit 255). Values from
    /// p to 2²⁵⁵ − 1 are accepted and reduced; see `isCanonical(_:)`.
    init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 32)
        let w0 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        let w1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let w2 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        let w3 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        let mask = Self.mask51
        self.init(
            w0 & mask,
            (w0 &>> 51 | w1 &<< 13) & mask,
            (w1 &>> 38 | w2 &<< 26) & mask,
            (w2 &>> 25 | w3 &<< 39) & mask,
            (w3 &>> 12) & mask)
    }

    init(bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { FieldElement(bytes: $0) }
    }

    /// The canonical encoding: the value reduced below p, as 32 little-endian bytes (top bit 0).
    var encoded: [UInt8] {
        var r = reduced()
        // r < 2p now. q = 1 exactly when r ≥ p, found by propagating the carry of r + 19.
        var q = (r.l0 &+ 19) &>> 51
        q = (r.l1 &+ q) &>> 51
        q = (r.l2 &+ q) &>> 51
        q = (r.l3 &+ q) &>> 51
        q = (r.l4 &+ q) &>> 51
        // r − q·p = r + 19q − q·2²⁵⁵: add 19q, carry, and drop bit 255.
        r.l0 &+= 19 &* q
        r.l1 &+= r.l0 &>> 51; r.l0 &= Self.mask51
        r.l2 &+= r.l1 &>> 51; r.l1 &= Self.mask51
        r.l3 &+= r.l2 &>> 51; r.l2 &= Self.mask51
        r.l4 &+= r.l3 &>> 51; r.l3 &= Self.mask51
        r.l4 &= Self.mask51
        let words = [
            r.l0 | r.l1 &<< 51,
            r.l1 &>> 13 | r.l2 &<< 38,
            r.l2 &>> 26 | r.l3 &<< 25,
            r.l3 &>> 39 | r.l4 &<< 12,
        ]
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeMutableBytes { out in
            for (index, word) in words.enumerated() {
                out.storeBytes(of: word.littleEndian, toByteOffset: index * 8, as: UInt64.self)
            }
        }
        return bytes
    }

    /// Whether the 32 bytes, with the top bit ignored, encode a number below p: the canonical
    /// encodings of the field's elements.
    static func isCanonical(_ bytes: [UInt8]) -> Bool {
        var masked = bytes
        masked[31] &= 0x7F
        return FieldElement(bytes: masked).encoded == masked
    }

    /// Whether the reduced value is odd: the "sign" of x in point encodings (RFC 8032 §5.1.2).
    var isNegative: Bool {
        encoded[0] & 1 == 1
    }

    var isZero: Bool {
        encoded.allSatisfy { $0 == 0 }
    }

    /// The same value with limbs carried below 2⁵² (inputs below 2⁶⁴).
    @inline(__always)
    func reduced() -> FieldElement {
        let mask = Self.mask51
        let c0 = l0 &>> 51, c1 = l1 &>> 51, c2 = l2 &>> 51, c3 = l3 &>> 51, c4 = l4 &>> 51
        return FieldElement(
            (l0 & mask) &+ c4 &* 19,
            (l1 & mask) &+ c0,
            (l2 & mask) &+ c1,
            (l3 & mask) &+ c2,
            (l4 & mask) &+ c3)
    }

    @inline(__always)
    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        FieldElement(a.l0 &+ b.l0, a.l1 &+ b.l1, a.l2 &+ b.l2, a.l3 &+ b.l3, a.l4 &+ b.l4)
    }

    /// a − b, computed as (a + 16p) − b so that no limb goes negative.
    @inline(__always)
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        FieldElement(
            (a.l0 &+ 0x7F_FFFF_FFFF_FED0) &- b.l0,
            (a.l1 &+ 0x7F_FFFF_FFFF_FFF0) &- b.l1,
            (a.l2 &+ 0x7F_FFFF_FFFF_FFF0) &- b.l2,
            (a.l3 &+ 0x7F_FFFF_FFFF_FFF0) &- b.l3,
            (a.l4 &+ 0x7F_FFFF_FFFF_FFF0) &- b.l4
        ).reduced()
    }

    @inline(__always)
    static prefix func - (a: FieldElement) -> FieldElement {
        zero - a
    }

    @inline(__always)
    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        let b1 = b.l1 &* 19, b2 = b.l2 &* 19, b3 = b.l3 &* 19, b4 = b.l4 &* 19
        let c0 = m(a.l0, b.l0) + m(a.l4, b1) + m(a.l3, b2) + m(a.l2, b3) + m(a.l1, b4)
        let c1 = m(a.l1, b.l0) + m(a.l0, b.l1) + m(a.l4, b2) + m(a.l3, b3) + m(a.l2, b4)
        let c2 = m(a.l2, b.l0) + m(a.l1, b.l1) + m(a.l0, b.l2) + m(a.l4, b3) + m(a.l3, b4)
        let c3 = m(a.l3, b.l0) + m(a.l2, b.l1) + m(a.l1, b.l2) + m(a.l0, b.l3) + m(a.l4, b4)
        let c4 = m(a.l4, b.l0) + m(a.l3, b.l1) + m(a.l2, b.l2) + m(a.l1, b.l3) + m(a.l0, b.l4)
        return carried(c0, c1, c2, c3, c4)
    }

    /// self².
    @inline(__always)
    func squared() -> FieldElement {
        let a3x19 = l3 &* 19, a4x19 = l4 &* 19
        let d0 = l0 &* 2, d1 = l1 &* 2, d2 = l2 &* 2
        let m = Self.m
        let c0 = m(l0, l0) + m(d1, a4x19) + m(d2, a3x19)
        let c1 = m(l3, a3x19) + m(d0, l1) + m(d2, a4x19)
        let c2 = m(l1, l1) + m(d0, l2) + m(l3 &* 2, a4x19)
        let c3 = m(l4, a4x19) + m(d0, l3) + m(d1, l2)
        let c4 = m(l2, l2) + m(d0, l4) + m(d1, l3)
        return Self.carried(c0, c1, c2, c3, c4)
    }

    /// self^(2^count): `count` squarings.
    func squared(times count: Int) -> FieldElement {
        var result = self
        for _ in 0..<count {
            result = result.squared()
        }
        return result
    }

    @inline(__always)
    private static func m(_ a: UInt64, _ b: UInt64) -> DoubleWord {
        DoubleWord(a, times: b)
    }

    /// Carries five 128-bit column sums (each below 2¹¹⁵) into limbs below 2⁵².
    @inline(__always)
    private static func carried(
        _ c0: DoubleWord, _ c1: DoubleWord, _ c2: DoubleWord, _ c3: DoubleWord, _ c4: DoubleWord
    ) -> FieldElement {
        let mask = mask51
        let c1 = c1 + c0.lowBits(shiftedRightBy: 51)
        let c2 = c2 + c1.lowBits(shiftedRightBy: 51)
        let c3 = c3 + c2.lowBits(shiftedRightBy: 51)
        let c4 = c4 + c3.lowBits(shiftedRightBy: 51)
        let carry = c4.lowBits(shiftedRightBy: 51)
        var r0 = (c0.low & mask) &+ carry &* 19
        let r1 = (c1.low & mask) &+ (r0 &>> 51)
        r0 &= mask
        return FieldElement(r0, r1, c2.low & mask, c3.low & mask, c4.low & mask)
    }

    /// (self^(2²⁵⁰ − 1), self¹¹): the common start of inversion and of the square-root power.
    private func pow22501() -> (FieldElement, FieldElement) {
        let t0 = squared()                      // 2
        let t1 = t0.squared(times: 2)           // 8
        let t2 = self * t1                      // 9
        let t3 = t0 * t2                        // 11
        let t4 = t3.squared()                   // 22
        let t5 = t2 * t4                        // 31 = 2⁵ − 1
        let t7 = t5.squared(times: 5) * t5      // 2¹⁰ − 1
        let t9 = t7.squared(times: 10) * t7     // 2²⁰ − 1
        let t11 = t9.squared(times: 20) * t9    // 2⁴⁰ − 1
        let t13 = t11.squared(times: 10) * t7   // 2⁵⁰ − 1
        let t15 = t13.squared(times: 50) * t13  // 2¹⁰⁰ − 1
        let t17 = t15.squared(times: 100) * t15 // 2²⁰⁰ − 1
        let t19 = t17.squared(times: 50) * t13  // 2²⁵⁰ − 1
        return (t19, t3)
    }

    /// self⁻¹ = self^(p − 2); zero for zero.
    func inverted() -> FieldElement {
        let (t19, t3) = pow22501()
        return t19.squared(times: 5) * t3        // 2²⁵⁵ − 32 + 11 = p − 2
    }

    /// self^((p − 5)/8) = self^(2²⁵² − 3), the power in the square-root formula of RFC 8032 §5.1.3.
    func powPMinus5Over8() -> FieldElement {
        let (t19, _) = pow22501()
        return t19.squared(times: 2) * self      // 2²⁵² − 4 + 1
    }

    /// Replaces self with `other` where `mask` is all ones; leaves it where `mask` is zero.
    @inline(__always)
    mutating func conditionalAssign(_ other: FieldElement, mask: UInt64) {
        l0 ^= (l0 ^ other.l0) & mask
        l1 ^= (l1 ^ other.l1) & mask
        l2 ^= (l2 ^ other.l2) & mask
        l3 ^= (l3 ^ other.l3) & mask
        l4 ^= (l4 ^ other.l4) & mask
    }
}

extension FieldElement: Equatable {
    /// Equality of values (not of limbs). Variable time: use it on public values only.
    static func == (a: FieldElement, b: FieldElement) -> Bool {
        a.encoded == b.encoded
    }
}
