#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fast check that a line is canonical JSON (the rules of `CanonicalJSON`) holding an object
/// with the record's top-level keys, without allocating; it extracts the fields the verifier
/// needs. It does not check nested fields against the schema: `AuditRecord(canonicalLine:)`
/// does (the verifier's `strict` option).
struct RecordScanner {
    /// The top-level fields of one line.
    struct Summary {
        var seq: UInt64 = 0
        var version: UInt64 = 0
        var monotonic: UInt64 = 0
        var prev: Range<Int> = 0..<0
        var time: Range<Int> = 0..<0
        var boot: Range<Int> = 0..<0
        var event: Range<Int> = 0..<0
    }

    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The line's summary, or a reason it is not a canonical record line.
    static func scan(_ line: UnsafeRawBufferPointer) -> Result<Summary, CanonicalJSON.SyntaxError> {
        var scanner = RecordScanner(line)
        do throws(CanonicalJSON.SyntaxError) {
            let summary = try scanner.topLevel()
            return .success(summary)
        } catch {
            return .failure(error)
        }
    }

    func fail(_ reason: String) -> CanonicalJSON.SyntaxError { CanonicalJSON.SyntaxError(offset: offset, reason: reason) }

    // Top-level keys in canonical order, and which are required.
    static let topKeys: [[UInt8]] = [
        "actor", "boot", "destination", "details", "event", "mode", "monotonic", "objects", "outcome", "peer",
        "prev", "seq", "time", "version",
    ].map { Array($0.utf8) }
    static let required: Set<Int> = [0, 1, 4, 6, 7, 8, 10, 11, 12, 13]

