/// Writes JSON text (RFC 8259) as UTF-8 bytes, in the order the caller gives: compact (no
/// whitespace) or pretty (two-space indent, one member or element per line, `"key": value`).
///
/// The caller is responsible for well-formedness (keys only inside objects, balanced
/// begin/end); the writer takes care of commas, indentation and escaping. Numbers are written
/// as the caller formats them, so their text is exactly what the caller chose.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    let pretty: Bool
    private var depth = 0
    /// The open container has no member or element yet.
    private var isFirst = true
    /// A key was just written: the next value follows it without separator.
    private var afterKey = false

    init(pretty: Bool, reservingCapacity n: Int = 4096) {
        self.pretty = pretty
        bytes.reserveCapacity(n)
    }

    // MARK: Structure

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        depth += 1
        isFirst = true
    }

    mutating func endObject() { close(UInt8(ascii: "}")) }

    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        depth += 1
        isFirst = true
    }

    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// A member name known at compile time that needs no escaping (`"vr"`, `"Value"`).
    mutating func key(_ name: StaticString) {
        key(ascii: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    /// A member name made of ASCII bytes that need no escaping (DICOM JSON tag keys).
    mutating func key(ascii name: UnsafeRawBufferPointer) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
        afterKey = true
    }

    // MARK: Values

    mutating func string(_ s: String) {
        separate()
        appendQuoted(s)
    }

    /// A string from UTF-8 bytes (escaped as needed).
    mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        separate()
        appendQuoted(utf8)
    }

    /// A string of ASCII bytes that need no escaping.
    mutating func string(ascii: UnsafeRawBufferPointer) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: ascii)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A number whose JSON text the caller has checked (`12`, `-0.5`, `1e-07`).
    mutating func number(text: String) {
        separate()
        bytes.append(contentsOf: text.utf8)
    }

    /// A number whose JSON text, in ASCII bytes, the caller has checked.
    mutating func number(ascii: UnsafeBufferPointer<UInt8>) {
        separate()
        bytes.append(contentsOf: ascii)
    }

    mutating func number<T: BinaryInteger>(_ v: T) {
        separate()
        appendDecimal(v)
    }

    mutating func null() {
        separate()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) // null
    }

    /// A string holding the standard base64 (RFC 4648 §4, padded) of `raw`.
    mutating func base64String(_ raw: UnsafeRawBufferPointer) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        DICOMJSON.Base64.encode(raw, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: Internals

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if depth == 0 { return }
        if !isFirst { bytes.append(UInt8(ascii: ",")) }
        isFirst = false
        if pretty { newline() }
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        if pretty && !isFirst { newline() }
        bytes.append(bracket)
        isFirst = false
    }

    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    private mutating func appendQuoted(_ s: String) {
        var s = s
        s.withUTF8 { appendQuoted($0) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Quotes and escapes UTF-8 text: `"` and `\` with a backslash, control characters as
    /// `\n`, `\t`, … or `\u00XX`; everything else (including non-ASCII) is copied as it is.
    private mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        for i in 0..<utf8.count {
            let c = utf8[i]
            guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            runStart = i + 1
            bytes.append(UInt8(ascii: "\\"))
            switch c {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          Self.hexDigits[Int(c >> 4)], Self.hexDigits[Int(c & 0xF)]])
            }
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendDecimal<T: BinaryInteger>(_ v: T) {
        // Every DICOM integer VR fits in 64 bits.
        var m = UInt64(v.magnitude)
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        if m == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes; UInt64.max has 20 digits
        withUnsafeMutableBytes(of: &scratch) { buf in
            var i = buf.count
            while m > 0 {
                i -= 1
                buf[i] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[i...]))
        }
    }
}
