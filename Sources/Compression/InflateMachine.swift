/// The DEFLATE decoder behind ``Inflater``: a resumable state machine over a bit buffer and an
/// output window.
///
/// Input arrives through `run`, which decodes until it needs more input, fills the output buffer,
/// or reaches the end of the stream. Every step reads only whole units (a header field, one code
/// length, one literal or one length/distance pair), and waits, consuming nothing of the unit, when
/// the bits for it have not all arrived; so input may be split anywhere, down to single bytes.
///
/// Output goes to `window`: up to 32 KiB of history followed by new bytes. `Inflater` hands the
/// bytes in `flushed..<written` to its caller, then `slide()` keeps the last 32 KiB and frees the
/// rest. ``Inflate`` instead points `window` at the storage of the result array, and when that
/// fills moves to a larger one, so that the whole output stays in place (see `Inflate.decompress`).
/// The state machine owns raw memory; `deallocate()` frees it.
struct InflateMachine {
    /// Where the decoder is in the stream.
    enum State {
        case zlibHeader
        case gzipHeader
        case blockHeader
        case storedHeader
        case storedCopy
        case dynamicHeader
        case codeLengthCodes
        case codeLengths
        case codes
        case trailer
        case gzipLength
        case done
    }

    /// Why `run` returned.
    enum Status {
        case needsInput
        case outputFull
        case finished
    }

    static let historySize = DeflateConstants.windowSize
    /// Bytes of the window buffer `Inflater` uses: history plus room for new output.
    static let streamingCapacity = historySize + 256 * 1024
    /// Bytes past `capacity` that the match copy may overwrite (it moves 8 bytes at a time).
    static let slack = 16

    let format: CompressionFormat
    /// The most output bytes allowed (Int.max when unlimited).
    let limit: Int

    /// Where output goes: `capacity` bytes, plus `slack` the match copy may scribble on.
    var window: UnsafeMutablePointer<UInt8>
    var capacity: Int
    /// The buffer allocated here, which `window` starts as; freed by `deallocate()`.
    let ownedWindow: UnsafeMutablePointer<UInt8>
    let literalTable: UnsafeMutablePointer<UInt32>
    let distanceTable: UnsafeMutablePointer<UInt32>
    let codeLengthTable: UnsafeMutablePointer<UInt32>
    /// Code lengths being read for a dynamic block (literal/length then distance).
    let lengths: UnsafeMutablePointer<UInt8>

    var state: State
    /// Input bits not yet used, next bit lowest. Outside `decodeCodes` the bits above `bitCount`
    /// are zero, so `need` can OR new bytes in and stored blocks can copy straight from the input.
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    /// Bytes taken from the caller's input so far, including those still in the bit buffer.
    var inputCount = 0
    /// Whole bytes read into the bit buffer past the end of the stream, returned to the caller.
    var unreadCount = 0
    /// Where the current `run` call's input started (for error offsets).
    var runStart: UnsafePointer<UInt8>

    /// Window index of the next output byte.
    var written = 0
    /// Window index up to which the caller has been handed the output.
    var flushed = 0
    /// Window index up to which the checksum covers the output.
    var checked = 0
    /// Output bytes that have slid out of the window before index 0.
    var outputBase = 0

    var isFinalBlock = false
    var storedRemaining = 0
    var literalCount = 0
    var distanceCount = 0
    var codeLengthCount = 0
    var lengthIndex = 0
    var fixedTablesLoaded = false

    var adler = Adler32()
    var crc = CRC32()
    var gzipStep = 0
    var gzipFlags = 0
    var gzipExtraRemaining = 0
    var gzipHeaderCRC = CRC32()

    /// A decoder with its own sliding window, or, with `ownsWindow` false, one whose caller
    /// points `window` and `capacity` at its own buffer before each `run`.
    init(format: CompressionFormat, limit: Int?, ownsWindow: Bool = true) {
        self.format = format
        self.limit = max(limit ?? Int.max, 0)
        // Left uninitialized: only bytes already written are ever read (matches are checked
        // against the output so far).
        capacity = ownsWindow ? Self.streamingCapacity : 0
        ownedWindow = .allocate(capacity: capacity + Self.slack)
        window = ownedWindow
        literalTable = .allocate(capacity: HuffmanDecodeTable.literalCapacity)
        literalTable.initialize(repeating: HuffmanDecodeTable.invalid, count: HuffmanDecodeTable.literalCapacity)
        distanceTable = .allocate(capacity: HuffmanDecodeTable.distanceCapacity)
        distanceTable.initialize(repeating: HuffmanDecodeTable.invalid, count: HuffmanDecodeTable.distanceCapacity)
        codeLengthTable = .allocate(capacity: HuffmanDecodeTable.codeLengthCapacity)
        codeLengthTable.initialize(
            repeating: HuffmanDecodeTable.invalid, count: HuffmanDecodeTable.codeLengthCapacity)
        lengths = .allocate(capacity: 320)
        lengths.initialize(repeating: 0, count: 320)
        runStart = UnsafePointer(lengths)
        switch format {
        case .raw: state = .blockHeader
        case .zlib: state = .zlibHeader
        case .gzip: state = .gzipHeader
        }
    }

