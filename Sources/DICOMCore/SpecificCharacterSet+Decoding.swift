import DICOMDictionary

extension SpecificCharacterSet {
    /// Decodes the bytes of one whole element value of `vr` (all its values, with their backslashes).
    ///
    /// VRs that do not use the Specific Character Set (CS, UI, DA, …) are read in the default repertoire.
    /// Bytes that mean nothing become U+FFFD; this never fails. Padding is left for the caller to trim.
    public func decode(_ bytes: UnsafeRawBufferPointer, vr: VR) -> String {
        if bytes.isEmpty { return "" }
        guard vr.usesSpecificCharacterSet else {
            // The default repertoire is ASCII. Bytes beyond it are invalid here; when they are
            // well-formed UTF-8 (what DICOM JSON and most writers put there) they are shown as
            // such, so a JSON round trip is a fixed point; otherwise U+FFFD per byte.
            if Self.isASCII(bytes, allowingEscape: true) { return String(decoding: bytes, as: UTF8.self) }
            return String(validatingUTF8Bytes: bytes) ?? Self.decodeASCII(bytes)
        }
        switch scheme {
        case .utf8:
            // The standard library validates and repairs (U+FFFD per maximal invalid subsequence).
            return String(decoding: bytes, as: UTF8.self)
        case .gb18030, .gbk:
            if Self.isASCII(bytes, allowingEscape: true) { return String(decoding: bytes, as: UTF8.self) }
            return Self.decodeGB(bytes, gbk: scheme == .gbk)
        case .iso2022(let config):
            if Self.isASCII(bytes, allowingEscape: false) { return String(decoding: bytes, as: UTF8.self) }
            return Self.decodeISO2022(bytes, config: config, delimiters: Delimiters(vr: vr))
        }
    }

    /// Decodes the bytes of one whole element value of `vr`; see `decode(_:vr:)`.
    public func decode<Bytes: Collection>(_ bytes: Bytes, vr: VR) -> String where Bytes.Element == UInt8 {
        if let decoded = bytes.withContiguousStorageIfAvailable({ decode(UnsafeRawBufferPointer($0), vr: vr) }) {
            return decoded
        }
        return Array(bytes).withUnsafeBytes { decode($0, vr: vr) }
    }

    /// The bytes at which the ISO 2022 state returns to its initial designations (PS3.5 §6.1.2.5.3),
    /// besides control characters: the PN delimiters and the value delimiter.
    struct Delimiters {
        let caret: Bool
        let equals: Bool
        let backslash: Bool

        init(vr: VR) {
            caret = vr == .PN
            equals = vr == .PN
            backslash = vr.allowsMultipleStringValues
        }

        @inline(__always)
        func contains(_ byte: UInt8) -> Bool {
            switch byte {
            case 0x5E: return caret
            case 0x3D: return equals
            case 0x5C: return backslash
            default: return false
            }
        }
    }

    // MARK: Fast path

