import Foundation

/// The self-check behind `--verify`: finds which leak patterns occur in the bytes of an output.
public enum LeakCheck {
    /// The patterns found in `bytes`, each once.
    public static func scan(_ bytes: UnsafeRawBufferPointer, for patterns: [LeakPattern]) -> [LeakPattern] {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return [] }
        var found: [LeakPattern] = []
        for pattern in patterns where !pattern.bytes.isEmpty && pattern.bytes.count <= bytes.count {
            let haystack = UnsafeRawBufferPointer(start: base, count: bytes.count)
            let hit = pattern.bytes.withUnsafeBytes { needle in pattern.word ? findWord(needle, in: haystack) : find(needle, in: haystack) }
            if hit { found.append(pattern) }
        }
        return found
    }

    /// Whether `needle` occurs in `haystack`: memchr for the first byte, memcmp for the rest.
    static func find(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Bool {
        guard let n = needle.baseAddress, let h = haystack.baseAddress, needle.count <= haystack.count else { return false }
        let first = Int32(needle[0])
        var offset = 0
        let last = haystack.count - needle.count
        while offset <= last {
            guard let p = memchr(h + offset, first, last - offset + 1) else { return false }
            let at = h.distance(to: UnsafeRawPointer(p))
            if memcmp(h + at, n, needle.count) == 0 { return true }
            offset = at + 1
        }
        return false
    }

    /// Whether `needle` occurs in `haystack` ignoring ASCII case, bounded on both sides by the
    /// ends or by bytes that are not ASCII letters or digits (bytes ≥ 0x80 count as letters).
    static func findWord(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Bool {
        guard let h = haystack.baseAddress, !needle.isEmpty, needle.count <= haystack.count else { return false }
        let n = needle.count, last = haystack.count - n
        func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
        func isBoundary(_ i: Int) -> Bool {
            guard i >= 0, i < haystack.count else { return true }
            let c = haystack[i]
            return !((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c >= 0x80)
        }
        let first = lower(needle[0])
        let starts: Set<UInt8> = first >= 0x61 && first <= 0x7A ? [first, first & 0xDF] : [first]
        for start in starts {
            var offset = 0
            while offset <= last {
                guard let p = memchr(h + offset, Int32(start), last - offset + 1) else { break }
                let at = h.distance(to: UnsafeRawPointer(p))
                var same = true
                for j in 1..<n where lower(haystack[at + j]) != lower(needle[j]) { same = false; break }
                if same && isBoundary(at - 1) && isBoundary(at + n) { return true }
                offset = at + 1
            }
        }
        return false
    }

    public static func scan(_ bytes: [UInt8], for patterns: [LeakPattern]) -> [LeakPattern] {
        bytes.withUnsafeBytes { scan($0, for: patterns) }
    }
}
