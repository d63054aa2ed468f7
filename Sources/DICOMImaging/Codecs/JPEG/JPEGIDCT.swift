/// The accurate integer inverse DCT of the IJG library ("islow", jidctint.c: the Loeffler–
/// Ligtenberg–Moschytz algorithm with 13-bit fixed-point constants), so decoded samples equal
/// those of DCMTK's dcmdjpeg, which is built on IJG 6b.
///
/// Arithmetic wraps instead of trapping: corrupt coefficients give garbage pixels, never a crash.
/// Like IJG's range-limit table, the output is masked to four times the sample range, then
/// clamped, so even out-of-range results match.
enum JPEGIDCT {
    static let constBits = 13
    static let fix_0_298631336 = 2446, fix_0_390180644 = 3196, fix_0_541196100 = 4433
    static let fix_0_765366865 = 6270, fix_0_899976223 = 7373, fix_1_175875602 = 9633
    static let fix_1_501321110 = 12299, fix_1_847759065 = 15137, fix_1_961570560 = 16069
    static let fix_2_053119869 = 16819, fix_2_562915447 = 20995, fix_3_072711026 = 25172

    /// The 1-D transform of one column or row (inputs in natural order), before descaling:
    /// outputs 0…7 in order.
    @inline(__always)
    static func butterfly(_ i0: Int, _ i1: Int, _ i2: Int, _ i3: Int, _ i4: Int, _ i5: Int, _ i6: Int, _ i7: Int)
        -> (Int, Int, Int, Int, Int, Int, Int, Int) {
        // Even part.
        var z1 = (i2 &+ i6) &* fix_0_541196100
        var tmp2 = z1 &+ i6 &* -fix_1_847759065
        var tmp3 = z1 &+ i2 &* fix_0_765366865
        var tmp0 = (i0 &+ i4) &<< constBits
        var tmp1 = (i0 &- i4) &<< constBits
        let tmp10 = tmp0 &+ tmp3, tmp13 = tmp0 &- tmp3, tmp11 = tmp1 &+ tmp2, tmp12 = tmp1 &- tmp2
        // Odd part.
        tmp0 = i7; tmp1 = i5; tmp2 = i3; tmp3 = i1
        z1 = tmp0 &+ tmp3
        var z2 = tmp1 &+ tmp2, z3 = tmp0 &+ tmp2, z4 = tmp1 &+ tmp3
        let z5 = (z3 &+ z4) &* fix_1_175875602
        tmp0 = tmp0 &* fix_0_298631336; tmp1 = tmp1 &* fix_2_053119869
        tmp2 = tmp2 &* fix_3_072711026; tmp3 = tmp3 &* fix_1_501321110
        z1 = z1 &* -fix_0_899976223; z2 = z2 &* -fix_2_562915447
        z3 = z3 &* -fix_1_961570560 &+ z5; z4 = z4 &* -fix_0_390180644 &+ z5
        tmp0 = tmp0 &+ z1 &+ z3; tmp1 = tmp1 &+ z2 &+ z4
        tmp2 = tmp2 &+ z2 &+ z3; tmp3 = tmp3 &+ z1 &+ z4
        return (tmp10 &+ tmp3, tmp11 &+ tmp2, tmp12 &+ tmp1, tmp13 &+ tmp0,
                tmp13 &- tmp0, tmp12 &- tmp1, tmp11 &- tmp2, tmp10 &- tmp3)
    }

    /// Transforms one block of dequantized coefficients (natural order) into 8×8 samples of
    /// `precision` bits written at `out[offset + y * stride + x]`.
    @inline(__always)
    static func transform(_ coef: UnsafeMutablePointer<Int>, workspace ws: UnsafeMutablePointer<Int>, precision: Int,
                          out: UnsafeMutablePointer<UInt16>, offset: Int, stride: Int) {
        let pass1 = precision == 8 ? 2 : 1
        let maxSample = (1 << precision) - 1
        let center = 1 << (precision - 1)
        let rangeMask = maxSample * 4 + 3
        let half = (rangeMask + 1) >> 1

        // Pass 1: columns, results scaled up by 2^pass1.
        let shift1 = constBits - pass1, round1 = 1 << (shift1 - 1)
        for c in 0..<8 {
            let i = coef + c
            if i[8] == 0 && i[16] == 0 && i[24] == 0 && i[32] == 0 && i[40] == 0 && i[48] == 0 && i[56] == 0 {
                let dc = i[0] &<< pass1
                for r in 0..<8 { ws[r * 8 + c] = dc }
                continue
            }
            let o = butterfly(i[0], i[8], i[16], i[24], i[32], i[40], i[48], i[56])
            ws[c] = (o.0 &+ round1) >> shift1
            ws[8 + c] = (o.1 &+ round1) >> shift1
            ws[16 + c] = (o.2 &+ round1) >> shift1
            ws[24 + c] = (o.3 &+ round1) >> shift1
            ws[32 + c] = (o.4 &+ round1) >> shift1
            ws[40 + c] = (o.5 &+ round1) >> shift1
            ws[48 + c] = (o.6 &+ round1) >> shift1
            ws[56 + c] = (o.7 &+ round1) >> shift1
        }

        @inline(__always) func limit(_ x: Int) -> UInt16 {
            var v = x & rangeMask
            if v >= half { v -= rangeMask + 1 }
            v += center
            return UInt16(v < 0 ? 0 : (v > maxSample ? maxSample : v))
        }

        // Pass 2: rows, descaled by 2^(constBits + pass1 + 3).
        let shift2 = constBits + pass1 + 3, round2 = 1 << (shift2 - 1)
        for r in 0..<8 {
            let w = ws + r * 8
            let o = out + offset + r * stride
            if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
                let s = pass1 + 3
                let v = limit((w[0] &+ (1 << (s - 1))) >> s)
                for x in 0..<8 { o[x] = v }
                continue
            }
            let t = butterfly(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
            o[0] = limit((t.0 &+ round2) >> shift2)
            o[1] = limit((t.1 &+ round2) >> shift2)
            o[2] = limit((t.2 &+ round2) >> shift2)
            o[3] = limit((t.3 &+ round2) >> shift2)
            o[4] = limit((t.4 &+ round2) >> shift2)
            o[5] = limit((t.5 &+ round2) >> shift2)
            o[6] = limit((t.6 &+ round2) >> shift2)
            o[7] = limit((t.7 &+ round2) >> shift2)
        }
    }
}
