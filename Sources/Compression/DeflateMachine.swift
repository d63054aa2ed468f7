/// The LZ77 side of ``Deflater``: a sliding window with hash chains, zlib's greedy ("fast") and
/// lazy ("slow") match selection, and the stream wrapper.
///
/// Input is copied into a 64 KiB window; when the current position nears its end the upper half
/// slides down. A block is always written before any of its input slides out, so the stored form
/// stays available to every block. `run` stops whenever more than `drainThreshold` output bytes are
/// pending so that memory stays bounded; the caller drains `writer.out` and calls again.
struct DeflateMachine {
    /// Match-search parameters of one level (zlib's `configuration_table`).
    struct Parameters {
        /// Shorten the chain search when the previous match is at least this long.
        var goodLength: Int
        /// Lazy: do not look for a better match after one this long. Greedy: insert the strings
        /// of matches up to this long into the hash table.
        var lazyLength: Int
        /// Stop searching once a match is this long.
        var niceLength: Int
        /// Most hash-chain links to follow.
        var chainLength: Int
        var isLazy: Bool

        init(level: Int) {
            switch level {
            case ...1: self = .init(4, 4, 8, 4, false)
            case 2: self = .init(4, 5, 16, 8, false)
            case 3: self = .init(4, 6, 32, 32, false)
            case 4: self = .init(4, 4, 16, 16, true)
            case 5: self = .init(8, 16, 32, 32, true)
            case 6: self = .init(8, 16, 128, 128, true)
            case 7: self = .init(8, 32, 128, 256, true)
            case 8: self = .init(32, 128, 258, 1024, true)
            default: self = .init(32, 258, 258, 4096, true)
            }
        }

        private init(_ good: Int, _ lazy: Int, _ nice: Int, _ chain: Int, _ isLazy: Bool) {
            goodLength = good
            lazyLength = lazy
            niceLength = nice
            chainLength = chain
            self.isLazy = isLazy
        }
    }

    enum Progress {
        case needsInput
        case outputPending
        case finished
    }

    static let windowSize = DeflateConstants.windowSize
    static let windowMask = windowSize - 1
    static let hashBits = 15
    static let hashSize = 1 << hashBits
    static let minLookahead = DeflateConstants.maxMatch + DeflateConstants.minMatch + 1
    static let maxDistance = windowSize - minLookahead
    /// Matches of length 3 further back than this are not worth their distance code.
    static let tooFar = 4096
    static let drainThreshold = 1 << 18
    static let padding = 16

    let format: CompressionFormat
    let level: Int
    let parameters: Parameters

    let window: UnsafeMutablePointer<UInt8>
    let head: UnsafeMutablePointer<Int32>
    let prev: UnsafeMutablePointer<Int32>
    var writer: DeflateBlockWriter

    var strstart = 0
    var lookahead = 0
    var blockStart = 0
    var matchLength = DeflateConstants.minMatch - 1
    var matchStart = 0
    var prevLength = DeflateConstants.minMatch - 1
    var prevMatch = 0
    var matchAvailable = false

    var headerWritten = false
    var isFinished = false
    var inputCount = 0
    var outputCount = 0
    var adler = Adler32()
    var crc = CRC32()

    init(level: CompressionLevel, format: CompressionFormat) {
        self.format = format
        self.level = level.rawValue
        parameters = Parameters(level: level.rawValue)
        window = .allocate(capacity: 2 * Self.windowSize + Self.padding)
        window.initialize(repeating: 0, count: 2 * Self.windowSize + Self.padding)
        head = .allocate(capacity: Self.hashSize)
        head.initialize(repeating: -1, count: Self.hashSize)
        // `prev` needs no initial value: a chain only reaches positions that were inserted,
        // and inserting a position sets its link.
        prev = .allocate(capacity: Self.windowSize)
        writer = DeflateBlockWriter()
    }