    func deallocate() {
        ownedWindow.deallocate()
        literalTable.deallocate()
        distanceTable.deallocate()
        codeLengthTable.deallocate()
        lengths.deallocate()
    }

    /// Total output bytes produced so far.
    var outputCount: Int { outputBase + written }

    /// Offset in the compressed stream of the byte holding the next unread bit.
    @inline(__always)
    func offset(_ ip: UnsafePointer<UInt8>, _ bits: Int) -> Int {
        inputCount + (ip - runStart) - bits / 8
    }

    // MARK: Bits

    /// Reads bytes until at least `n` bits (n ≤ 64) are buffered; false if the input runs out first.
    @inline(__always)
    mutating func need(_ n: Int, _ ip: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Bool {
        while bitCount < n {
            guard ip < end else { return false }
            bitBuffer |= UInt64(ip.pointee) &<< UInt64(bitCount)
            ip += 1
            bitCount += 8
        }
        return true
    }

    @inline(__always)
    mutating func drop(_ n: Int) {
        bitBuffer = n >= 64 ? 0 : bitBuffer &>> UInt64(n)
        bitCount -= n
    }

    @inline(__always)
    func peek(_ n: Int) -> Int {
        Int(truncatingIfNeeded: bitBuffer & ((1 &<< UInt64(n)) &- 1))
    }

    // MARK: Output window

    /// Brings the checksum up to date with the output written so far.
    mutating func updateChecksum() {
        guard checked < written else { return }
        let bytes = UnsafeRawBufferPointer(start: window + checked, count: written - checked)
        switch format {
        case .raw: break
        case .zlib: adler.update(bytes)
        case .gzip: crc.update(bytes)
        }
        checked = written
    }

    /// Discards all but the last 32 KiB of output. The caller must have taken the output first.
    mutating func slide() {
        updateChecksum()
        let keep = min(written, Self.historySize)
        let drop = written - keep
        guard drop > 0 else { return }
        window.update(from: window + drop, count: keep)
        outputBase += drop
        written = keep
        flushed = min(max(flushed - drop, 0), keep)
        checked = keep
    }

    // MARK: Running

    /// Decodes from `ip` up to `end`, advancing `ip` past the bytes read.
    mutating func run(
        _ ip: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>
    ) throws(CompressionError) -> Status {
        runStart = ip
        defer { inputCount += ip - runStart }
        while true {
            switch state {
            case .zlibHeader:
                guard need(16, &ip, end) else { return .needsInput }
                let cmf = peek(8)
                let flg = (peek(16) >> 8) & 0xFF
                if cmf & 0x0F != 8 || cmf >> 4 > 7 || (cmf << 8 | flg) % 31 != 0 {
                    throw .invalidHeader(offset: offset(ip, bitCount))
                }
                if flg & 0x20 != 0 {
                    throw .presetDictionaryUnsupported(offset: offset(ip, bitCount))
                }
                drop(16)
                state = .blockHeader

            case .gzipHeader:
                guard try readGzipHeader(&ip, end) else { return .needsInput }
                state = .blockHeader

            case .blockHeader:
                guard need(3, &ip, end) else { return .needsInput }
                isFinalBlock = bitBuffer & 1 != 0
                let type = peek(3) >> 1
                switch type {
                case 0:
                    drop(3)
                    drop(bitCount & 7)
                    state = .storedHeader
                case 1:
                    drop(3)
                    if !fixedTablesLoaded { loadFixedTables() }
                    state = .codes
                case 2:
                    drop(3)
                    state = .dynamicHeader
                default:
                    throw .invalidBlockType(offset: offset(ip, bitCount))
                }

            case .storedHeader:
                guard need(32, &ip, end) else { return .needsInput }
                let length = peek(16)
                let complement = (peek(32) >> 16) & 0xFFFF
                guard length == ~complement & 0xFFFF else {
                    throw .invalidStoredLength(offset: offset(ip, bitCount))
                }
                drop(32)
                storedRemaining = length
                state = .storedCopy

            case .storedCopy:
                while storedRemaining > 0 {
                    let space = capacity - written
                    if space == 0 { return .outputFull }
                    let allowed = limit - outputCount
                    if allowed <= 0 { throw .outputLimitExceeded(offset: offset(ip, bitCount), limit: limit) }
                    if bitCount >= 8 {
                        window[written] = UInt8(truncatingIfNeeded: bitBuffer)
                        drop(8)
                        written += 1
                        storedRemaining -= 1
                        continue
                    }
                    let available = end - ip
                    if available == 0 { return .needsInput }
                    let n = min(storedRemaining, space, available, allowed)
                    (window + written).update(from: ip, count: n)
                    ip += n
                    written += n
                    storedRemaining -= n
                }
                state = isFinalBlock ? .trailer : .blockHeader

            case .dynamicHeader:
                guard need(14, &ip, end) else { return .needsInput }
                literalCount = 257 + peek(5)
                distanceCount = 1 + (peek(10) >> 5)
                codeLengthCount = 4 + (peek(14) >> 10)
                guard literalCount <= 286, distanceCount <= 30 else {
                    throw .invalidCodeLengths(offset: offset(ip, bitCount))
                }
                drop(14)
                for i in 0..<19 { lengths[i] = 0 }
                lengthIndex = 0
                state = .codeLengthCodes

            case .codeLengthCodes:
                while lengthIndex < codeLengthCount {
                    guard need(3, &ip, end) else { return .needsInput }
                    lengths[DeflateConstants.codeLengthOrder[lengthIndex]] = UInt8(peek(3))
                    drop(3)
                    lengthIndex += 1
                }
                guard HuffmanDecodeTable.build(
                    lengths: lengths, count: 19, alphabet: .codeLength,
                    rootBits: HuffmanDecodeTable.codeLengthRootBits,
                    into: codeLengthTable, capacity: HuffmanDecodeTable.codeLengthCapacity)
                else { throw .invalidCodeLengths(offset: offset(ip, bitCount)) }
                lengthIndex = 0
                state = .codeLengths

            case .codeLengths:
                guard try readCodeLengths(&ip, end) else { return .needsInput }
                fixedTablesLoaded = false
                state = .codes

            case .codes:
                switch try decodeCodes(&ip, end) {
                case .needsInput: return .needsInput
                case .outputFull: return .outputFull
                case .finished: state = isFinalBlock ? .trailer : .blockHeader
                }

            case .trailer:
                drop(bitCount & 7)
                switch format {
                case .raw:
                    finishStream()
                case .zlib:
                    guard need(32, &ip, end) else { return .needsInput }
                    let expected = UInt32(truncatingIfNeeded: bitBuffer).byteSwapped
                    updateChecksum()
                    guard expected == adler.value else {
                        throw .adler32Mismatch(offset: offset(ip, bitCount), expected: expected, computed: adler.value)
                    }
                    drop(32)
                    finishStream()
                case .gzip:
                    guard need(32, &ip, end) else { return .needsInput }
                    let expected = UInt32(truncatingIfNeeded: bitBuffer)
                    updateChecksum()
                    guard expected == crc.value else {
                        throw .crc32Mismatch(offset: offset(ip, bitCount), expected: expected, computed: crc.value)
                    }
                    drop(32)
                    state = .gzipLength
                }

            case .gzipLength:
                guard need(32, &ip, end) else { return .needsInput }
                let expected = UInt32(truncatingIfNeeded: bitBuffer)
                let computed = UInt32(truncatingIfNeeded: outputCount)
                guard expected == computed else {
                    throw .lengthMismatch(offset: offset(ip, bitCount), expected: expected, computed: computed)
                }
                drop(32)
                finishStream()

            case .done:
                return .finished
            }
        }
    }

    /// Ends the stream, handing whole bytes read past its end back to the caller.
    mutating func finishStream() {
        unreadCount = bitCount / 8
        bitBuffer = 0
        bitCount = 0
        state = .done
    }

    mutating func loadFixedTables() {
        DeflateConstants.fixedLiteralLengths.withUnsafeBufferPointer {
            _ = HuffmanDecodeTable.build(
                lengths: $0.baseAddress!, count: 288, alphabet: .literalLength,
                rootBits: HuffmanDecodeTable.literalRootBits,
                into: literalTable, capacity: HuffmanDecodeTable.literalCapacity)
        }
        DeflateConstants.fixedDistanceLengths.withUnsafeBufferPointer {
            _ = HuffmanDecodeTable.build(
                lengths: $0.baseAddress!, count: 32, alphabet: .distance,
                rootBits: HuffmanDecodeTable.distanceRootBits,
                into: distanceTable, capacity: HuffmanDecodeTable.distanceCapacity)
        }
        fixedTablesLoaded = true
    }

    /// Reads a dynamic block's literal/length and distance code lengths and builds their tables;
    /// false if the input runs out first.
    mutating func readCodeLengths(
        _ ip: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>
    ) throws(CompressionError) -> Bool {
        let total = literalCount + distanceCount
        while lengthIndex < total {
            _ = need(57, &ip, end)
            let e = codeLengthTable[peek(HuffmanDecodeTable.codeLengthRootBits)]
            let codeBits = Int(e & 31)
            guard codeBits <= bitCount else { return false }
            if e & HuffmanDecodeTable.kindMask != 0 {
                throw .invalidCodeLengths(offset: offset(ip, bitCount))
            }
            let symbol = Int(e >> 16)
            if symbol < 16 {
                drop(codeBits)
                lengths[lengthIndex] = UInt8(symbol)
                lengthIndex += 1
                continue
            }
            let extraBits = symbol == 16 ? 2 : symbol == 17 ? 3 : 7
            let base = symbol == 18 ? 11 : 3
            guard codeBits + extraBits <= bitCount else { return false }
            let repeatCount = base + (peek(codeBits + extraBits) >> codeBits)
            guard lengthIndex + repeatCount <= total else {
                throw .invalidCodeLengths(offset: offset(ip, bitCount))
            }
            var value: UInt8 = 0
            if symbol == 16 {
                guard lengthIndex > 0 else { throw .invalidCodeLengths(offset: offset(ip, bitCount)) }
                value = lengths[lengthIndex - 1]
            }
            drop(codeBits + extraBits)
            for i in lengthIndex..<(lengthIndex + repeatCount) { lengths[i] = value }
            lengthIndex += repeatCount
        }
        guard lengths[256] != 0,
            HuffmanDecodeTable.build(
                lengths: lengths, count: literalCount, alphabet: .literalLength,
                rootBits: HuffmanDecodeTable.literalRootBits,
                into: literalTable, capacity: HuffmanDecodeTable.literalCapacity),
            HuffmanDecodeTable.build(
                lengths: lengths + literalCount, count: distanceCount, alphabet: .distance,
                rootBits: HuffmanDecodeTable.distanceRootBits,
                into: distanceTable, capacity: HuffmanDecodeTable.distanceCapacity)
        else { throw .invalidCodeLengths(offset: offset(ip, bitCount)) }
        return true
    }

    /// Reads the gzip member header byte by byte; false if the input runs out first.
    mutating func readGzipHeader(
        _ ip: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>
    ) throws(CompressionError) -> Bool {
        let fextra = 4, fname = 8, fcomment = 16, fhcrc = 2
        while true {
            // Steps: 0–9 fixed fields, 10–11 XLEN, 12 extra field, 13 name, 14 comment, 15–16 CRC-16.
            if gzipStep == 10 && gzipFlags & fextra == 0 { gzipStep = 13 }
            if gzipStep == 13 && gzipFlags & fname == 0 { gzipStep = 14 }
            if gzipStep == 14 && gzipFlags & fcomment == 0 { gzipStep = 15 }
            if gzipStep == 15 && gzipFlags & fhcrc == 0 { return true }
            if gzipStep == 17 { return true }
            if gzipStep == 12 && gzipExtraRemaining == 0 {
                gzipStep = 13
                continue
            }
            guard need(8, &ip, end) else { return false }
            let byte = peek(8)
            if gzipStep == 15 || gzipStep == 16 {
                let expected = gzipStep == 15 ? byte : byte << 8
                let computed = Int(gzipHeaderCRC.value & 0xFFFF)
                let mask = gzipStep == 15 ? 0x00FF : 0xFF00
                guard expected == computed & mask else {
                    throw .crc32Mismatch(
                        offset: offset(ip, bitCount), expected: UInt32(expected), computed: UInt32(computed & mask))
                }
                drop(8)
                gzipStep += 1
                continue
            }
            gzipHeaderCRC.update(byte: UInt8(byte))
            switch gzipStep {
            case 0 where byte != 0x1F, 1 where byte != 0x8B, 2 where byte != 8:
                throw .invalidHeader(offset: offset(ip, bitCount))
            case 3:
                guard byte & 0xE0 == 0 else { throw .invalidHeader(offset: offset(ip, bitCount)) }
                gzipFlags = byte
            case 10:
                gzipExtraRemaining = byte
            case 11:
                gzipExtraRemaining |= byte << 8
            case 12:
                gzipExtraRemaining -= 1
                drop(8)
                continue
            case 13, 14:
                drop(8)
                if byte == 0 { gzipStep += 1 }
                continue
            default:
                break
            }
            drop(8)
            gzipStep += 1
        }
    }
}
