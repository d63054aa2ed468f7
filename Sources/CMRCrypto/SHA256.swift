#if arch(x86_64)
import CMRCryptoX86
#endif

/// SHA-256 (FIPS 180-4 §6.2).
///
/// A value type: copying it forks the hash state, and `finalize()` leaves it untouched.
public struct SHA256: HashFunction {
    public static let blockSize = 64
    public static let digestSize = 32

    typealias State = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)

    /// H⁽⁰⁾ (FIPS 180-4 §5.3.3).
    private var state: State = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
        0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// Bytes of an incomplete block, waiting for more input.
    private var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var pendingCount = 0
    private var totalCount: UInt64 = 0
    /// Never the SHA extensions, even when present (tests compare the two paths).
    var forcePortable = false

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
            withUnsafeBytes(of: &block) { Self.compress(&state, $0.baseAddress!, blockCount: 1, portable: forcePortable) }
            pendingCount = 0
        }
        let blockCount = remaining / Self.blockSize
        if blockCount > 0 {
            Self.compress(&state, input, blockCount: blockCount, portable: forcePortable)
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
        // The padding of §5.1.1: 0x80, zeros, then the message length in bits, big-endian.
        var tail = (pending, (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0)))
        let tailLength = pendingCount < Self.blockSize - 8 ? Self.blockSize : 2 * Self.blockSize
        withUnsafeMutableBytes(of: &tail) { tail in
            tail[pendingCount] = 0x80
            for index in (pendingCount + 1)..<(tailLength - 8) { tail[index] = 0 }
            tail.storeBytes(of: (totalCount &<< 3).bigEndian, toByteOffset: tailLength - 8, as: UInt64.self)
            Self.compress(&state, UnsafeRawPointer(tail.baseAddress!), blockCount: tailLength / Self.blockSize, portable: forcePortable)
        }
        var digest = [UInt8](repeating: 0, count: Self.digestSize)
        digest.withUnsafeMutableBytes { out in
            withUnsafeBytes(of: state) { words in
                for index in 0..<8 {
                    let word = words.load(fromByteOffset: index * 4, as: UInt32.self)
                    out.storeBytes(of: word.bigEndian, toByteOffset: index * 4, as: UInt32.self)
                }
            }
        }
        return digest
    }
}

extension SHA256 {
    /// K (FIPS 180-4 §4.2.2).
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x &>> n) | (x &<< (32 - n))
    }

    /// One round of §6.2.2 step 3, written so that eight calls with rotated arguments make the
    /// variable renaming of the standard free. `bc` carries b ⊕ c in and a ⊕ b out: the next
    /// round's b ⊕ c, which makes Maj one operation cheaper. `kw` is Kₜ + Wₜ.
    @inline(__always)
    private static func round(
        _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
        _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32,
        _ bc: inout UInt32, _ kw: UInt32
    ) {
        // Σ₁(e) = e⋙6 ⊕ e⋙11 ⊕ e⋙25 and Σ₀(a) = a⋙2 ⊕ a⋙13 ⊕ a⋙22, nested to save moves.
        let sigma1 = rotr(e ^ rotr(e ^ rotr(e, 14), 5), 6)
        let choose = ((f ^ g) & e) ^ g
        let t1 = h &+ sigma1 &+ choose &+ kw
        let sigma0 = rotr(a ^ rotr(a ^ rotr(a, 9), 11), 2)
        let ab = a ^ b
        let majority = (ab & bc) ^ b
        bc = ab
        d &+= t1
        h = t1 &+ sigma0 &+ majority
    }

    /// Runs the compression function over `blockCount` consecutive 64-byte blocks at `blocks`:
    /// on the SHA extensions when the processor has them, else in portable Swift.
    @inline(__always)
    private static func compress(_ state: inout State, _ blocks: UnsafeRawPointer, blockCount: Int, portable: Bool) {
        #if arch(x86_64)
        if !portable && SHA256Extensions.isAvailable {
            groupedConstants.withUnsafeBufferPointer { k in
                withUnsafeMutableBytes(of: &state) {
                    SHA256Extensions.compress($0.baseAddress!, blocks, blockCount: blockCount, constants: k.baseAddress!)
                }
            }
            return
        }
        #endif
        compressPortable(&state, blocks, blockCount: blockCount)
    }

    #if arch(x86_64)
    /// K in groups of four, as the SHA extensions take them.
    private static let groupedConstants: [SIMD4<UInt32>] = stride(from: 0, to: 64, by: 4).map {
        SIMD4(roundConstants[$0], roundConstants[$0 + 1], roundConstants[$0 + 2], roundConstants[$0 + 3])
    }
    #endif

    /// Whether `compress` runs on the processor's SHA instructions (for tests and benchmarks).
    static var usesProcessorExtensions: Bool {
        #if arch(x86_64)
        SHA256Extensions.isAvailable
        #else
        false
        #endif
    }

    /// The digest of `bytes` computed in portable Swift whatever the processor (for tests).
    static func portableHash(_ bytes: [UInt8]) -> [UInt8] {
        var copy = SHA256()
        copy.forcePortable = true
        bytes.withUnsafeBytes { copy.update($0) }
        return copy.finalize()
    }

    /// FIPS 180-4 §6.2.2 in portable Swift.
    static func compressPortable(_ state: inout State, _ blocks: UnsafeRawPointer, blockCount: Int) {
        roundConstants.withUnsafeBufferPointer { constants in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { scratch in
                let k = constants.baseAddress!
                // The message schedule Wₜ, then Kₜ + Wₜ, so that rounds read one array.
                let w = scratch.baseAddress!
                var block = blocks
                var (h0, h1, h2, h3, h4, h5, h6, h7) = state
                for _ in 0..<blockCount {
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
                    }
                    for t in 16..<64 {
                        let w15 = w[t - 15]
                        let w2 = w[t - 2]
                        let s0 = rotr(w15 ^ rotr(w15, 11), 7) ^ (w15 &>> 3)
                        let s1 = rotr(w2 ^ rotr(w2, 2), 17) ^ (w2 &>> 10)
                        w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                    }
                    for t in 0..<64 {
                        w[t] &+= k[t]
                    }
                    var (a, b, c, d, e, f, g, h) = (h0, h1, h2, h3, h4, h5, h6, h7)
                    var bc = b ^ c
                    var t = 0
                    while t < 64 {
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
                    block += 64
                }
                state = (h0, h1, h2, h3, h4, h5, h6, h7)
            }
        }
    }
}
