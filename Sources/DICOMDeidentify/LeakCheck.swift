import Foundation

/// The self-check behind `--verify`: finds which leak patterns occur in the bytes of an output.
public enum LeakCheck {
    /// The patterns found in `bytes`, each once.
    public static func scan(_ bytes: UnsafeRawBufferPointer, for patterns: [LeakPattern]) -> [LeakPattern] {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return [] }
        var found: [LeakPattern] = []
        for pattern in patterns where !pattern.bytes.isEmpty && pattern.bytes.count <= bytes.count {
            let hit = pattern.bytes.withUnsafeBytes { needle in find(needle, in: UnsafeRawBufferPointer(start: base, count: bytes.count)) }
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

    public static func scan(_ bytes: [UInt8], for patterns: [LeakPattern]) -> [LeakPattern] {
        bytes.withUnsafeBytes { scan($0, for: patterns) }
    }
}
