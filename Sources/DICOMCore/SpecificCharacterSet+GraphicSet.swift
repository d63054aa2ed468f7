extension SpecificCharacterSet {
    /// A graphic character set that ISO 2022 designates into G0 or G1 (PS3.3 Tables C.12-3, C.12-4).
    enum GraphicSet: UInt8, Sendable, Hashable, CaseIterable {
        /// ISO-IR 6, ISO 646 US (ASCII): G0.
        case ascii
        /// ISO-IR 14, JIS X 0201 Romaji: G0. Decoded as ASCII, as other DICOM toolkits do, so that
        /// 05/12 stays the backslash delimiter rather than YEN SIGN.
        case jisX0201Romaji
        /// ISO-IR 13, JIS X 0201 half-width Katakana: G1.
        case jisX0201Katakana
        /// ISO-IR 100 … 203, 166: the upper (right-hand) halves of ISO 8859 and TIS 620, in G1.
        case latin1, latin2, latin3, latin4, cyrillic, arabic, greek, hebrew, latin5, latin9, thai
        /// ISO-IR 87, JIS X 0208: G0, two bytes.
        case jisX0208
        /// ISO-IR 159, JIS X 0212: G0, two bytes.
        case jisX0212
        /// ISO-IR 149, KS X 1001: G1, two bytes.
        case ksX1001
        /// ISO-IR 58, GB 2312: G1, two bytes.
        case gb2312

        enum Structure {
            /// 94 characters, one byte each.
            case set94
            /// 96 characters, one byte each.
            case set96
            /// 94 x 94 characters, two bytes each.
            case set94x94
        }

        var structure: Structure {
            switch self {
            case .ascii, .jisX0201Romaji, .jisX0201Katakana: return .set94
            case .jisX0208, .jisX0212, .ksX1001, .gb2312: return .set94x94
            default: return .set96
            }
        }

        /// True for the sets DICOM designates into G1 (the bytes with the high bit set).
        var isG1: Bool {
            switch self {
            case .ascii, .jisX0201Romaji, .jisX0208, .jisX0212: return false
            default: return true
            }
        }

        /// The escape sequence that designates this set where DICOM puts it (PS3.3 C.12-3, C.12-4).
        var designation: [UInt8] {
            switch self {
            case .ascii: return [0x1B, 0x28, 0x42]  // ESC ( B
            case .jisX0201Romaji: return [0x1B, 0x28, 0x4A]  // ESC ( J
            case .jisX0201Katakana: return [0x1B, 0x29, 0x49]  // ESC ) I
            case .latin1: return [0x1B, 0x2D, 0x41]  // ESC - A
            case .latin2: return [0x1B, 0x2D, 0x42]  // ESC - B
            case .latin3: return [0x1B, 0x2D, 0x43]  // ESC - C
            case .latin4: return [0x1B, 0x2D, 0x44]  // ESC - D
            case .cyrillic: return [0x1B, 0x2D, 0x4C]  // ESC - L
            case .arabic: return [0x1B, 0x2D, 0x47]  // ESC - G
            case .greek: return [0x1B, 0x2D, 0x46]  // ESC - F
            case .hebrew: return [0x1B, 0x2D, 0x48]  // ESC - H
            case .latin5: return [0x1B, 0x2D, 0x4D]  // ESC - M
            case .latin9: return [0x1B, 0x2D, 0x62]  // ESC - b
            case .thai: return [0x1B, 0x2D, 0x54]  // ESC - T
            case .jisX0208: return [0x1B, 0x24, 0x42]  // ESC $ B
            case .jisX0212: return [0x1B, 0x24, 0x28, 0x44]  // ESC $ ( D
            case .ksX1001: return [0x1B, 0x24, 0x29, 0x43]  // ESC $ ) C
            case .gb2312: return [0x1B, 0x24, 0x29, 0x41]  // ESC $ ) A
            }
        }

        /// The set and register an escape sequence designates, from its intermediate bytes and final byte
        /// (everything after ESC). Besides the sequences of PS3.3 it accepts the ISO 2022 synonyms seen in
        /// the wild: `ESC $ @` (JIS C 6226-1978, read as JIS X 0208), `ESC $ ( B`, `ESC ( I` (Katakana in G0),
        /// and two-byte sets in either register.
        static func designated(by sequence: UnsafeRawBufferPointer) -> (set: GraphicSet, g1: Bool)? {
            guard let final = sequence.last else { return nil }
            switch (sequence.count, sequence[0]) {
            case (2, 0x28), (2, 0x29):  // ESC ( F, ESC ) F: 94-character sets
                let g1 = sequence[0] == 0x29
                switch final {
                case 0x42 where !g1: return (.ascii, false)
                case 0x4A where !g1: return (.jisX0201Romaji, false)
                case 0x49: return (.jisX0201Katakana, g1)
                default: return nil
                }
            case (2, 0x2D):  // ESC - F: 96-character sets into G1
                return allCases.first { $0.structure == .set96 && $0.designation[2] == final }.map { ($0, true) }
            case (2, 0x24):  // ESC $ F: two-byte set into G0 (ISO 2022 short form)
                return twoByteSet(final: final).map { ($0, false) }
            case (3, 0x24) where sequence[1] == 0x28 || sequence[1] == 0x29:  // ESC $ ( F, ESC $ ) F
                return twoByteSet(final: final).map { ($0, sequence[1] == 0x29) }
            default:
                return nil
            }
        }

        private static func twoByteSet(final: UInt8) -> GraphicSet? {
            switch final {
            case 0x40, 0x42: return .jisX0208
            case 0x44: return .jisX0212
            case 0x43: return .ksX1001
            case 0x41: return .gb2312
            default: return nil
            }
        }

        // MARK: Decoding

        /// Bytes 0x80...0xFF of a one-byte upper-half set.
        var upperHalf: [UInt16]? {
            switch self {
            case .latin1: return Tables.latin1
            case .latin2: return Tables.latin2
            case .latin3: return Tables.latin3
            case .latin4: return Tables.latin4
            case .cyrillic: return Tables.cyrillic
            case .arabic: return Tables.arabic
            case .greek: return Tables.greek
            case .hebrew: return Tables.hebrew
            case .latin5: return Tables.latin5
            case .latin9: return Tables.latin9
            case .thai: return Tables.thai
            default: return nil
            }
        }

        /// The 94 x 94 table of a two-byte set.
        var twoByteTable: [UInt16]? {
            switch self {
            case .jisX0208: return Tables.jisX0208
            case .jisX0212: return Tables.jisX0212
            case .ksX1001: return Tables.ksX1001
            case .gb2312: return Tables.gb2312
            default: return nil
            }
        }

        // MARK: Encoding

        /// Where this set has `scalar`: the 7-bit position of a one-byte set, or row << 8 | cell of a
        /// two-byte set; nil when it has none.
        func position(of scalar: UInt32) -> UInt16? {
            switch self {
            case .ascii, .jisX0201Romaji:
                return (0x20...0x7E).contains(scalar) ? UInt16(scalar) : nil
            case .jisX0201Katakana:
                return (0xFF61...0xFF9F).contains(scalar) ? UInt16(scalar - 0xFF61 + 0x21) : nil
            default:
                guard scalar <= 0xFFFF, let reverse = Tables.reverse(of: self) else { return nil }
                return reverse[UInt16(scalar)]
            }
        }
    }
}
