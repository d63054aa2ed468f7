extension SpecificCharacterSet {
    /// What one defined term of (0008,0005) brings.
    enum Meaning: Sendable, Hashable {
        /// Graphic sets for the ISO 2022 machine; `iso2022` for the `ISO 2022 …` spelling.
        case graphic([GraphicSet], iso2022: Bool)
        case utf8
        case gb18030
        case gbk
    }

    /// The defined terms of PS3.3 Tables C.12-2 to C.12-5.
    static let definedTerms: [String: Meaning] = {
        var terms: [String: Meaning] = [
            "ISO_IR 6": .graphic([.ascii], iso2022: false),
            "ISO 2022 IR 6": .graphic([.ascii], iso2022: true),
            "ISO_IR 13": .graphic([.jisX0201Romaji, .jisX0201Katakana], iso2022: false),
            "ISO 2022 IR 13": .graphic([.jisX0201Romaji, .jisX0201Katakana], iso2022: true),
            "ISO 2022 IR 87": .graphic([.jisX0208], iso2022: true),
            "ISO 2022 IR 159": .graphic([.jisX0212], iso2022: true),
            "ISO 2022 IR 149": .graphic([.ksX1001], iso2022: true),
            "ISO 2022 IR 58": .graphic([.gb2312], iso2022: true),
            "ISO_IR 192": .utf8,
            "GB18030": .gb18030,
            "GBK": .gbk,
        ]
        let upperHalves: [(Int, GraphicSet)] = [
            (100, .latin1), (101, .latin2), (109, .latin3), (110, .latin4), (144, .cyrillic),
            (127, .arabic), (126, .greek), (138, .hebrew), (148, .latin5), (203, .latin9), (166, .thai),
        ]
        for (number, set) in upperHalves {
            terms["ISO_IR \(number)"] = .graphic([.ascii, set], iso2022: false)
            terms["ISO 2022 IR \(number)"] = .graphic([.ascii, set], iso2022: true)
        }
        return terms
    }()

    /// Defined terms by their letters and digits alone, for recognising `ISO IR 100`, `ISO-IR 100`,
    /// `iso_ir_100`, `ISO_IR100` and the like.
    private static let termsBySkeleton: [String: String] = {
        var out: [String: String] = [:]
        for term in definedTerms.keys { out[skeleton(of: term)] = term }
        return out
    }()

    private static func skeleton(of term: String) -> String {
        String(term.uppercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" })
    }

    /// The defined term a misspelled value stands for, if its letters and digits match one.
    static func correctedSpelling(of term: String) -> String? {
        termsBySkeleton[skeleton(of: term)]
    }
}
