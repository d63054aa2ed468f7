import Foundation

/// The header fields of one body part (RFC 2046 §5.1.1), in order, names compared without case.
public struct MultipartHeaders: Sendable, Equatable {
    public var fields: [Field]

    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(_ fields: [Field] = []) { self.fields = fields }

    public subscript(name: String) -> String? {
        let n = name.lowercased()
        return fields.first { $0.name.lowercased() == n }?.value
    }

    public var contentType: MediaType? { self["Content-Type"].flatMap(MediaType.init(parsing:)) }
    public var contentLocation: String? { self["Content-Location"] }
    /// Content-Length when present; nil when absent. A value that is not a number is an error
    /// the parser reports.
    public var contentLength: Int? { self["Content-Length"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    /// Parses a header block (lines separated by CRLF, no final empty line), unfolding
    /// continuation lines; nil when a line is not `name: value`.
    static func parse(_ bytes: ArraySlice<UInt8>) -> MultipartHeaders? {
        var fields: [Field] = []
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 0x0D, i + 1 < bytes.endIndex, bytes[i + 1] == 0x0A {
                lines.append(bytes[start..<i])
                i += 2
                start = i
            } else {
                i += 1
            }
        }
        if start < bytes.endIndex { lines.append(bytes[start..<bytes.endIndex]) }
        for line in lines where !line.isEmpty {
            if line.first == 0x20 || line.first == 0x09 {
                // Obsolete line folding: continues the previous field's value.
                guard !fields.isEmpty else { return nil }
                fields[fields.count - 1].value += " " + String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { return nil }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            guard name.utf8.allSatisfy(MediaType.isTokenByte) else { return nil }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            fields.append(Field(name, value))
        }
        return MultipartHeaders(fields)
    }
}
