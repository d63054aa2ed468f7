/// A media type with its parameters (RFC 9110 §8.3.1), as in `multipart/related;
/// type="application/dicom"; boundary=abc`. Type, subtype and parameter names are lowercased;
/// quoted parameter values are unquoted.
public struct MediaType: Sendable, Equatable, CustomStringConvertible {
    public var type: String
    public var subtype: String
    public var parameters: [(name: String, value: String)]

    public init(_ type: String, _ subtype: String, parameters: [(name: String, value: String)] = []) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    public var essence: String { type + "/" + subtype }

    public func parameter(_ name: String) -> String? {
        let n = name.lowercased()
        return parameters.first { $0.name == n }?.value
    }

    public static func == (a: MediaType, b: MediaType) -> Bool {
        a.essence == b.essence && a.parameters.map { $0.name } == b.parameters.map { $0.name }
            && a.parameters.map { $0.value } == b.parameters.map { $0.value }
    }

    /// Parses a Content-Type value; nil when it is not `type/subtype` followed by parameters.
    public init?(parsing text: String) {
        let s = Array(text.utf8)
        var i = 0
        func skipSpace() { while i < s.count, s[i] == 0x20 || s[i] == 0x09 { i += 1 } }
        func token() -> String {
            let start = i
            while i < s.count, MediaType.isTokenByte(s[i]) { i += 1 }
            return String(decoding: s[start..<i], as: UTF8.self)
        }
        skipSpace()
        let t = token()
        guard !t.isEmpty, i < s.count, s[i] == UInt8(ascii: "/") else { return nil }
        i += 1
        let st = token()
        guard !st.isEmpty else { return nil }
        var params: [(name: String, value: String)] = []
        skipSpace()
        while i < s.count {
            guard s[i] == UInt8(ascii: ";") else { return nil }
            i += 1
            skipSpace()
            if i == s.count { break }
            let name = token().lowercased()
            guard !name.isEmpty, i < s.count, s[i] == UInt8(ascii: "=") else { return nil }
            i += 1
            var value: [UInt8] = []
            if i < s.count, s[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < s.count {
                    if s[i] == UInt8(ascii: "\\"), i + 1 < s.count { value.append(s[i + 1]); i += 2; continue }
                    if s[i] == UInt8(ascii: "\"") { closed = true; i += 1; break }
                    value.append(s[i]); i += 1
                }
                guard closed else { return nil }
            } else {
                let start = i
                while i < s.count, MediaType.isTokenByte(s[i]) { i += 1 }
                value = Array(s[start..<i])
                guard !value.isEmpty else { return nil }
            }
            params.append((name, String(decoding: value, as: UTF8.self)))
            skipSpace()
        }
        self.init(t, st, parameters: params)
    }

    /// The header value, quoting parameter values that are not tokens.
    public var description: String {
        var out = essence
        for p in parameters {
            out += "; " + p.name + "="
            if !p.value.isEmpty, p.value.utf8.allSatisfy(MediaType.isTokenByte) {
                out += p.value
            } else {
                out += "\"" + p.value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
        }
        return out
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }
}
