/// Cleans free text (action C): every occurrence of an identifying token of the data set — names,
/// IDs, birth date, institution — bounded by non-alphanumeric characters, matched without regard to
/// ASCII case, becomes asterisks of the same length, so the value stays within its VR's length.
struct TextRedaction {
    /// Tokens, longest first so that "SMITH JONES" goes before "SMITH".
    private let tokens: [[UInt8]]

    init(tokens: Set<[UInt8]>) {
        self.tokens = tokens.filter { $0.count >= 2 }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// `text` with tokens redacted, and whether anything changed.
    func redact(_ text: [UInt8]) -> ([UInt8], Bool) {
        var out = text
        var changed = false
        for token in tokens where token.count <= out.count {
            var i = 0
            while i + token.count <= out.count {
                if Self.matches(out, at: i, token), Self.isBoundary(out, i - 1), Self.isBoundary(out, i + token.count) {
                    for j in i..<(i + token.count) { out[j] = 0x2A }
                    changed = true
                    i += token.count
                } else {
                    i += 1
                }
            }
        }
        return (out, changed)
    }

    private static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    private static func matches(_ text: [UInt8], at i: Int, _ token: [UInt8]) -> Bool {
        for j in 0..<token.count where lower(text[i + j]) != lower(token[j]) { return false }
        return true
    }

    /// Outside the text, or not an ASCII letter or digit (bytes ≥ 0x80 count as letters, so a
    /// token is not matched inside a longer non-ASCII word).
    private static func isBoundary(_ text: [UInt8], _ i: Int) -> Bool {
        guard i >= 0, i < text.count else { return true }
        let c = text[i]
        let alphanumeric = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c >= 0x80
        return !alphanumeric
    }
}
