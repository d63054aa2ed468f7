extension DICOMJSON {
    /// A parsed JSON value. Numbers keep their text, so DS, IS, SV and UV values come through
    /// digit for digit; objects keep their members in document order.
    enum JSONValue {
        case null
        case bool(Bool)
        /// The number as written; also `NaN`, `Infinity` and `-Infinity`, which some writers
        /// (Python's `json`, hence pydicom) put in JSON although RFC 8259 has no such numbers.
        case number(String)
        case string(String)
        case array([JSONValue])
        case object([(key: String, value: JSONValue)])

        var typeName: String {
            switch self {
            case .null: return "null"
            case .bool: return "a boolean"
            case .number: return "a number"
            case .string: return "a string"
            case .array: return "an array"
            case .object: return "an object"
            }
        }
    }

    /// Parses JSON text (RFC 8259) into `JSONValue`s. Invalid UTF-8 in strings becomes U+FFFD.
    struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var pos = 0
        var depth = 0
        /// Deep enough for sequences nested 128 levels (four JSON levels each), shallow enough
        /// for the recursion to stay well inside the stack.
        static let maximumDepth = 600

        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
            var scanner = Scanner(bytes)
            // A UTF-8 byte order mark is tolerated (RFC 8259 §8.1 lets parsers ignore it).
            if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { scanner.pos = 3 }
            let value = try scanner.value()
            scanner.skipWhitespace()
            if scanner.pos != bytes.count { throw scanner.error("unexpected text after the JSON value") }
            return value
        }

        func error(_ message: String) -> DICOMJSONError {
            .syntax(offset: pos, message)
        }

        mutating func skipWhitespace() {
            while pos < bytes.count {
                switch bytes[pos] {
                case 0x20, 0x09, 0x0A, 0x0D: pos += 1
                default: return
                }
            }
        }

        mutating func value() throws -> JSONValue {
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of text") }
            switch bytes[pos] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "N"): try literal("NaN"); return .number("NaN")
            case UInt8(ascii: "I"): try literal("Infinity"); return .number("Infinity")
            case UInt8(ascii: "-") where pos + 1 < bytes.count && bytes[pos + 1] == UInt8(ascii: "I"):
                pos += 1
                try literal("Infinity")
                return .number("-Infinity")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw error("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws {
            let n = word.utf8CodeUnitCount
            guard pos + n <= bytes.count else { throw error("unexpected end of text") }
            for i in 0..<n where bytes[pos + i] != word.utf8Start[i] {
                throw error("unexpected character")
            }
            pos += n
        }

        mutating func enter() throws {
            depth += 1
            if depth > Scanner.maximumDepth { throw error("nested deeper than \(Scanner.maximumDepth) levels") }
        }

        mutating func object() throws -> JSONValue {
            try enter()
            pos += 1
            var members: [(key: String, value: JSONValue)] = []
            skipWhitespace()
            if pos < bytes.count && bytes[pos] == UInt8(ascii: "}") {
                pos += 1
                depth -= 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw error("expected a member name") }
                let key = try string()
                skipWhitespace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw error("expected ':'") }
                pos += 1
                members.append((key, try value()))
                skipWhitespace()
                guard pos < bytes.count else { throw error("unexpected end of text in an object") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "}") { pos += 1; break }
                throw error("expected ',' or '}'")
            }
            depth -= 1
            return .object(members)
        }

        mutating func array() throws -> JSONValue {
            try enter()
            pos += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if pos < bytes.count && bytes[pos] == UInt8(ascii: "]") {
                pos += 1
                depth -= 1
                return .array(elements)
            }
            while true {
                elements.append(try value())
                skipWhitespace()
                guard pos < bytes.count else { throw error("unexpected end of text in an array") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "]") { pos += 1; break }
                throw error("expected ',' or ']'")
            }
            depth -= 1
            return .array(elements)
        }

        mutating func number() throws -> String {
            let start = pos
            if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("expected a digit") }
            if bytes[pos] == UInt8(ascii: "0") {
                pos += 1
            } else {
                while pos < bytes.count && isDigit(bytes[pos]) { pos += 1 }
            }
            if pos < bytes.count && bytes[pos] == UInt8(ascii: ".") {
                pos += 1
                guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("expected a digit after '.'") }
                while pos < bytes.count && isDigit(bytes[pos]) { pos += 1 }
            }
            if pos < bytes.count && (bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E")) {
                pos += 1
                if pos < bytes.count && (bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-")) { pos += 1 }
                guard pos < bytes.count, isDigit(bytes[pos]) else { throw error("expected a digit in the exponent") }
                while pos < bytes.count && isDigit(bytes[pos]) { pos += 1 }
            }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        }

        mutating func string() throws -> String {
            pos += 1
            let start = pos
            // Fast path: no escapes.
            while pos < bytes.count {
                let c = bytes[pos]
                if c == UInt8(ascii: "\"") {
                    let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                    pos += 1
                    return s
                }
                if c == UInt8(ascii: "\\") { break }
                if c < 0x20 { throw error("control character in a string") }
                pos += 1
            }
            var out = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<pos]))
            while pos < bytes.count {
                let c = bytes[pos]
                if c == UInt8(ascii: "\"") {
                    pos += 1
                    return String(decoding: out, as: UTF8.self)
                }
                if c < 0x20 { throw error("control character in a string") }
                if c != UInt8(ascii: "\\") {
                    out.append(c)
                    pos += 1
                    continue
                }
                pos += 1
                guard pos < bytes.count else { break }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        // A high surrogate: a low one must follow to make one scalar.
                        if pos + 1 < bytes.count && bytes[pos] == UInt8(ascii: "\\") && bytes[pos + 1] == UInt8(ascii: "u") {
                            let save = pos
                            pos += 2
                            let low = try hex4()
                            if low >= 0xDC00 && low < 0xE000 {
                                scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                            } else {
                                pos = save
                                scalar = 0xFFFD
                            }
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        scalar = 0xFFFD
                    }
                    out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
                default:
                    pos -= 1
                    throw error("unknown escape '\\\(Character(Unicode.Scalar(e)))'")
                }
            }
            throw error("unterminated string")
        }

        mutating func hex4() throws -> UInt32 {
            guard pos + 4 <= bytes.count else { throw error("unexpected end of text in a \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[pos]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw error("expected a hex digit in a \\u escape")
                }
                v = v << 4 | d
                pos += 1
            }
            return v
        }
    }
}
