/// SHA-512 (FIPS 180-4 §6.4).
///
/// A value type: copying it forks the hash state, and `finalize()` leaves it untouched.
public struct SHA512: HashFunction {
    public static let blockSize = 128
    public static let digestSize = 64

    typealias State = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    typealias Block = (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    )
    private static let zeroBlock: Block = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// H⁽⁰⁾ (FIPS 180-4 §5.3.5).
    private var state: State = (
        0x6a09_e667_f3bc_c908, 0xbb67_ae85_84ca_a73b, 0x3c6e_f372_fe94_f82b, 0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1, 0x9b05_688c_2b3e_6c1f, 0x1f83_d9ab_fb41_bd6b, 0x5be0_cd19_137e_2179
    )
    /// Bytes of an incomplete block, waiting for more input.
    private var pending: Block = SHA512.zeroBlock
    private var pendingCount = 0
    /// The message length in bytes; messages of 2⁶¹ bytes or more are not supported.
    private var totalCount: UInt64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var input = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        totalCount &+= UInt64(remaining)
        if pendingCount > 0 {
            let taken = min(Self.blockSize - pendingCount, remaining)
            withUnsafeMutableBytes(of: &pending) { block in
                (block.baseAddress! + pendingCount).copyMemory(from: input, byteCount: taken)
            }
            pendingCount += taken
            input += taken
            remaining -= taken
            guard pendingCount == Self.blockSize else { return }
            var block = pending
            withUnsafeBytes(of: &block) { Self.compress(&state, $0.baseAddress!, blockCount: 1) }
            pendingCount = 0
        }
        let blockCount = remaining / Self.blockSize
        if blockCount > 0 {
            Self.compress(&state, input, blockCount: blockCount)
            input += blockCount * Self.blockSize
            remaining -= blockCount * Self.blockSize
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &pending) { block in
                block.baseAddress!.copyMemory(from: input, byteCount: remaining)
            }
            pendingCount = remaining
        }
    }

    public func finalize() -> [UInt8] {
        var state = self.state
        // The padding of §5.1.2: 0x80, zeros, then the message length in bits as a 128-bit
        // big-endian number.
        var tail = (pending, Self.zeroBlock)
        let tailLength = pendingCount < Self.blockSize - 16 ? Self.blockSize : 2 * Self.blockSize
        withUnsafeMutableBytes(of: &tail) { tail in
            tail[pendingCount] = 0x80
            for index in (pendingCount + 1)..<(tailLength - 16) { tail[index] = 0 }
            tail.storeBytes(of: (totalCount &>> 61).bigEndian, toByteOffset: tailLength - 16, as: UInt64.self)
            tail.storeBytes(of: (totalCount &<< 3).bigEndian, toByteOffset: tailLength - 8, as: UInt64.self)
            Self.compress(&state, UnsafeRawPointer(tail.baseAddress!), blockCount: tailLength / Self.blockSize)
        }
        var digest = [UInt8](repeating: 0, count: Self.digestSize)
        digest.withUnsafeMutableBytes { out in
            withUnsafeBytes(of: state) { words in
                for index in 0..<8 {
                    let word = words.load(fromByteOffset: index * 8, as: UInt64.self)
                    out.storeBytes(of: word.bigEndian, toByteOffset: index * 8, as: UInt64.self)
                }
            }
        }
        return digest
    }
}

extension SHA512 {
    /// K (FIPS 180-4 §4.2.3).
    private static let roundConstants: [UInt64] = [
        0x428a_2f98_d728_ae22, 0x7137_4491_23ef_65cd, 0xb5c0_fbcf_ec4d_3b2f, 0xe9b5_dba5_8189_dbbc,
        0x3956_c25b_f348_b538, 0x59f1_11f1_b605_d019, 0x923f_82a4_af19_4f9b, 0xab1c_5ed5_da6d_8118,
        0xd807_aa98_a303_0242, 0x1283_5b01_4570_6fbe, 0x2431_85be_4ee4_b28c, 0x550c_7dc3_d5ff_b4e2,
        0x72be_5d74_f27b_896f, 0x80de_b1fe_3b16_96b1, 0x9bdc_06a7_25c7_1235, 0xc19b_f174_cf69_2694,
        0xe49b_69c1_9ef1_4ad2, 0xefbe_4786_384f_25e3, 0x0fc1_9dc6_8b8c_d5b5, 0x240c_a1cc_77ac_9c65,
        0x2de9_2c6f_592b_0275, 0x4a74_84aa_6ea6_e483, 0x5cb0_a9dc_bd41_fbd4, 0x76f9_88da_8311_53b5,
        0x983e_5152_ee66_dfab, 0xa831_c66d_2db4_3210, 0xb003_27c8_98fb_213f, 0xbf59_7fc7_beef_0ee4,
        0xc6e0_0bf3_3da8_8fc2, 0xd5a7_9147_930a_a725, 0x06ca_6351_e003_826f, 0x1429_2967_0a0e_6e70,
        0x27b7_0a85_46d2_2ffc, 0x2e1b_2138_5c26_c926, 0x4d2c_6dfc_5ac4_2aed, 0x5338_0d13_9d95_b3df,
        0x650a_7354_8baf_63de, 0x766a_0abb_3c77_b2a8, 0x81c2_c92e_47ed_aee6, 0x9272_2c85_1482_353b,
        0xa2bf_e8a1_4cf1_0364, 0xa81a_664b_bc42_3001, 0xc24b_8b70_d0f8_9791, 0xc76c_51a3_0654_be30,
        0xd192_e819_d6ef_5218, 0xd699_0624_5565_a910, 0xf40e_3585_5771_202a, 0x106a_a070_32bb_d1b8,
        0x19a4_c116_b8d2_d0c8, 0x1e37_6c08_5141_ab53, 0x2748_774c_df8e_eb99, 0x34b0_bcb5_e19b_48a8,
        0x391c_0cb3_c5c9_5a63, 0x4ed8_aa4a_e341_8acb, 0x5b9c_ca4f_7763_e373, 0x682e_6ff3_d6b2_b8a3,
        0x748f_82ee_5def_b2fc, 0x78a5_636f_4317_2f60, 0x84c8_7814_a1f0_ab72, 0x8cc7_0208_1a64_39ec,
        0x90be_fffa_2363_1e28, 0xa450_6ceb_de82_bde9, 0xbef9_a3f7_b2c6_7915, 0xc671_78f2_e372_532b,
        0xca27_3ece_ea26_619c, 0xd186_b8c7_21c0_c207, 0xeada_7dd6_cde0_eb1e, 0xf57d_4f7f_ee6e_d178,
        0x06f0_67aa_7217_6fba, 0x0a63_7dc5_a2c8_98a6, 0x113f_9804_bef9_0dae, 0x1b71_0b35_131c_471b,
        0x28db_77f5_2304_7d84, 0x32ca_ab7b_40c7_2493, 0x3c9e_be0a_15c9_bebc, 0x431d_67c4_9c10_0d4c,
        0x4cc5_d4be_cb3e_42b6, 0x597f_299c_fc65_7e2a, 0x5fcb_6fab_3ad6_faec, 0x6c44_198c_4a47_5817,
    ]

