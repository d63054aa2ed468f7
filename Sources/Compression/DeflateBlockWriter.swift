/// Collects LZ77 symbols for one DEFLATE block and writes the block in whichever form is
/// smallest: stored, fixed Huffman, or dynamic Huffman (RFC 1951 §3.2.4–3.2.7).
///
/// Each symbol is a `UInt32`: a literal byte (upper half zero) or a match, distance in the upper
/// half and length in the lower. Frequencies are counted as symbols arrive. The writer owns raw
/// memory, freed by `deallocate()`.
struct DeflateBlockWriter {
    static let symbolCapacity = 16384
    static let literalSymbols = 286
    static let distanceSymbols = 30

    var out: BitWriter
    let symbols: UnsafeMutablePointer<UInt32>
    var symbolCount = 0

    let literalFrequencies: UnsafeMutablePointer<UInt32>
    let distanceFrequencies: UnsafeMutablePointer<UInt32>
    let codeLengthFrequencies: UnsafeMutablePointer<UInt32>
    let literalLengths: UnsafeMutablePointer<UInt8>
    let distanceLengths: UnsafeMutablePointer<UInt8>
    let codeLengthLengths: UnsafeMutablePointer<UInt8>
    let literalCodes: UnsafeMutablePointer<UInt16>
    let distanceCodes: UnsafeMutablePointer<UInt16>
    let codeLengthCodes: UnsafeMutablePointer<UInt16>
    let fixedLiteralLengths: UnsafeMutablePointer<UInt8>
    let fixedLiteralCodes: UnsafeMutablePointer<UInt16>
    let fixedDistanceLengths: UnsafeMutablePointer<UInt8>
    let fixedDistanceCodes: UnsafeMutablePointer<UInt16>
    /// Run-length coded code lengths of a dynamic header: symbol 0...18 and its extra-bits value.
    let runs: UnsafeMutablePointer<UInt16>

    /// Length − 3 → length symbol − 257.
    let lengthCode: UnsafeMutablePointer<UInt8>
    let lengthBase: UnsafeMutablePointer<UInt16>
    let lengthExtra: UnsafeMutablePointer<UInt8>
    let distanceBase: UnsafeMutablePointer<UInt16>
    let distanceExtra: UnsafeMutablePointer<UInt8>

    init() {
        out = BitWriter(capacity: 1 << 16)
        symbols = .allocate(capacity: Self.symbolCapacity)
        literalFrequencies = .allocate(capacity: 288)
        literalFrequencies.initialize(repeating: 0, count: 288)
        distanceFrequencies = .allocate(capacity: 32)
        distanceFrequencies.initialize(repeating: 0, count: 32)
        codeLengthFrequencies = .allocate(capacity: 19)
        literalLengths = .allocate(capacity: 288)
        distanceLengths = .allocate(capacity: 32)
        codeLengthLengths = .allocate(capacity: 19)
        literalCodes = .allocate(capacity: 288)
        distanceCodes = .allocate(capacity: 32)
        codeLengthCodes = .allocate(capacity: 19)
        fixedLiteralLengths = .allocate(capacity: 288)
        fixedLiteralCodes = .allocate(capacity: 288)
        fixedDistanceLengths = .allocate(capacity: 32)
        fixedDistanceCodes = .allocate(capacity: 32)
        runs = .allocate(capacity: 2 * (Self.literalSymbols + Self.distanceSymbols))
        lengthCode = .allocate(capacity: 256)
        lengthBase = .allocate(capacity: 29)
        lengthExtra = .allocate(capacity: 29)
        distanceBase = .allocate(capacity: 30)
        distanceExtra = .allocate(capacity: 30)

        fixedLiteralLengths.initialize(from: DeflateConstants.fixedLiteralLengths, count: 288)
        fixedDistanceLengths.initialize(from: DeflateConstants.fixedDistanceLengths, count: 32)
        HuffmanCodeBuilder.codes(lengths: fixedLiteralLengths, count: 288, into: fixedLiteralCodes)
        HuffmanCodeBuilder.codes(lengths: fixedDistanceLengths, count: 32, into: fixedDistanceCodes)
        lengthBase.initialize(from: DeflateConstants.lengthBase, count: 29)
        lengthExtra.initialize(from: DeflateConstants.lengthExtra, count: 29)
        distanceBase.initialize(from: DeflateConstants.distanceBase, count: 30)
        distanceExtra.initialize(from: DeflateConstants.distanceExtra, count: 30)
        for code in 0..<28 {
            let base = Int(lengthBase[code]) - 3
            for i in 0..<(1 << Int(lengthExtra[code])) { lengthCode[base + i] = UInt8(code) }
        }
        lengthCode[255] = 28
    }