    func deallocate() {
        window.deallocate()
        head.deallocate()
        prev.deallocate()
        writer.deallocate()
    }

    /// Starts a new stream, keeping the buffers.
    mutating func reset() {
        head.update(repeating: -1, count: Self.hashSize)
        strstart = 0
        lookahead = 0
        blockStart = 0
        matchLength = DeflateConstants.minMatch - 1
        prevLength = DeflateConstants.minMatch - 1
        matchStart = 0
        prevMatch = 0
        matchAvailable = false
        headerWritten = false
        isFinished = false
        inputCount = 0
        outputCount = 0
        adler = Adler32()
        crc = CRC32()
    }

    /// Compresses input from `ip` to `end`; with `finish`, also ends the stream.
    mutating func run(
        _ ip: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, finish: Bool
    ) -> Progress {
        if isFinished { return .finished }
        if !headerWritten {
            writeHeader()
            headerWritten = true
        }
        let progress: Progress
        if level == 0 {
            progress = store(&ip, end, finish: finish)
        } else if parameters.isLazy {
            progress = compressLazy(&ip, end, finish: finish)
        } else {
            progress = compressGreedy(&ip, end, finish: finish)
        }
        guard progress == .finished else { return progress }
        writer.out.alignToByte()
        writeTrailer()
        isFinished = true
        return .finished
    }

    // MARK: Wrapper

    private mutating func writeHeader() {
        writer.out.reserve(16)
        switch format {
        case .raw:
            break
        case .zlib:
            let levelFlag = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3
            var header = 0x78 << 8 | levelFlag << 6
            header += (31 - header % 31) % 31
            writer.out.write(UInt64(header >> 8), 8)
            writer.out.write(UInt64(header & 0xFF), 8)
        case .gzip:
            let extraFlags: UInt64 = level == 9 ? 2 : level == 1 ? 4 : 0
            writer.out.write(0x1F | 0x8B << 8 | 8 << 16, 32)  // ID1 ID2 CM, FLG = 0
            writer.out.write(0, 32)  // MTIME = 0
            writer.out.write(extraFlags | 255 << 8, 16)  // XFL, OS = unknown
        }
    }

    private mutating func writeTrailer() {
        writer.out.reserve(16)
        switch format {
        case .raw:
            break
        case .zlib:
            writer.out.write(UInt64(adler.value.byteSwapped), 32)
        case .gzip:
            writer.out.write(UInt64(crc.value), 32)
            writer.out.write(UInt64(UInt32(truncatingIfNeeded: inputCount)), 32)
        }
    }

    // MARK: Window

    /// Copies as much input as fits into the window, sliding it first when the position nears
    /// its end.
    private mutating func fillWindow(_ ip: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) {
        let w = Self.windowSize
        if strstart >= w + Self.maxDistance {
            let blockEnd = strstart - (matchAvailable ? 1 : 0)
            if blockStart < w && (writer.symbolCount > 0 || blockEnd > blockStart) {
                emitBlock(end: blockEnd, isFinal: false)
            }
            window.update(from: window + w, count: w)
            strstart -= w
            blockStart -= w
            matchStart -= w
            prevMatch -= w
            let shift = Int32(w)
            for i in 0..<Self.hashSize {
                let v = head[i]
                head[i] = v >= shift ? v - shift : -1
            }
            for i in 0..<w {
                let v = prev[i]
                prev[i] = v >= shift ? v - shift : -1
            }
        }
        let space = 2 * w - strstart - lookahead
        let n = min(space, end - ip)
        guard n > 0 else { return }
        (window + strstart + lookahead).update(from: ip, count: n)
        let bytes = UnsafeRawBufferPointer(start: ip, count: n)
        switch format {
        case .raw: break
        case .zlib: adler.update(bytes)
        case .gzip: crc.update(bytes)
        }
        inputCount += n
        ip += n
        lookahead += n
    }

