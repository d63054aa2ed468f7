/// "Did you mean" candidates for a mistyped option, command or value.
enum Suggestions {
    /// The candidates nearest to `typed` by Damerau–Levenshtein distance (at most 1 edit for
    /// words of up to 3 characters, 2 for longer ones), and those `typed` is a prefix of;
    /// the best first, at most three.
    static func closest(to typed: String, among candidates: [String]) -> [String] {
        let word = Array(typed.lowercased())
        guard !word.isEmpty else { return [] }
        let limit = word.count <= 3 ? 1 : 2
        var scored: [(score: Int, index: Int, candidate: String)] = []
        var seen = Set<String>()
        for (index, candidate) in candidates.enumerated() where seen.insert(candidate).inserted {
            let other = Array(candidate.lowercased())
            let distance = damerauLevenshtein(word, other)
            if distance <= limit {
                scored.append((distance * 2, index, candidate))
            } else if word.count >= 2, other.starts(with: word) {
                scored.append((3, index, candidate))
            }
        }
        guard let best = scored.map(\.score).min() else { return [] }
        return scored.filter { $0.score == best }.sorted { $0.index < $1.index }.prefix(3).map(\.candidate)
    }

    /// `did you mean '--json'?`, `did you mean '--json' or '--jobs'?`, or nil.
    static func hint(for typed: String, among candidates: [String]) -> String? {
        let found = closest(to: typed, among: candidates)
        guard !found.isEmpty else { return nil }
        let quoted = found.map { "'\($0)'" }
        if quoted.count == 1 { return "did you mean \(quoted[0])?" }
        return "did you mean \(quoted.dropLast().joined(separator: ", ")) or \(quoted.last!)?"
    }

    /// The Damerau–Levenshtein distance (insertions, deletions, substitutions and transpositions
    /// of adjacent characters, with edits between transposed ones allowed), after Lowrance and Wagner.
    static func damerauLevenshtein(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let infinity = a.count + b.count
        let columns = b.count + 2
        // d[i + 1][j + 1] is the distance between a[..<i] and b[..<j]; row and column 0 hold infinity.
        var d = [Int](repeating: 0, count: (a.count + 2) * columns)
        d[0] = infinity
        for i in 0...a.count {
            d[(i + 1) * columns] = infinity
            d[(i + 1) * columns + 1] = i
        }
        for j in 0...b.count {
            d[j + 1] = infinity
            d[columns + j + 1] = j
        }
        var lastRow: [Character: Int] = [:]
        for i in 1...a.count {
            var lastMatchColumn = 0
            for j in 1...b.count {
                let i1 = lastRow[b[j - 1]] ?? 0
                let j1 = lastMatchColumn
                let cost: Int
                if a[i - 1] == b[j - 1] {
                    cost = 0
                    lastMatchColumn = j
                } else {
                    cost = 1
                }
                let substitution = d[i * columns + j] + cost
                let insertion = d[(i + 1) * columns + j] + 1
                let deletion = d[i * columns + j + 1] + 1
                let transposition = d[i1 * columns + j1] + (i - i1 - 1) + 1 + (j - j1 - 1)
                d[(i + 1) * columns + j + 1] = min(substitution, insertion, deletion, transposition)
            }
            lastRow[a[i - 1]] = i
        }
        return d[(a.count + 1) * columns + b.count + 1]
    }
}