    func deallocate() {
        out.deallocate()
        symbols.deallocate()
        literalFrequencies.deallocate()
        distanceFrequencies.deallocate()
        codeLengthFrequencies.deallocate()
        literalLengths.deallocate()
        distanceLengths.deallocate()
        codeLengthLengths.deallocate()
        literalCodes.deallocate()
        distanceCodes.deallocate()
        codeLengthCodes.deallocate()
        fixedLiteralLengths.deallocate()
        fixedLiteralCodes.deallocate()
        fixedDistanceLengths.deallocate()
        fixedDistanceCodes.deallocate()
        runs.deallocate()
        lengthCode.deallocate()
        lengthBase.deallocate()
        lengthExtra.deallocate()
        distanceBase.deallocate()
        distanceExtra.deallocate()
    }

    /// The distance symbol (0...29) of `distance − 1`.
    @inline(__always)
    static func distanceCode(_ d: Int) -> Int {
        if d < 4 { return d }
        let top = Int.bitWidth - 1 - d.leadingZeroBitCount
        return 2 * top + ((d >> (top - 1)) & 1)
    }

    /// Records a literal byte; true when the symbol buffer is full.
    @inline(__always)
    mutating func recordLiteral(_ byte: UInt8) -> Bool {
        symbols[symbolCount] = UInt32(byte)
        symbolCount += 1
        literalFrequencies[Int(byte)] += 1
        return symbolCount == Self.symbolCapacity
    }

    /// Records a match (length 3...258, distance 1...32768); true when the symbol buffer is full.
    @inline(__always)
    mutating func recordMatch(length: Int, distance: Int) -> Bool {
        symbols[symbolCount] = UInt32(truncatingIfNeeded: distance) << 16 | UInt32(truncatingIfNeeded: length)
        symbolCount += 1
        literalFrequencies[257 + Int(lengthCode[length - 3])] += 1
        distanceFrequencies[Self.distanceCode(distance - 1)] += 1
        return symbolCount == Self.symbolCapacity
    }

    /// Writes the recorded symbols as one block; `raw` holds the `rawCount` input bytes they
    /// encode (for the stored form). Clears the symbols.
    mutating func writeBlock(raw: UnsafePointer<UInt8>, rawCount: Int, isFinal: Bool) {
        literalFrequencies[256] = 1
        HuffmanCodeBuilder.lengths(
            frequencies: literalFrequencies, count: Self.literalSymbols, maxBits: 15, into: literalLengths)
        HuffmanCodeBuilder.lengths(
            frequencies: distanceFrequencies, count: Self.distanceSymbols, maxBits: 15, into: distanceLengths)
        var literalCount = Self.literalSymbols
        while literalCount > 257 && literalLengths[literalCount - 1] == 0 { literalCount -= 1 }
        var distanceCount = Self.distanceSymbols
        while distanceCount > 1 && distanceLengths[distanceCount - 1] == 0 { distanceCount -= 1 }

        let runCount = encodeRuns(literalCount: literalCount, distanceCount: distanceCount)
        HuffmanCodeBuilder.lengths(
            frequencies: codeLengthFrequencies, count: 19, maxBits: 7, into: codeLengthLengths)
        var codeLengthCount = 19
        while codeLengthCount > 4
            && codeLengthLengths[DeflateConstants.codeLengthOrder[codeLengthCount - 1]] == 0
        {
            codeLengthCount -= 1
        }

        var extraBits = 0
        for i in 0..<29 { extraBits += Int(literalFrequencies[257 + i]) * Int(lengthExtra[i]) }
        for i in 0..<30 { extraBits += Int(distanceFrequencies[i]) * Int(distanceExtra[i]) }
        var dynamicBits = 3 + 14 + 3 * codeLengthCount + extraBits
        dynamicBits += Int(codeLengthFrequencies[16]) * 2 + Int(codeLengthFrequencies[17]) * 3
            + Int(codeLengthFrequencies[18]) * 7
        for i in 0..<19 { dynamicBits += Int(codeLengthFrequencies[i]) * Int(codeLengthLengths[i]) }
        var fixedBits = 3 + extraBits
        for i in 0..<Self.literalSymbols {
            dynamicBits += Int(literalFrequencies[i]) * Int(literalLengths[i])
            fixedBits += Int(literalFrequencies[i]) * Int(fixedLiteralLengths[i])
        }
        for i in 0..<Self.distanceSymbols {
            dynamicBits += Int(distanceFrequencies[i]) * Int(distanceLengths[i])
            fixedBits += Int(distanceFrequencies[i]) * 5
        }
        let chunks = max(1, (rawCount + 65534) / 65535)
        let padding = (8 - (out.bitCount + 3) % 8) % 8
        let storedBits = 3 + padding + 32 + (chunks - 1) * 40 + 8 * rawCount

        if storedBits <= fixedBits && storedBits <= dynamicBits {
            writeStored(raw: raw, count: rawCount, isFinal: isFinal)
        } else {
            out.reserve(symbolCount * 6 + 1024)
            let finalBit: UInt64 = isFinal ? 1 : 0
            if fixedBits <= dynamicBits {
                out.write(finalBit | 1 << 1, 3)
                writeSymbols(
                    literalCodes: fixedLiteralCodes, literalLengths: fixedLiteralLengths,
                    distanceCodes: fixedDistanceCodes, distanceLengths: fixedDistanceLengths)
            } else {
                out.write(finalBit | 2 << 1, 3)
                out.write(UInt64(literalCount - 257), 5)
                out.write(UInt64(distanceCount - 1), 5)
                out.write(UInt64(codeLengthCount - 4), 4)
                for i in 0..<codeLengthCount {
                    out.write(UInt64(codeLengthLengths[DeflateConstants.codeLengthOrder[i]]), 3)
                }
                HuffmanCodeBuilder.codes(lengths: codeLengthLengths, count: 19, into: codeLengthCodes)
                for r in 0..<runCount {
                    let symbol = Int(runs[2 * r])
                    out.write(UInt64(codeLengthCodes[symbol]), Int(codeLengthLengths[symbol]))
                    switch symbol {
                    case 16: out.write(UInt64(runs[2 * r + 1]), 2)
                    case 17: out.write(UInt64(runs[2 * r + 1]), 3)
                    case 18: out.write(UInt64(runs[2 * r + 1]), 7)
                    default: break
                    }
                }
                HuffmanCodeBuilder.codes(lengths: literalLengths, count: Self.literalSymbols, into: literalCodes)
                HuffmanCodeBuilder.codes(lengths: distanceLengths, count: Self.distanceSymbols, into: distanceCodes)
                writeSymbols(
                    literalCodes: literalCodes, literalLengths: literalLengths,
                    distanceCodes: distanceCodes, distanceLengths: distanceLengths)
            }
        }
        symbolCount = 0
        literalFrequencies.update(repeating: 0, count: 288)
        distanceFrequencies.update(repeating: 0, count: 32)
    }