    /// True when all bytes are below 0x80 (and none is ESC unless `allowingEscape`), looking at eight
    /// bytes at a time.
    static func isASCII(_ bytes: UnsafeRawBufferPointer, allowingEscape: Bool) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        let escapes: UInt64 = 0x1B1B_1B1B_1B1B_1B1B
        var index = 0
        while index + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if word & high != 0 { return false }
            if !allowingEscape {
                let x = word ^ escapes  // a zero byte where ESC was
                if (x &- ones) & ~x & high != 0 { return false }
            }
            index += 8
        }
        while index < count {
            let byte = bytes[index]
            if byte >= 0x80 || (byte == 0x1B && !allowingEscape) { return false }
            index += 1
        }
        return true
    }

    static func decodeASCII(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 3) { buffer in
            var out = UTF8Output(buffer)
            for byte in bytes {
                out.append(byte < 0x80 ? UInt32(byte) : 0xFFFD)
            }
            return out.count
        }
    }

    // MARK: ISO 2022 and single-byte sets

    /// A set designated into G0 or G1, with its table at hand.
    struct Register {
        enum Kind {
            case none, identity, katakana, upperHalf, twoByte
        }

        let kind: Kind
        let table: [UInt16]

        init(_ set: GraphicSet?) {
            switch set {
            case nil: (kind, table) = (.none, [])
            case .ascii?, .jisX0201Romaji?: (kind, table) = (.identity, [])
            case .jisX0201Katakana?: (kind, table) = (.katakana, [])
            case let set?:
                if let upperHalf = set.upperHalf {
                    (kind, table) = (.upperHalf, upperHalf)
                } else {
                    (kind, table) = (.twoByte, set.twoByteTable ?? [])
                }
            }
        }

        /// The code point of a one-byte character at `position` (0x00...0x7F).
        @inline(__always)
        func scalar(at position: UInt8) -> UInt32 {
            switch kind {
            case .identity: return UInt32(position)
            case .katakana: return (0x21...0x5F).contains(position) ? 0xFF61 + UInt32(position - 0x21) : 0xFFFD
            case .upperHalf: return UInt32(table[Int(position)])
            case .none, .twoByte: return 0xFFFD
            }
        }

        /// The code point of a two-byte character at row and cell (each 0x21...0x7E).
        @inline(__always)
        func scalar(row: UInt8, cell: UInt8) -> UInt32 {
            let value = table[Int(row &- 0x21) * 94 + Int(cell &- 0x21)]
            return value == 0 ? 0xFFFD : UInt32(value)
        }
    }

    /// Runs the ISO 2022 state machine of PS3.5 §6.1.2.5 over one value. Escape sequences are honoured in
    /// every mode (a stray ESC in a single-byte value is passed through as U+001B when it designates
    /// nothing), since data sets that use ISO 2022 without declaring it are common.
    static func decodeISO2022(_ bytes: UnsafeRawBufferPointer, config: ISO2022, delimiters: Delimiters) -> String {
        let count = bytes.count
        let initialG0 = Register(config.initialG0)
        let initialG1 = Register(config.initialG1)
        // Each byte makes at most three bytes of UTF-8 (U+FFFD, or one BMP character for two bytes).
        return String(unsafeUninitializedCapacity: count * 3) { buffer in
            var out = UTF8Output(buffer)
            var g0 = initialG0
            var g1 = initialG1
            var index = 0
            while index < count {
                let byte = bytes[index]
                if byte >= 0x80 {
                    // G1: one byte, or two bytes both in 0xA1...0xFE.
                    if g1.kind == .twoByte {
                        if byte >= 0xA1, byte <= 0xFE, index + 1 < count, (0xA1...0xFE).contains(bytes[index + 1]) {
                            out.append(g1.scalar(row: byte & 0x7F, cell: bytes[index + 1] & 0x7F))
                            index += 2
                            continue
                        }
                        out.append(0xFFFD)
                    } else {
                        out.append(g1.scalar(at: byte & 0x7F))
                    }
                    index += 1
                    continue
                }
                if byte > 0x20, byte < 0x7F, g0.kind == .identity, !delimiters.contains(byte) {
                    out.append(UInt32(byte))  // the common case: ASCII in G0
                    index += 1
                    continue
                }
                if g0.kind == .twoByte, byte > 0x20, byte < 0x7F, index + 1 < count,
                    (0x21...0x7E).contains(bytes[index + 1])
                {
                    out.append(g0.scalar(row: byte, cell: bytes[index + 1]))  // G0 two-byte, even '^' first
                    index += 2
                    continue
                }
                if byte == 0x1B {
                    // ESC, intermediate bytes 0x20...0x2F, a final byte 0x30...0x7E.
                    var end = index + 1
                    while end < count, (0x20...0x2F).contains(bytes[end]) { end += 1 }
                    guard end < count, end > index + 1, (0x30...0x7E).contains(bytes[end]) else {
                        out.append(config.codeExtensions ? 0xFFFD : 0x1B)
                        index += 1
                        continue
                    }
                    let sequence = UnsafeRawBufferPointer(rebasing: bytes[(index + 1)...end])
                    if let (set, intoG1) = GraphicSet.designated(by: sequence) {
                        if intoG1 { g1 = Register(set) } else { g0 = Register(set) }
                    } else if config.codeExtensions {
                        out.append(0xFFFD)  // a designation of a set we do not know
                    } else {
                        out.append(0x1B)
                        index += 1
                        continue
                    }
                    index = end + 1
                    continue
                }
                if byte < 0x20 || delimiters.contains(byte) {
                    g0 = initialG0
                    g1 = initialG1
                    out.append(UInt32(byte))
                } else if byte == 0x20 || byte == 0x7F {
                    out.append(UInt32(byte))
                } else {
                    out.append(g0.scalar(at: byte))  // U+FFFD for half a two-byte character
                }
                index += 1
            }
            return out.count
        }
    }

    // MARK: GB18030 and GBK

    static func decodeGB(_ bytes: UnsafeRawBufferPointer, gbk: Bool) -> String {
        let twoByte = Tables.gb18030TwoByte
        let mask = gbk ? Tables.gbkMask : []
        let count = bytes.count
        // One byte makes at most three bytes of UTF-8, four bytes at most four.
        return String(unsafeUninitializedCapacity: count * 3) { buffer in
            var out = UTF8Output(buffer)
            var index = 0
            while index < count {
                let lead = bytes[index]
                if lead < 0x80 {
                    out.append(UInt32(lead))
                    index += 1
                    continue
                }
                guard lead != 0x80, lead != 0xFF, index + 1 < count else {
                    out.append(0xFFFD)
                    index += 1
                    continue
                }
                let second = bytes[index + 1]
                if let position = Tables.gb18030TwoByteIndex(lead: lead, trail: second) {
                    let defined = !gbk || mask[position >> 3] & (1 << (position & 7)) != 0
                    out.append(defined && twoByte[position] != 0 ? UInt32(twoByte[position]) : 0xFFFD)
                    index += 2
                } else if !gbk, (0x30...0x39).contains(second), index + 3 < count,
                    (0x81...0xFE).contains(bytes[index + 2]), (0x30...0x39).contains(bytes[index + 3])
                {
                    out.append(gb18030FourByte(lead, second, bytes[index + 2], bytes[index + 3]))
                    index += 4
                } else {
                    out.append(0xFFFD)
                    index += 1
                }
            }
            return out.count
        }
    }

    /// The code point of a GB18030 four-byte code, U+FFFD where it has none.
    static func gb18030FourByte(_ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8) -> UInt32 {
        let linear = ((UInt32(b1 - 0x81) * 10 + UInt32(b2 - 0x30)) * 126 + UInt32(b3 - 0x81)) * 10 + UInt32(b4 - 0x30)
        if linear < Tables.gb18030FourByteBMPEnd {
            // The last run starting at or before `linear`.
            let ranges = Tables.gb18030FourByteRanges
            var low = 0
            var high = ranges.count / 2 - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if ranges[2 * middle] <= linear { low = middle } else { high = middle - 1 }
            }
            return ranges[2 * low + 1] + (linear - ranges[2 * low])
        }
        // Supplementary planes: linear from 0x90308130 (189000) up, in code point order.
        let supplementary: UInt32 = 189_000
        if linear >= supplementary, linear - supplementary <= 0x10FFFF - 0x10000 {
            return 0x10000 + (linear - supplementary)
        }
        return 0xFFFD
    }

    /// Writes code points as UTF-8 into a buffer the caller made large enough.
    struct UTF8Output {
        private let buffer: UnsafeMutableBufferPointer<UInt8>
        private(set) var count = 0

        init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
            self.buffer = buffer
        }

        @inline(__always)
        mutating func append(_ scalar: UInt32) {
            if scalar < 0x80 {
                buffer[count] = UInt8(truncatingIfNeeded: scalar)
                count += 1
                return
            }
            let continuation: UInt32 = 0x80
            let low = UInt8(truncatingIfNeeded: scalar & 0x3F | continuation)
            if scalar < 0x800 {
                buffer[count] = UInt8(truncatingIfNeeded: scalar >> 6 | 0xC0)
                buffer[count + 1] = low
                count += 2
                return
            }
            let middle = UInt8(truncatingIfNeeded: scalar >> 6 & 0x3F | continuation)
            if scalar < 0x10000 {
                buffer[count] = UInt8(truncatingIfNeeded: scalar >> 12 | 0xE0)
                count += 1
            } else {
                buffer[count] = UInt8(truncatingIfNeeded: scalar >> 18 | 0xF0)
                buffer[count + 1] = UInt8(truncatingIfNeeded: scalar >> 12 & 0x3F | continuation)
                count += 2
            }
            buffer[count] = middle
            buffer[count + 1] = low
            count += 2
        }
    }
}

extension String {
    /// The bytes as UTF-8 text, or nil when they are not well-formed UTF-8.
    init?(validatingUTF8Bytes bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.utf8.count == bytes.count, text.utf8.elementsEqual(bytes) else { return nil }
        self = text
    }
}
