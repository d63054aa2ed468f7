#if arch(x86_64)
import _Builtin_intrinsics.intel
import _Builtin_intrinsics.intel.cpuid

/// The SHA-256 compression function (FIPS 180-4 §6.2.2) on the x86 SHA extensions: about ten times
/// the portable Swift rounds of `CMRCrypto.SHA256`, which calls it when `isAvailable`.
///
/// This module is compiled with `-Xcc -msha -mssse3 -msse4.1` (Package.swift) so that the compiler
/// may emit those instructions; nothing here may run before `isAvailable` said yes. Intrinsics that
/// need an immediate are C macros Swift cannot import, so the word shuffles are written as SIMD
/// element moves, which LLVM turns into `pshufd`/`palignr`.
public enum SHA256Extensions {
    /// SHA (CPUID.(EAX=7,ECX=0):EBX bit 29), SSSE3 and SSE4.1 (CPUID.1:ECX bits 9 and 19).
    public static let isAvailable: Bool = {
        var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, d: UInt32 = 0
        guard __get_cpuid_count(1, 0, &a, &b, &c, &d) != 0 else { return false }
        let ssse3 = c & (1 << 9) != 0, sse41 = c & (1 << 19) != 0
        guard __get_cpuid_count(7, 0, &a, &b, &c, &d) != 0 else { return false }
        return ssse3 && sse41 && b & (1 << 29) != 0
    }()

    /// Runs the compression function over `blockCount` 64-byte blocks at `blocks`; `state` holds
    /// H₀…H₇ as eight native-endian words and `constants` K₀…K₆₃ as sixteen groups of four.
    public static func compress(_ state: UnsafeMutableRawPointer, _ blocks: UnsafeRawPointer, blockCount: Int,
                                constants k: UnsafePointer<SIMD4<UInt32>>) {
        let abcd = state.loadUnaligned(as: SIMD4<UInt32>.self)
        let efgh = state.loadUnaligned(fromByteOffset: 16, as: SIMD4<UInt32>.self)
        // The instructions hold the state as ABEF and CDGH, highest word first.
        var abef = vector(SIMD4(efgh[1], efgh[0], abcd[1], abcd[0]))
        var cdgh = vector(SIMD4(efgh[3], efgh[2], abcd[3], abcd[2]))
        // Message words are big-endian: reverse the bytes of each 32-bit word.
        let byteSwap = _mm_set_epi64x(0x0c0d_0e0f_0809_0a0b, 0x0405_0607_0001_0203)
        var block = blocks
        // W in four registers, reused in turn: group g (rounds 4g…4g+3) reads slot g mod 4.
        var m0 = abef, m1 = abef, m2 = abef, m3 = abef
        for _ in 0..<blockCount {
            let savedABEF = abef, savedCDGH = cdgh
            var g = 0
            while g < 16 {
                group(g, k, block, byteSwap, &abef, &cdgh, current: &m0, previous: &m3, next: &m1)
                group(g + 1, k, block, byteSwap, &abef, &cdgh, current: &m1, previous: &m0, next: &m2)
                group(g + 2, k, block, byteSwap, &abef, &cdgh, current: &m2, previous: &m1, next: &m3)
                group(g + 3, k, block, byteSwap, &abef, &cdgh, current: &m3, previous: &m2, next: &m0)
                g += 4
            }
            abef = _mm_add_epi32(abef, savedABEF)
            cdgh = _mm_add_epi32(cdgh, savedCDGH)
            block += 64
        }
        let x = words(abef), y = words(cdgh)
        state.storeBytes(of: SIMD4(x[3], x[2], y[3], y[2]), as: SIMD4<UInt32>.self)
        state.storeBytes(of: SIMD4(x[1], x[0], y[1], y[0]), toByteOffset: 16, as: SIMD4<UInt32>.self)
    }

    /// Rounds 4g…4g+3 (two `sha256rnds2`), with the schedule kept four words ahead:
    /// W[4g+4…] is finished here (`sha256msg2`) and W[4g-4…] gets its first half (`sha256msg1`).
    @inline(__always)
    private static func group(
        _ g: Int, _ k: UnsafePointer<SIMD4<UInt32>>, _ block: UnsafeRawPointer, _ byteSwap: __m128i,
        _ abef: inout __m128i, _ cdgh: inout __m128i,
        current: inout __m128i, previous: inout __m128i, next: inout __m128i
    ) {
        if g < 4 {
            current = _mm_shuffle_epi8(_mm_loadu_si128((block + 16 * g).assumingMemoryBound(to: __m128i.self)), byteSwap)
        }
        var kw = _mm_add_epi32(current, vector(k[g]))
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, kw)
        if g >= 3 && g <= 14 {
            // W[t-7] for the four words ahead: the last three of the previous group, the first of this one.
            let p = words(previous), c = words(current)
            next = _mm_sha256msg2_epu32(_mm_add_epi32(next, vector(SIMD4(p[1], p[2], p[3], c[0]))), current)
        }
        kw = _mm_unpackhi_epi64(kw, kw)
        abef = _mm_sha256rnds2_epu32(abef, cdgh, kw)
        if g >= 1 && g <= 12 {
            previous = _mm_sha256msg1_epu32(previous, current)
        }
    }

    @inline(__always) private static func words(_ v: __m128i) -> SIMD4<UInt32> { unsafeBitCast(v, to: SIMD4<UInt32>.self) }
    @inline(__always) private static func vector(_ w: SIMD4<UInt32>) -> __m128i { unsafeBitCast(w, to: __m128i.self) }
}
#endif
