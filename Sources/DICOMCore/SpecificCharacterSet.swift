import DICOMDictionary

/// The character repertoires a data set declares in Specific Character Set (0008,0005)
/// (PS3.3 C.12.1.1.2, PS3.5 §6.1), and the decoding and encoding of text values with them.
///
/// One value without code extensions (`ISO_IR 100`, `ISO_IR 192`, `GB18030`, …) names a single
/// repertoire. Several values, or any `ISO 2022 …` term, switch on ISO 2022 code extensions: value 1
/// (empty means the default repertoire, ISO 2022 IR 6) is the initial state, and escape sequences in
/// the text designate the other sets into G0 (`ESC $ B` for JIS X 0208, …) or G1 (`ESC $ ) C` for
/// KS X 1001, `ESC - A` for Latin-1, …). The initial state comes back at every control character and
/// every value delimiter (PS3.5 §6.1.2.5.3), so decode a whole value first, then split the `String`.
///
/// Decoding never fails: bytes that mean nothing in the declared repertoires become U+FFFD, and
/// escape sequences are honoured even for sets the data set forgot to declare. Encoding is strict:
/// it returns nil when a character cannot be written in the declared repertoires.
///
/// Values that name no character set are kept in `unknownTerms` and ignored (their text decodes with
/// what remains, usually the default repertoire); callers should report them as warnings, like
/// `misspelledTerms` and `ignoredTerms`.
public struct SpecificCharacterSet: Sendable, Hashable {
    /// The values of (0008,0005), without leading and trailing spaces.
    public let terms: [String]
    /// Values that name no character set the standard defines; they are ignored.
    public let unknownTerms: [String]
    /// Values recognised only after correcting their spelling (`"ISO IR 100"`, `"ISO_IR100"`),
    /// each with the defined term it was taken for.
    public let misspelledTerms: [String: String]
    /// Recognised values that cannot take part: repeats, and any value besides `ISO_IR 192`,
    /// `GB18030` or `GBK`, which allow no code extensions.
    public let ignoredTerms: [String]

    let scheme: Scheme

    /// How bytes map to characters.
    enum Scheme: Sendable, Hashable {
        /// Single-byte sets, with or without ISO 2022 code extensions.
        case iso2022(ISO2022)
        /// ISO_IR 192.
        case utf8
        /// GB18030: one, two or four bytes per character.
        case gb18030
        /// GBK: the one- and two-byte part of GB18030 that GBK defines.
        case gbk
    }

    /// The ISO 2022 state machine's configuration (PS3.5 §6.1.2.5).
    struct ISO2022: Sendable, Hashable {
        /// G0 after each reset: ASCII, or JIS X 0201 Romaji when value 1 is ISO 2022 IR 13.
        var initialG0: GraphicSet
        /// G1 after each reset: the upper half named by value 1, if any.
        var initialG1: GraphicSet?
        /// False for one value in its `ISO_IR` form: the encoder then never writes an escape sequence.
        var codeExtensions: Bool
        /// The declared sets in the order of (0008,0005); the encoder picks the first that fits.
        var repertoire: [GraphicSet]
    }

