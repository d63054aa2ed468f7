import DICOMDictionary
import Foundation

extension SpecificCharacterSet {
    /// Encodes one whole element value of `vr` (values joined with backslash, PN components with `^` and
    /// `=`), or returns nil when some character cannot be written in this character set.
    ///
    /// With ISO 2022 code extensions it writes the escape sequences PS3.5 §6.1.2.5.3 and Annexes H, I and K
    /// show: a set is designated before its first character, and the initial designations of value 1
    /// come back before each control character, delimiter and the end of the value. Among the declared
    /// sets that have a character, the one already designated wins, then the first in (0008,0005) order.
    /// VRs that do not use the Specific Character Set take ASCII only. No padding is added.
    public func encode(_ string: String, vr: VR) -> [UInt8]? {
        if let bytes = encode(string.unicodeScalars, vr: vr) { return bytes }
        // A character written decomposed (e + U+0301) may be in the set precomposed (é).
        let composed = string.precomposedStringWithCanonicalMapping
        guard !composed.unicodeScalars.elementsEqual(string.unicodeScalars) else { return nil }
        return encode(composed.unicodeScalars, vr: vr)
    }

    private func encode(_ scalars: String.UnicodeScalarView, vr: VR) -> [UInt8]? {
        let isASCII = scalars.allSatisfy { $0.isASCII }
        guard vr.usesSpecificCharacterSet else {
            return isASCII ? Array(String(scalars).utf8) : nil
        }
        switch scheme {
        case .utf8:
            return Array(String(scalars).utf8)
        case .gb18030, .gbk:
            return isASCII ? Array(String(scalars).utf8) : Self.encodeGB(scalars, gbk: scheme == .gbk)
        case .iso2022(let config):
            if isASCII, !(config.codeExtensions && scalars.contains("\u{1B}")) {
                return Array(String(scalars).utf8)
            }
            return Self.encodeISO2022(scalars, config: config, delimiters: Delimiters(vr: vr))
        }
    }

    // MARK: ISO 2022 and single-byte sets

    static func encodeISO2022(_ scalars: String.UnicodeScalarView, config: ISO2022, delimiters: Delimiters) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(scalars.count * 2)
        // A two-byte set named by value 1 is designated explicitly all the same, for readers that only
        // expect single-byte sets there (PS3.3 C.12.1.1.2 puts two-byte sets in values 2 and later).
        let startG1 = config.initialG1.flatMap { $0.structure == .set94x94 ? nil : $0 }
        var g0 = config.initialG0
        var g1 = startG1

        func returnToInitial(_ out: inout [UInt8], _ g0: inout GraphicSet, _ g1: inout GraphicSet?) {
            if g0 != config.initialG0 {
                out += config.initialG0.designation
                g0 = config.initialG0
            }
            if g1 != startG1 {
                if let startG1 { out += startG1.designation }
                g1 = startG1
            }
        }

        func emit(_ position: UInt16, of set: GraphicSet, into out: inout [UInt8]) {
            let high: UInt8 = set.isG1 ? 0x80 : 0x00
            if set.structure == .set94x94 {
                out.append(UInt8(position >> 8) | high)
            }
            out.append(UInt8(position & 0xFF) | high)
        }

        for scalar in scalars {
            let value = scalar.value
            if value < 0x80 {
                let byte = UInt8(value)
                if byte == 0x1B, config.codeExtensions { return nil }  // would read as an escape sequence
                if byte < 0x20 || delimiters.contains(byte) {
                    returnToInitial(&out, &g0, &g1)
                } else if g0.structure == .set94x94 || g0 == .jisX0201Katakana {
                    out += config.initialG0.designation
                    g0 = config.initialG0
                }
                out.append(byte)
                continue
            }
            if let current = g1, let position = current.position(of: value) {
                emit(position, of: current, into: &out)
                continue
            }
            if g0.structure == .set94x94, let position = g0.position(of: value) {
                emit(position, of: g0, into: &out)
                continue
            }
            guard config.codeExtensions else { return nil }
            var found = false
            for set in config.repertoire where set.structure != .set94 || set.isG1 {
                guard let position = set.position(of: value) else { continue }
                out += set.designation
                if set.isG1 { g1 = set } else { g0 = set }
                emit(position, of: set, into: &out)
                found = true
                break
            }
            if !found { return nil }
        }
        returnToInitial(&out, &g0, &g1)
        return out
    }

    // MARK: GB18030 and GBK

    static func encodeGB(_ scalars: String.UnicodeScalarView, gbk: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(scalars.count * 2)
        let reverse = Tables.gb18030TwoByteReverse
        let mask = gbk ? Tables.gbkMask : []
        for scalar in scalars {
            let value = scalar.value
            if value < 0x80 {
                out.append(UInt8(value))
                continue
            }
            if value <= 0xFFFF, let index = reverse[UInt16(value)].map(Int.init),
                !gbk || mask[index >> 3] & (1 << (index & 7)) != 0
            {
                let column = index % 190
                out.append(UInt8(index / 190 + 0x81))
                out.append(UInt8(column < 0x3F ? column + 0x40 : column + 0x41))
                continue
            }
            guard !gbk, let linear = gb18030FourByteLinear(of: value) else { return nil }
            var rest = linear
            let b4 = UInt8(rest % 10) + 0x30
            rest /= 10
            let b3 = UInt8(rest % 126) + 0x81
            rest /= 126
            let b2 = UInt8(rest % 10) + 0x30
            let b1 = UInt8(rest / 10) + 0x81
            out += [b1, b2, b3, b4]
        }
        return out
    }

    /// The linear index of the GB18030 four-byte code of a code point not in the two-byte part.
    static func gb18030FourByteLinear(of value: UInt32) -> UInt32? {
        if value >= 0x10000 {
            return value <= 0x10FFFF ? 189_000 + (value - 0x10000) : nil
        }
        let ranges = Tables.gb18030FourByteRanges
        let runs = ranges.count / 2
        guard runs > 0, value >= ranges[1] else { return nil }
        var low = 0
        var high = runs - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if ranges[2 * middle + 1] <= value { low = middle } else { high = middle - 1 }
        }
        let linear = ranges[2 * low] + (value - ranges[2 * low + 1])
        let end = low + 1 < runs ? ranges[2 * low + 2] : Tables.gb18030FourByteBMPEnd
        return linear < end ? linear : nil
    }
}