    /// Writes the symbols recorded since `blockStart` as a block covering input up to `end`.
    private mutating func emitBlock(end: Int, isFinal: Bool) {
        writer.writeBlock(raw: window + blockStart, rawCount: end - blockStart, isFinal: isFinal)
        blockStart = end
    }

    // MARK: Matching

    @inline(__always)
    private func hash(_ position: Int) -> Int {
        let v = UnsafeRawPointer(window + position).loadUnaligned(as: UInt32.self).littleEndian & 0xFF_FFFF
        return Int(truncatingIfNeeded: (v &* 0x9E37_79B1) >> UInt32(32 - Self.hashBits))
    }

    /// Adds the string at `position` to its hash chain; returns the previous chain head (or −1).
    @inline(__always)
    private mutating func insert(_ position: Int) -> Int {
        let h = hash(position)
        let previous = head[h]
        prev[position & Self.windowMask] = previous
        head[h] = Int32(truncatingIfNeeded: position)
        return Int(previous)
    }

    /// The longest match for the string at `strstart` along the chain from `chainHead`, if longer
    /// than `prevLength` (which is returned otherwise); sets `matchStart` when it finds one.
    @inline(__always)
    private mutating func longestMatch(_ chainHead: Int) -> Int {
        var chain = parameters.chainLength
        if prevLength >= parameters.goodLength { chain >>= 2 }
        let maxLength = min(DeflateConstants.maxMatch, lookahead)
        var best = prevLength
        if best >= maxLength { return maxLength }
        let nice = min(parameters.niceLength, maxLength)
        let limit = strstart > Self.maxDistance ? strstart - Self.maxDistance : 0
        let window = self.window
        let prev = self.prev
        let scan = UnsafeRawPointer(window + strstart)
        // The two bytes ending at `best` must match for a candidate to be longer; the first
        // three match when the hash does, but may not (collisions, stale entries).
        var scanEnd = scan.loadUnaligned(fromByteOffset: best - 1, as: UInt16.self)
        let scanStart = scan.loadUnaligned(as: UInt32.self) & 0xFF_FFFF
        var bestStart = -1
        var candidate = chainHead
        while candidate >= limit && chain > 0 {
            let match = UnsafeRawPointer(window + candidate)
            if match.loadUnaligned(fromByteOffset: best - 1, as: UInt16.self) == scanEnd
                && match.loadUnaligned(as: UInt32.self) & 0xFF_FFFF == scanStart
            {
                var length = 3
                while true {
                    let x = match.loadUnaligned(fromByteOffset: length, as: UInt64.self)
                        ^ scan.loadUnaligned(fromByteOffset: length, as: UInt64.self)
                    if x != 0 {
                        length += UInt64(littleEndian: x).trailingZeroBitCount >> 3
                        break
                    }
                    length += 8
                    if length >= maxLength { break }
                }
                length = min(length, maxLength)
                if length > best {
                    best = length
                    bestStart = candidate
                    if length >= nice { break }
                    scanEnd = scan.loadUnaligned(fromByteOffset: best - 1, as: UInt16.self)
                }
            }
            candidate = Int(prev[candidate & Self.windowMask])
            chain -= 1
        }
        if bestStart >= 0 { matchStart = bestStart }
        return best
    }

    // MARK: Strategies

    /// Level 0: input straight into stored blocks of up to 65535 bytes.
    private mutating func store(
        _ ip: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, finish: Bool
    ) -> Progress {
        while true {
            let space = 65535 - lookahead
            let n = min(space, end - ip)
            if n > 0 {
                (window + lookahead).update(from: ip, count: n)
                let bytes = UnsafeRawBufferPointer(start: ip, count: n)
                switch format {
                case .raw: break
                case .zlib: adler.update(bytes)
                case .gzip: crc.update(bytes)
                }
                inputCount += n
                ip += n
                lookahead += n
            }
            if lookahead == 65535 && (ip < end || finish) {
                writer.writeStored(raw: window, count: lookahead, isFinal: false)
                lookahead = 0
                if writer.out.count >= Self.drainThreshold { return .outputPending }
                continue
            }
            guard finish else { return .needsInput }
            writer.writeStored(raw: window, count: lookahead, isFinal: true)
            lookahead = 0
            return .finished
        }
    }

