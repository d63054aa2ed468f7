#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one JSON encoding the audit log accepts: a value written on one line, object keys in
/// ascending order of their UTF-8 bytes (no duplicates), no whitespace, integers only (no
/// fractions, exponents, `-0`, `+` or leading zeros), strings escaped minimally.
///
/// Minimal escaping: `"` → `\"`, `\` → `\\`; the control characters U+0008, U+0009, U+000A,
/// U+000C, U+000D as `\b`, `\t`, `\n`, `\f`, `\r`; the other controls below U+0020 as `\u00xx`
/// (lowercase hex). Everything else, including `/`, U+007F and non-ASCII, is written as its UTF-8
/// bytes. `null` is never written: an absent optional field is left out.
///
/// The parser accepts exactly what the writer produces: `parse` followed by `write` gives back
/// the same bytes, or `parse` throws.
public enum CanonicalJSON {
    /// A JSON value with integers only.
    public indirect enum Value: Sendable, Equatable {
        case string(String)
        /// A non-negative integer.
        case unsigned(UInt64)
        /// A negative integer.
        case negative(Int64)
        case bool(Bool)
        case array([Value])
        case object([String: Value])

        /// An integer value: `.unsigned` for zero and above, `.negative` below.
        public static func integer(_ value: Int64) -> Value {
            value < 0 ? .negative(value) : .unsigned(UInt64(value))
        }
    }

    /// Why a line is not canonical JSON, with the byte offset where it went wrong.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    // MARK: Writing

