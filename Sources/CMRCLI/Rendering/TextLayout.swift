/// Word wrapping for help text.
enum TextLayout {
    /// `text` wrapped to `width` columns, every line indented by `indent` spaces. Paragraphs are
    /// separated by blank lines; a paragraph whose lines all start with two spaces is kept as it
    /// is (an example), indented.
    static func wrap(_ text: String, width: Int, indent: Int) -> String {
        paragraphs(text).map { paragraph in
            if isVerbatim(paragraph) {
                return paragraph.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { String(repeating: " ", count: indent) + $0 }.joined(separator: "\n")
            }
            return String(repeating: " ", count: indent) + fill(paragraph, width: width, indent: indent, firstIndent: indent)
        }.joined(separator: "\n\n")
    }

    /// Words of `text` filled into lines of at most `width` columns (a longer word gets a line of
    /// its own); the first line starts at column `firstIndent` and is returned without padding,
    /// the others are padded to `indent`.
    static func fill(_ text: String, width: Int, indent: Int, firstIndent: Int) -> String {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        var lines: [String] = []
        var current = ""
        var column = firstIndent
        var lineIndent = firstIndent
        for word in words {
            if current.isEmpty {
                current = String(word)
                column = lineIndent + word.count
            } else if column + 1 + word.count <= width {
                current += " " + word
                column += 1 + word.count
            } else {
                lines.append(current)
                lineIndent = indent
                current = String(word)
                column = indent + word.count
            }
        }
        if !current.isEmpty { lines.append(current) }
        guard let first = lines.first else { return "" }
        let pad = String(repeating: " ", count: indent)
        return first + lines.dropFirst().map { "\n" + pad + $0 }.joined()
    }

    static func paragraphs(_ text: String) -> [String] {
        var result: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy({ $0 == " " }) {
                if !current.isEmpty { result.append(current.joined(separator: "\n")) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { result.append(current.joined(separator: "\n")) }
        return result
    }

    static func isVerbatim(_ paragraph: String) -> Bool {
        paragraph.split(separator: "\n").allSatisfy { $0.hasPrefix("  ") }
    }
}