    /// Parses the values of (0008,0005) as read; an empty list or a single empty value is the default
    /// repertoire.
    public init(terms: [String]) {
        let trimmed = terms.map(Self.trim)
        var unknown: [String] = []
        var misspelled: [String: String] = [:]
        var ignored: [String] = []

        // Resolve each value to what it means; nil for values that mean nothing.
        var meanings: [Meaning?] = []
        for (index, term) in trimmed.enumerated() {
            if term.isEmpty {
                // An empty value 1 stands for ISO 2022 IR 6; an empty later value is meaningless.
                meanings.append(index == 0 ? .graphic([.ascii], iso2022: trimmed.count > 1) : nil)
                continue
            }
            if let meaning = Self.definedTerms[term] {
                meanings.append(meaning)
            } else if let corrected = Self.correctedSpelling(of: term), let meaning = Self.definedTerms[corrected] {
                misspelled[term] = corrected
                meanings.append(meaning)
            } else {
                unknown.append(term)
                meanings.append(nil)
            }
        }

        var scheme = Scheme.iso2022(ISO2022(initialG0: .ascii, initialG1: nil, codeExtensions: false, repertoire: [.ascii]))
        switch meanings.first ?? nil {
        case .utf8?, .gb18030?, .gbk?:
            // No code extensions with these: every other value is ignored.
            switch meanings[0] {
            case .utf8?: scheme = .utf8
            case .gb18030?: scheme = .gb18030
            default: scheme = .gbk
            }
            for (term, meaning) in zip(trimmed, meanings).dropFirst() where meaning != nil {
                ignored.append(term)
            }
        default:
            var config = ISO2022(initialG0: .ascii, initialG1: nil, codeExtensions: trimmed.count > 1, repertoire: [.ascii])
            if case .graphic(let sets, let iso2022)? = meanings.first ?? nil {
                if sets.contains(.jisX0201Romaji) { config.initialG0 = .jisX0201Romaji }
                config.initialG1 = sets.first { $0.isG1 }
                config.codeExtensions = config.codeExtensions || iso2022
            }
            var seen: Set<String> = []
            for (term, meaning) in zip(trimmed, meanings) {
                guard let meaning else { continue }
                guard case .graphic(let sets, _) = meaning, seen.insert(term).inserted else {
                    ignored.append(term)
                    continue
                }
                for set in sets where !config.repertoire.contains(set) {
                    config.repertoire.append(set)
                }
            }
            scheme = .iso2022(config)
        }

        self.terms = trimmed
        self.unknownTerms = unknown
        self.misspelledTerms = misspelled
        self.ignoredTerms = ignored
        self.scheme = scheme
    }

    /// Parses a whole (0008,0005) value, its values separated by backslash.
    public init(value: String) {
        self.init(terms: value.isEmpty ? [] : value.split(separator: "\\", omittingEmptySubsequences: false).map(String.init))
    }

    /// The default character repertoire, ISO_IR 6 (ASCII): (0008,0005) absent or empty.
    public static let `default` = SpecificCharacterSet(terms: [])

    /// Unicode in UTF-8, ISO_IR 192.
    public static let utf8 = SpecificCharacterSet(terms: ["ISO_IR 192"])

    /// True for the default repertoire (nothing declared, or only ISO_IR 6).
    public var isDefault: Bool {
        if case .iso2022(let config) = scheme {
            return config.repertoire == [.ascii]
        }
        return false
    }

    /// True when text in this set is also valid UTF-8 meaning the same (the default repertoire and
    /// ISO_IR 192), so bytes can be passed through without conversion.
    public var isUTF8Compatible: Bool {
        scheme == .utf8 || isDefault
    }

    /// True when every Unicode character can be encoded (ISO_IR 192 and GB18030).
    public var encodesAllCharacters: Bool {
        scheme == .utf8 || scheme == .gb18030
    }

    /// True when text may switch sets with ISO 2022 escape sequences.
    public var usesCodeExtensions: Bool {
        if case .iso2022(let config) = scheme { return config.codeExtensions }
        return false
    }

    /// True when a value needs no warning: every term was recognised as written and used.
    public var hasIssues: Bool {
        !unknownTerms.isEmpty || !misspelledTerms.isEmpty || !ignoredTerms.isEmpty
    }

    private static func trim(_ term: String) -> String {
        var scalars = Substring(term).unicodeScalars
        while let first = scalars.first, first == " " || first == "\0" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\0" { scalars.removeLast() }
        return String(scalars)
    }
}

extension SpecificCharacterSet: CustomStringConvertible {
    /// The (0008,0005) value, its terms joined with backslash.
    public var description: String {
        terms.joined(separator: "\\")
    }
}