    /// The canonical bytes of `value`.
    public static func encode(_ value: Value) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        write(value, into: &output)
        return output
    }

    /// Appends the canonical bytes of `value` to `output`.
    public static func write(_ value: Value, into output: inout [UInt8]) {
        switch value {
        case let .string(string):
            writeString(string, into: &output)
        case let .unsigned(number):
            writeDecimal(number, into: &output)
        case let .negative(number):
            output.append(UInt8(ascii: "-"))
            writeDecimal(number.magnitude, into: &output)
        case let .bool(flag):
            output.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
        case let .array(items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(item, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case let .object(members):
            output.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                write(members[key]!, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeDecimal(_ number: UInt64, into output: inout [UInt8]) {
        if number == 0 {
            output.append(UInt8(ascii: "0"))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes ≥ 20 digits
        var count = 0
        var rest = number
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            output.append(contentsOf: buffer[(24 - count)...])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    // MARK: Parsing

    /// The value written canonically in `bytes` (a whole line without its newline).
    ///
    /// - Throws: `SyntaxError` for anything the writer would not have produced: whitespace,
    ///   unsorted or repeated keys, non-minimal escapes, fractions, `null`, invalid UTF-8,
    ///   trailing bytes.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(SyntaxError) -> Value {
        var parser = Parser(bytes: bytes)
        let value = try parser.parseValue(depth: 0)
        guard parser.offset == bytes.count else { throw parser.error("trailing bytes") }
        return value
    }

    /// The value written canonically in `bytes`.
    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> Value {
        var result: Result<Value, SyntaxError> = .failure(SyntaxError(offset: 0, reason: "empty"))
        bytes.withUnsafeBytes { buffer in
            do throws(SyntaxError) { result = .success(try parse(buffer)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    struct Parser {
        let bytes: UnsafeRawBufferPointer
        var offset = 0
        static let maximumDepth = 32

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        func error(_ reason: String) -> SyntaxError { SyntaxError(offset: offset, reason: reason) }

        var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

        mutating func expect(_ byte: UInt8) throws(SyntaxError) {
            guard current == byte else { throw error("expected '\(Character(Unicode.Scalar(byte)))'") }
            offset += 1
        }

        mutating func parseValue(depth: Int) throws(SyntaxError) -> Value {
            guard depth < Self.maximumDepth else { throw error("nested too deeply") }
            guard let byte = current else { throw error("unexpected end") }
            switch byte {
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "{"): return try parseObject(depth: depth)
            case UInt8(ascii: "["): return try parseArray(depth: depth)
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseInteger()
            default: throw error("unexpected byte 0x\(String(byte, radix: 16))")
            }
        }

        mutating func literal(_ word: StaticString) throws(SyntaxError) {
            let count = word.utf8CodeUnitCount
            guard offset + count <= bytes.count,
                  memcmp(bytes.baseAddress! + offset, word.utf8Start, count) == 0
            else { throw error("invalid literal") }
            offset += count
        }

        mutating func parseInteger() throws(SyntaxError) -> Value {
            let negative = current == UInt8(ascii: "-")
            if negative { offset += 1 }
            let start = offset
            var magnitude: UInt64 = 0
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { throw error("integer too large") }
                magnitude = sum
                offset += 1
            }
            let count = offset - start
            guard count > 0 else { throw error("expected digits") }
            guard !(count > 1 && bytes[start] == UInt8(ascii: "0")) else { throw error("leading zero") }
            if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                throw error("not an integer")
            }
            if negative {
                guard magnitude != 0 else { throw error("negative zero") }
                guard magnitude <= UInt64(Int64.max) + 1 else { throw error("integer too small") }
                return .negative(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
            }
            return .unsigned(magnitude)
        }

        mutating func parseString() throws(SyntaxError) -> String {
            try expect(UInt8(ascii: "\""))
            var output: [UInt8] = []
            var runStart = offset
            while true {
                guard let byte = current else { throw error("unterminated string") }
                if byte == UInt8(ascii: "\"") {
                    output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<offset]))
                    offset += 1
                    break
                }
                if byte < 0x20 { throw error("unescaped control character") }
                if byte != UInt8(ascii: "\\") { offset += 1; continue }
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<offset]))
                offset += 1
                guard let escape = current else { throw error("unterminated escape") }
                offset += 1
                switch escape {
                case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "u"):
                    guard offset + 4 <= bytes.count, bytes[offset] == UInt8(ascii: "0"), bytes[offset + 1] == UInt8(ascii: "0")
                    else { throw error("non-minimal \\u escape") }
                    guard let high = Self.lowerHex(bytes[offset + 2]), let low = Self.lowerHex(bytes[offset + 3])
                    else { throw error("invalid \\u escape") }
                    let value = high << 4 | low
                    guard value < 0x20, ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(value)
                    else { throw error("non-minimal \\u escape") }
                    output.append(value)
                    offset += 4
                default:
                    throw error("non-minimal escape")
                }
                runStart = offset
            }
            guard let string = String(validating: output, as: UTF8.self) else { throw error("invalid UTF-8") }
            return string
        }

        static func lowerHex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            default: nil
            }
        }

        mutating func parseArray(depth: Int) throws(SyntaxError) -> Value {
            try expect(UInt8(ascii: "["))
            var items: [Value] = []
            if current == UInt8(ascii: "]") { offset += 1; return .array(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                if current == UInt8(ascii: ",") { offset += 1; continue }
                try expect(UInt8(ascii: "]"))
                return .array(items)
            }
        }

        mutating func parseObject(depth: Int) throws(SyntaxError) -> Value {
            try expect(UInt8(ascii: "{"))
            var members: [String: Value] = [:]
            if current == UInt8(ascii: "}") { offset += 1; return .object(members) }
            var previousKey: String?
            while true {
                let keyOffset = offset
                let key = try parseString()
                if let previousKey, !previousKey.utf8.lexicographicallyPrecedes(key.utf8) {
                    throw SyntaxError(offset: keyOffset, reason: previousKey == key ? "repeated key \"\(key)\"" : "key \"\(key)\" out of order")
                }
                previousKey = key
                try expect(UInt8(ascii: ":"))
                members[key] = try parseValue(depth: depth + 1)
                if current == UInt8(ascii: ",") { offset += 1; continue }
                try expect(UInt8(ascii: "}"))
                return .object(members)
            }
        }
    }
}