    /// Writes `count` bytes as stored blocks of at most 65535 bytes; the last is final if `isFinal`.
    mutating func writeStored(raw: UnsafePointer<UInt8>, count: Int, isFinal: Bool) {
        out.reserve(count + 5 * (count / 65535 + 1) + 16)
        var offset = 0
        repeat {
            let n = min(65535, count - offset)
            let last = isFinal && offset + n == count
            out.write(last ? 1 : 0, 3)
            out.alignToByte()
            out.write(UInt64(n) | UInt64(~n & 0xFFFF) << 16, 32)
            out.writeBytes(raw + offset, count: n)
            offset += n
        } while offset < count
    }

    /// Run-length codes the literal/length and distance code lengths (as one sequence) into
    /// `runs` with symbols 16 (repeat previous 3–6), 17 (zeros 3–10) and 18 (zeros 11–138), and
    /// counts the code-length symbols. Returns the number of runs.
    private mutating func encodeRuns(literalCount: Int, distanceCount: Int) -> Int {
        codeLengthFrequencies.update(repeating: 0, count: 19)
        let total = literalCount + distanceCount
        func length(_ i: Int) -> UInt8 {
            i < literalCount ? literalLengths[i] : distanceLengths[i - literalCount]
        }
        var runCount = 0
        func emit(_ symbol: Int, _ extra: Int = 0) {
            runs[2 * runCount] = UInt16(symbol)
            runs[2 * runCount + 1] = UInt16(extra)
            runCount += 1
            codeLengthFrequencies[symbol] += 1
        }
        var i = 0
        while i < total {
            let value = length(i)
            var run = 1
            while i + run < total && length(i + run) == value { run += 1 }
            i += run
            if value == 0 {
                while run >= 11 {
                    let n = min(run, 138)
                    emit(18, n - 11)
                    run -= n
                }
                if run >= 3 {
                    emit(17, run - 3)
                    run = 0
                }
            } else {
                emit(Int(value))
                run -= 1
                while run >= 3 {
                    let n = min(run, 6)
                    emit(16, n - 3)
                    run -= n
                }
            }
            while run > 0 {
                emit(Int(value))
                run -= 1
            }
        }
        return runCount
    }

    private mutating func writeSymbols(
        literalCodes: UnsafeMutablePointer<UInt16>, literalLengths: UnsafeMutablePointer<UInt8>,
        distanceCodes: UnsafeMutablePointer<UInt16>, distanceLengths: UnsafeMutablePointer<UInt8>
    ) {
        for i in 0..<symbolCount {
            let s = symbols[i]
            let distance = Int(s >> 16)
            if distance == 0 {
                let b = Int(s & 0xFF)
                out.write(UInt64(literalCodes[b]), Int(literalLengths[b]))
                continue
            }
            let length = Int(s & 0xFFFF)
            let lc = Int(lengthCode[length - 3])
            let lengthBits = Int(literalLengths[257 + lc])
            out.write(
                UInt64(literalCodes[257 + lc]) | UInt64(length - Int(lengthBase[lc])) << UInt64(lengthBits),
                lengthBits + Int(lengthExtra[lc]))
            let dc = Self.distanceCode(distance - 1)
            let distanceBits = Int(distanceLengths[dc])
            out.write(
                UInt64(distanceCodes[dc]) | UInt64(distance - Int(distanceBase[dc])) << UInt64(distanceBits),
                distanceBits + Int(distanceExtra[dc]))
        }
        out.write(UInt64(literalCodes[256]), Int(literalLengths[256]))
    }
}