    mutating func topLevel() throws(CanonicalJSON.SyntaxError) -> Summary {
        var summary = Summary()
        guard bytes.count > 0, bytes[0] == UInt8(ascii: "{") else { throw fail("a record must be a JSON object") }
        offset = 1
        var nextKey = 0  // keys must appear in `topKeys` order, each at most once
        var seen = 0 as UInt32
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { throw fail("empty record") }
        while true {
            let keyStart = offset
            let keyRange = try string()
            var index = nextKey
            while index < Self.topKeys.count && !equal(keyRange, Self.topKeys[index]) { index += 1 }
            guard index < Self.topKeys.count else {
                offset = keyStart
                throw fail("unknown, repeated or out-of-order key")
            }
            nextKey = index + 1
            seen |= 1 << index
            try expect(UInt8(ascii: ":"))
            let valueStart = offset
            switch index {
            case 1, 10, 12:  // boot, prev, time
                let range = try string()
                if index == 1 { summary.boot = range } else if index == 10 { summary.prev = range } else { summary.time = range }
            case 6, 11, 13:  // monotonic, seq, version
                guard let number = try integer() else { offset = valueStart; throw fail("expected a non-negative integer") }
                if index == 6 { summary.monotonic = number } else if index == 11 { summary.seq = number } else { summary.version = number }
            default:
                try value(depth: 1)
                if index == 4 { summary.event = valueStart..<offset }
            }
            guard offset < bytes.count else { throw fail("unexpected end") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            try expect(UInt8(ascii: "}"))
            break
        }
        guard offset == bytes.count else { throw fail("trailing bytes") }
        for index in Self.required where seen & (1 << index) == 0 {
            throw fail("missing key \"\(String(decoding: Self.topKeys[index], as: UTF8.self))\"")
        }
        return summary
    }

    func equal(_ range: Range<Int>, _ key: [UInt8]) -> Bool {
        guard range.count == key.count else { return false }
        return key.withUnsafeBytes { memcmp(bytes.baseAddress! + range.lowerBound, $0.baseAddress!, key.count) == 0 }
    }

    mutating func expect(_ byte: UInt8) throws(CanonicalJSON.SyntaxError) {
        guard offset < bytes.count, bytes[offset] == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        offset += 1
    }

    mutating func value(depth: Int) throws(CanonicalJSON.SyntaxError) {
        guard depth < 32 else { throw fail("nested too deeply") }
        guard offset < bytes.count else { throw fail("unexpected end") }
        switch bytes[offset] {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "{"):
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return }
            var previous: Range<Int>?
            while true {
                let keyStart = offset
                let key = try string()
                if let previous, !precedes(previous, key) {
                    offset = keyStart
                    throw fail("repeated or out-of-order key")
                }
                previous = key
                try expect(UInt8(ascii: ":"))
                try value(depth: depth + 1)
                guard offset < bytes.count else { throw fail("unexpected end") }
                if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
                try expect(UInt8(ascii: "}"))
                return
            }
        case UInt8(ascii: "["):
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { offset += 1; return }
            while true {
                try value(depth: depth + 1)
                guard offset < bytes.count else { throw fail("unexpected end") }
                if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
                try expect(UInt8(ascii: "]"))
                return
            }
        case UInt8(ascii: "t"): try literal([0x74, 0x72, 0x75, 0x65])
        case UInt8(ascii: "f"): try literal([0x66, 0x61, 0x6C, 0x73, 0x65])
        case UInt8(ascii: "-"):
            offset += 1
            guard let magnitude = try integer(), magnitude != 0, magnitude <= UInt64(Int64.max) + 1 else {
                throw fail("invalid negative integer")
            }
        default:
            guard try integer() != nil else { throw fail("unexpected byte") }
        }
    }

    mutating func literal(_ word: [UInt8]) throws(CanonicalJSON.SyntaxError) {
        guard offset + word.count <= bytes.count,
              word.withUnsafeBytes({ memcmp(bytes.baseAddress! + offset, $0.baseAddress!, word.count) }) == 0
        else { throw fail("invalid literal") }
        offset += word.count
    }

    /// A canonical non-negative integer, or nil if there are no digits here.
    mutating func integer() throws(CanonicalJSON.SyntaxError) -> UInt64? {
        let start = offset
        var magnitude: UInt64 = 0
        while offset < bytes.count {
            let digit = bytes[offset] &- 0x30
            guard digit < 10 else { break }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { throw fail("integer too large") }
            magnitude = sum
            offset += 1
        }
        if offset == start { return nil }
        if offset - start > 1 && bytes[start] == 0x30 { throw fail("leading zero") }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") || bytes[offset] | 0x20 == UInt8(ascii: "e") {
            throw fail("not an integer")
        }
        return magnitude
    }

    /// Skips a canonical string; returns the range of its escaped contents (without quotes).
    mutating func string() throws(CanonicalJSON.SyntaxError) -> Range<Int> {
        try expect(UInt8(ascii: "\""))
        let start = offset
        let count = bytes.count
        while offset < count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return start..<(offset - 1)
            }
            if byte < 0x20 { throw fail("unescaped control character") }
            if byte < 0x80 {
                if byte == UInt8(ascii: "\\") { try escape() } else { offset += 1 }
                continue
            }
            try utf8Sequence()
        }
        throw fail("unterminated string")
    }

    mutating func escape() throws(CanonicalJSON.SyntaxError) {
        guard offset + 1 < bytes.count else { throw fail("unterminated escape") }
        switch bytes[offset + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "t"), UInt8(ascii: "n"),
             UInt8(ascii: "f"), UInt8(ascii: "r"):
            offset += 2
        case UInt8(ascii: "u"):
            guard offset + 6 <= bytes.count, bytes[offset + 2] == 0x30, bytes[offset + 3] == 0x30,
                  let high = CanonicalJSON.Parser.lowerHex(bytes[offset + 4]),
                  let low = CanonicalJSON.Parser.lowerHex(bytes[offset + 5])
            else { throw fail("non-minimal \\u escape") }
            let value = high << 4 | low
            guard value < 0x20, value != 0x08, value != 0x09, value != 0x0A, value != 0x0C, value != 0x0D
            else { throw fail("non-minimal \\u escape") }
            offset += 6
        default:
            throw fail("non-minimal escape")
        }
    }

    /// One well-formed multi-byte UTF-8 sequence (Unicode 3.9 table 3-7).
    mutating func utf8Sequence() throws(CanonicalJSON.SyntaxError) {
        let lead = bytes[offset]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw fail("invalid UTF-8")
        }
        guard offset + length <= bytes.count else { throw fail("invalid UTF-8") }
        let second = bytes[offset + 1]
        guard second >= low, second <= high else { throw fail("invalid UTF-8") }
        for index in 2..<length where bytes[offset + index] & 0xC0 != 0x80 { throw fail("invalid UTF-8") }
        offset += length
    }

    /// Whether key `a` sorts strictly before key `b` by their unescaped UTF-8 bytes.
    func precedes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[a]), other = UnsafeRawBufferPointer(rebasing: bytes[b])
        if !raw.contains(UInt8(ascii: "\\")) && !other.contains(UInt8(ascii: "\\")) {
            return raw.lexicographicallyPrecedes(other)
        }
        return unescape(a).lexicographicallyPrecedes(unescape(b))
    }

    func unescape(_ range: Range<Int>) -> [UInt8] {
        var quoted = [UInt8(ascii: "\"")] + Array(UnsafeRawBufferPointer(rebasing: bytes[range])) + [UInt8(ascii: "\"")]
        guard case let .string(text)? = try? quoted.withUnsafeMutableBytes({ try CanonicalJSON.parse(UnsafeRawBufferPointer($0)) })
        else { return [] }
        quoted = Array(text.utf8)
        return quoted
    }
}