    @inline(__always)
    private static func rotr(_ x: UInt64, _ n: UInt64) -> UInt64 {
        (x &>> n) | (x &<< (64 - n))
    }

    /// One round of §6.4.2 step 3; see `SHA256.round` (the same shape with 64-bit words).
    @inline(__always)
    private static func round(
        _ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: inout UInt64,
        _ e: UInt64, _ f: UInt64, _ g: UInt64, _ h: inout UInt64,
        _ bc: inout UInt64, _ kw: UInt64
    ) {
        // Σ₁(e) = e⋙14 ⊕ e⋙18 ⊕ e⋙41 and Σ₀(a) = a⋙28 ⊕ a⋙34 ⊕ a⋙39, nested to save moves.
        let sigma1 = rotr(e ^ rotr(e ^ rotr(e, 23), 4), 14)
        let choose = ((f ^ g) & e) ^ g
        let t1 = h &+ sigma1 &+ choose &+ kw
        let sigma0 = rotr(a ^ rotr(a ^ rotr(a, 5), 6), 28)
        let ab = a ^ b
        let majority = (ab & bc) ^ b
        bc = ab
        d &+= t1
        h = t1 &+ sigma0 &+ majority
    }

    /// Runs the compression function over `blockCount` consecutive 128-byte blocks at `blocks`.
    private static func compress(_ state: inout State, _ blocks: UnsafeRawPointer, blockCount: Int) {
        roundConstants.withUnsafeBufferPointer { constants in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 80) { schedule in
                let k = constants.baseAddress!
                // The message schedule Wₜ, then Kₜ + Wₜ, so that rounds read one array.
                let w = schedule.baseAddress!
                var block = blocks
                var (h0, h1, h2, h3, h4, h5, h6, h7) = state
                for _ in 0..<blockCount {
                    for t in 0..<16 {
                        w[t] = UInt64(bigEndian: block.loadUnaligned(fromByteOffset: t * 8, as: UInt64.self))
                    }
                    for t in 16..<80 {
                        let w15 = w[t - 15]
                        let w2 = w[t - 2]
                        let s0 = rotr(w15 ^ rotr(w15, 7), 1) ^ (w15 &>> 7)
                        let s1 = rotr(w2 ^ rotr(w2, 42), 19) ^ (w2 &>> 6)
                        w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                    }
                    for t in 0..<80 {
                        w[t] &+= k[t]
                    }
                    var (a, b, c, d, e, f, g, h) = (h0, h1, h2, h3, h4, h5, h6, h7)
                    var bc = b ^ c
                    var t = 0
                    while t < 80 {
                        round(a, b, c, &d, e, f, g, &h, &bc, w[t])
                        round(h, a, b, &c, d, e, f, &g, &bc, w[t + 1])
                        round(g, h, a, &b, c, d, e, &f, &bc, w[t + 2])
                        round(f, g, h, &a, b, c, d, &e, &bc, w[t + 3])
                        round(e, f, g, &h, a, b, c, &d, &bc, w[t + 4])
                        round(d, e, f, &g, h, a, b, &c, &bc, w[t + 5])
                        round(c, d, e, &f, g, h, a, &b, &bc, w[t + 6])
                        round(b, c, d, &e, f, g, h, &a, &bc, w[t + 7])
                        t += 8
                    }
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                    h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                    block += 128
                }
                state = (h0, h1, h2, h3, h4, h5, h6, h7)
            }
        }
    }
}
