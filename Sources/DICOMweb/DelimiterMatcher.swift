#if canImport(Glibc)
import Glibc
#endif

/// Finds a fixed byte string (a multipart delimiter, `CRLF--boundary`) in a stream that arrives
/// in chunks of any size, in linear time: Knuth–Morris–Pratt, so no byte is examined more than a
/// bounded number of times and nothing is rescanned; while no match is under way it jumps to the
/// next CR with `memchr`. Bytes that might start the delimiter are held back (only as a count:
/// they are always a prefix of the delimiter) and given back when the match fails.
struct DelimiterMatcher {
    let pattern: [UInt8]
    /// failure[i]: length of the longest proper prefix of pattern[0..<i] that is also its suffix.
    private let failure: [Int]
    /// How many pattern bytes the last bytes seen match.
    var matched = 0
    /// Comparisons made and `memchr` jumps taken, for tests that check the work is linear.
    private(set) var steps = 0

    init(_ pattern: [UInt8]) {
        precondition(!pattern.isEmpty)
        self.pattern = pattern
        var f = [Int](repeating: 0, count: pattern.count + 1)
        var k = 0
        for i in 1..<pattern.count {
            while k > 0 && pattern[i] != pattern[k] { k = f[k] }
            if pattern[i] == pattern[k] { k += 1 }
            f[i + 1] = k
        }
        self.failure = f
    }

    enum Event {
        /// Bytes that are not part of the delimiter: a range of the chunk.
        case data(Range<Int>)
        /// Held-back bytes given back: the first n bytes of the pattern.
        case patternPrefix(Int)
        /// The delimiter ended just before this chunk offset.
        case found(end: Int)
    }

    /// Scans `chunk[from...]`, reporting data and held-back bytes in stream order, and stops at
    /// the first complete delimiter (reporting `.found`), or at the end of the chunk. Returns the
    /// offset it stopped at.
    mutating func scan(_ chunk: UnsafeRawBufferPointer, from: Int, _ emit: (Event) throws -> Void) rethrows -> Int {
        var i = from
        var dataStart: Int? = matched == 0 ? from : nil
        let n = chunk.count
        let first = pattern[0]
        while i < n {
            if matched == 0 {
                // Jump to the next byte that can start the delimiter.
                let rest = n - i
                steps += 1
                guard let p = memchr(chunk.baseAddress! + i, Int32(first), rest) else {
                    i = n
                    break
                }
                let at = chunk.baseAddress!.distance(to: UnsafeRawPointer(p))
                if let s = dataStart, at > s { try emit(.data(s..<at)) }
                dataStart = nil
                matched = 1
                i = at + 1
                if matched == pattern.count { try emit(.found(end: i)); matched = 0; return i }
                continue
            }
            let b = chunk[i]
            let before = matched
            var m = matched
            while m > 0 && pattern[m] != b { m = failure[m]; steps += 1 }
            if pattern[m] == b { m += 1 }
            steps += 1
            // Of the held-back bytes plus b, the first (before + 1 - m) are data now.
            let released = before + 1 - m
            if released > 0 {
                if released <= before {
                    try emit(.patternPrefix(released))
                } else {
                    if before > 0 { try emit(.patternPrefix(before)) }
                    dataStart = i
                }
            }
            matched = m
            i += 1
            if m == 0 {
                if dataStart == nil { dataStart = i }
            } else if let s = dataStart {
                // b started a new match: data ends before it.
                if i - 1 > s { try emit(.data(s..<(i - 1))) }
                dataStart = nil
            }
            if matched == pattern.count {
                matched = 0
                try emit(.found(end: i))
                return i
            }
        }
        if let s = dataStart, n > s { try emit(.data(s..<n)) }
        return n
    }
}