    /// Levels 1–3: take the longest match at each position, no lazy evaluation (zlib's
    /// `deflate_fast`).
    private mutating func compressGreedy(
        _ ip: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, finish: Bool
    ) -> Progress {
        while true {
            if lookahead < Self.minLookahead {
                fillWindow(&ip, end)
                if lookahead < Self.minLookahead && !finish { return .needsInput }
                if lookahead == 0 { break }
            }
            var chainHead = -1
            if lookahead >= DeflateConstants.minMatch { chainHead = insert(strstart) }
            var length = 0
            if chainHead >= 0 && strstart - chainHead <= Self.maxDistance {
                prevLength = DeflateConstants.minMatch - 1
                length = longestMatch(chainHead)
            }
            let full: Bool
            if length >= DeflateConstants.minMatch {
                full = writer.recordMatch(length: length, distance: strstart - matchStart)
                lookahead -= length
                if length <= parameters.lazyLength && lookahead >= DeflateConstants.minMatch {
                    for _ in 1..<length {
                        strstart += 1
                        _ = insert(strstart)
                    }
                    strstart += 1
                } else {
                    strstart += length
                }
            } else {
                full = writer.recordLiteral(window[strstart])
                lookahead -= 1
                strstart += 1
            }
            if full {
                emitBlock(end: strstart, isFinal: false)
                if writer.out.count >= Self.drainThreshold { return .outputPending }
            }
        }
        emitBlock(end: strstart, isFinal: true)
        return .finished
    }

    /// Levels 4–9: keep a match only if the next position does not start a longer one (zlib's
    /// `deflate_slow`).
    private mutating func compressLazy(
        _ ip: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, finish: Bool
    ) -> Progress {
        let minMatch = DeflateConstants.minMatch
        while true {
            if lookahead < Self.minLookahead {
                fillWindow(&ip, end)
                if lookahead < Self.minLookahead && !finish { return .needsInput }
                if lookahead == 0 { break }
            }
            var chainHead = -1
            if lookahead >= minMatch { chainHead = insert(strstart) }
            prevLength = matchLength
            prevMatch = matchStart
            matchLength = minMatch - 1
            if chainHead >= 0 && prevLength < parameters.lazyLength && strstart - chainHead <= Self.maxDistance {
                matchLength = longestMatch(chainHead)
                if matchLength == minMatch && strstart - matchStart > Self.tooFar {
                    matchLength = minMatch - 1
                }
            }
            var full = false
            if prevLength >= minMatch && matchLength <= prevLength {
                let maxInsert = strstart + lookahead - minMatch
                full = writer.recordMatch(length: prevLength, distance: strstart - 1 - prevMatch)
                lookahead -= prevLength - 1
                for _ in 0..<(prevLength - 2) {
                    strstart += 1
                    if strstart <= maxInsert { _ = insert(strstart) }
                }
                matchAvailable = false
                matchLength = minMatch - 1
                strstart += 1
            } else if matchAvailable {
                full = writer.recordLiteral(window[strstart - 1])
                strstart += 1
                lookahead -= 1
            } else {
                matchAvailable = true
                strstart += 1
                lookahead -= 1
            }
            if full {
                emitBlock(end: strstart - (matchAvailable ? 1 : 0), isFinal: false)
                if writer.out.count >= Self.drainThreshold { return .outputPending }
            }
        }
        if matchAvailable {
            if writer.recordLiteral(window[strstart - 1]) {
                emitBlock(end: strstart, isFinal: false)
            }
            matchAvailable = false
        }
        emitBlock(end: strstart, isFinal: true)
        return .finished
    }
}
