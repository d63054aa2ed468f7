import Compression

/// Writes a `RenderedImage` as a PNG file (ISO/IEC 15948, the W3C PNG specification): IHDR, optional
/// tEXt chunks, one IDAT (a zlib stream from our own `Deflate`), IEND; every chunk with its CRC-32.
///
/// ```swift
/// let png = PNGEncoder.preview.encode(image)                   // fast: level 1, Sub/Up/Paeth per row
/// let archival = PNGEncoder(level: .best, filter: .adaptive)   // smaller, slower
/// ```
public struct PNGEncoder: Sendable {
    /// How each scanline is predicted before compression (PNG filter method 0).
    public enum Filter: Sendable, Equatable {
        /// Filter type 0 on every row: no prediction work at all (fastest, largest).
        case none
        case sub
        case up
        case average
        case paeth
        /// Per row, whichever of None, Sub, Up and Paeth gives the smallest sum of absolute values
        /// (as signed bytes): libpng's cheap heuristic. Usually the best of the fixed choices.
        case adaptive
    }

    public var level: CompressionLevel
    public var filter: Filter
    /// tEXt chunks (keyword, text), written before the image data. Keywords are 1–79 printable
    /// Latin-1 characters; text is Latin-1 (other characters are written as '?').
    public var text: [(keyword: String, text: String)]

    public init(level: CompressionLevel = .fastest, filter: Filter = .adaptive, text: [(keyword: String, text: String)] = []) {
        self.level = level
        self.filter = filter
        self.text = text
    }

    /// For previews and thumbnails: deflate level 1, adaptive filtering.
    public static let preview = PNGEncoder(level: .fastest, filter: .adaptive)
    /// For files kept: deflate level 9, adaptive filtering.
    public static let compact = PNGEncoder(level: .best, filter: .adaptive)

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG file.
    public func encode(_ image: RenderedImage) -> [UInt8] {
        var out = Self.signature
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(image.width))
        header.appendBigEndian(UInt32(image.height))
        header.append(UInt8(image.format.bitDepth))
        header.append(image.format == .rgb8 ? 2 : 0)  // colour type: truecolour or greyscale
        header += [0, 0, 0]  // deflate, filter method 0, no interlace
        Self.appendChunk("IHDR", header, to: &out)
        for (keyword, value) in text {
            guard let chunk = Self.textChunk(keyword: keyword, text: value) else { continue }
            Self.appendChunk("tEXt", chunk, to: &out)
        }
        let filtered = filterScanlines(image)
        Self.appendChunk("IDAT", Deflate.zlib(filtered, level: level), to: &out)
        Self.appendChunk("IEND", [], to: &out)
        return out
    }

    /// The scanlines, each preceded by its filter type byte.
    func filterScanlines(_ image: RenderedImage) -> [UInt8] {
        let rowBytes = image.rowByteCount
        let bpp = image.format.bytesPerPixel
        var out = [UInt8](repeating: 0, count: image.height * (rowBytes + 1))
        guard rowBytes > 0, image.height > 0 else { return out }
        let zeros = [UInt8](repeating: 0, count: rowBytes)
        // Scratch rows for the adaptive choice: one per candidate filter type (None, Sub, Up, Paeth).
        let candidates: [UInt8] = [0, 1, 2, 4]
        var scratch = [UInt8](repeating: 0, count: filter == .adaptive ? candidates.count * rowBytes : 0)
        image.bytes.withUnsafeBufferPointer { src in
            zeros.withUnsafeBufferPointer { zero in
                scratch.withUnsafeMutableBufferPointer { tmp in
                    out.withUnsafeMutableBufferPointer { dst in
                        for y in 0..<image.height {
                            let row = src.baseAddress! + y * rowBytes
                            let prior = y == 0 ? zero.baseAddress! : src.baseAddress! + (y - 1) * rowBytes
                            let start = dst.baseAddress! + y * (rowBytes + 1)
                            let type: UInt8
                            switch filter {
                            case .none: type = 0
                            case .sub: type = 1
                            case .up: type = 2
                            case .average: type = 3
                            case .paeth: type = 4
                            case .adaptive:
                                var best = 0, bestScore = Int.max
                                for (k, t) in candidates.enumerated() {
                                    let score = Self.apply(t, row: row, prior: prior, count: rowBytes, bpp: bpp,
                                                           into: tmp.baseAddress! + k * rowBytes)
                                    if score < bestScore { bestScore = score; best = k }
                                }
                                start.pointee = candidates[best]
                                (start + 1).update(from: tmp.baseAddress! + best * rowBytes, count: rowBytes)
                                continue
                            }
                            start.pointee = type
                            _ = Self.apply(type, row: row, prior: prior, count: rowBytes, bpp: bpp, into: start + 1)
                        }
                    }
                }
            }
        }
        return out
    }

    typealias Bytes16 = SIMD16<UInt8>
    typealias Words16 = SIMD16<Int16>

    /// Filters one row with filter `type` (PNG §9.2) into `out`; `prior` is the row above (zeros for
    /// the first). Returns the row's score for the adaptive choice: the sum of the filtered bytes
    /// taken as signed magnitudes (libpng's "minimum sum of absolute differences"). Encoding reads
    /// only unfiltered bytes, so 16 bytes are filtered at a time; the rest byte by byte.
    @inline(__always)
    static func apply(_ type: UInt8, row: UnsafePointer<UInt8>, prior: UnsafePointer<UInt8>, count n: Int, bpp: Int,
                      into out: UnsafeMutablePointer<UInt8>) -> Int {
        var sums = SIMD16<Int32>()
        // Sub, Average and Paeth: the first pixel has no left neighbour (a = c = 0), done byte by byte.
        let vectorStart = type == 0 || type == 2 ? 0 : min(bpp, n)
        var i = 0
        while i < vectorStart {
            let b = prior[i]
            out[i] = row[i] &- (type == 1 ? 0 : type == 3 ? b >> 1 : b)
            i += 1
        }
        switch type {
        case 0:
            while i + 16 <= n {
                let v = load(row + i)
                store(v, out + i, &sums)
                i += 16
            }
        case 1:
            while i + 16 <= n {
                store(load(row + i) &- load(row + i - bpp), out + i, &sums)
                i += 16
            }
        case 2:
            while i + 16 <= n {
                store(load(row + i) &- load(prior + i), out + i, &sums)
                i += 16
            }
        case 3:
            while i + 16 <= n {
                let a = Words16(truncatingIfNeeded: load(row + i - bpp)), b = Words16(truncatingIfNeeded: load(prior + i))
                store(load(row + i) &- Bytes16(truncatingIfNeeded: (a &+ b) &>> 1), out + i, &sums)
                i += 16
            }
        default:
            while i + 16 <= n {
                let a = Words16(truncatingIfNeeded: load(row + i - bpp))
                let b = Words16(truncatingIfNeeded: load(prior + i))
                let c = Words16(truncatingIfNeeded: load(prior + i - bpp))
                var pa = b &- c, pb = a &- c
                var pc = pa &+ pb
                pa = pointwiseMax(pa, 0 &- pa)
                pb = pointwiseMax(pb, 0 &- pb)
                pc = pointwiseMax(pc, 0 &- pc)
                let ab = a.replacing(with: b, where: pb .< pa)
                let predicted = ab.replacing(with: c, where: pc .< pointwiseMin(pa, pb))
                store(load(row + i) &- Bytes16(truncatingIfNeeded: predicted), out + i, &sums)
                i += 16
            }
        }
        let vectorEnd = i
        while i < n {
            let a = i >= bpp ? Int(row[i - bpp]) : 0, b = Int(prior[i]), c = i >= bpp ? Int(prior[i - bpp]) : 0
            let p: Int
            switch type {
            case 0: p = 0
            case 1: p = a
            case 2: p = b
            case 3: p = (a + b) >> 1
            default: p = paeth(a, b, c)
            }
            out[i] = row[i] &- UInt8(truncatingIfNeeded: p)
            i += 1
        }
        // The vector part was scored as it went; add the bytes before and after it.
        var score = Int(sums.wrappedSum())
        for j in 0..<vectorStart { score &+= Int(Int8(bitPattern: out[j]).magnitude) }
        for j in vectorEnd..<n { score &+= Int(Int8(bitPattern: out[j]).magnitude) }
        return score
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>) -> Bytes16 { UnsafeRawPointer(p).loadUnaligned(as: Bytes16.self) }

    /// Stores 16 filtered bytes and adds their signed magnitudes to `sums`.
    @inline(__always)
    static func store(_ v: Bytes16, _ p: UnsafeMutablePointer<UInt8>, _ sums: inout SIMD16<Int32>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Bytes16.self)
        let signed = Words16(truncatingIfNeeded: SIMD16<Int8>(truncatingIfNeeded: v))
        sums &+= SIMD16<Int32>(truncatingIfNeeded: pointwiseMax(signed, 0 &- signed))
    }

    /// The Paeth predictor (PNG §9.4): whichever of left, above, upper-left is closest to a + b − c
    /// (ties: left, then above).
    @inline(__always)
    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c)
        let ab = pb < pa ? b : a
        return pc < min(pa, pb) ? c : ab
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        out.appendBigEndian(UInt32(data.count))
        let typeBytes = Array(type.utf8)
        var crc = CRC32()
        crc.update(typeBytes)
        crc.update(data)
        out += typeBytes
        out += data
        out.appendBigEndian(crc.value)
    }

    /// The body of a tEXt chunk, or nil when the keyword is not a valid PNG keyword.
    static func textChunk(keyword: String, text: String) -> [UInt8]? {
        let k = keyword.unicodeScalars
        guard (1...79).contains(k.count), k.first != " ", k.last != " ",
              k.allSatisfy({ (0x20...0x7E).contains($0.value) || (0xA1...0xFF).contains($0.value) }),
              !keyword.contains("  ") else { return nil }
        var out = k.map { UInt8($0.value) }
        out.append(0)
        out += text.unicodeScalars.map { s -> UInt8 in
            s.value == 0x0A || (0x20...0x7E).contains(s.value) || (0xA1...0xFF).contains(s.value) ? UInt8(s.value) : 0x3F
        }
        return out
    }
}

extension Array where Element == UInt8 {
    fileprivate mutating func appendBigEndian(_ v: UInt32) {
        append(UInt8(v >> 24))
        append(UInt8((v >> 16) & 0xFF))
        append(UInt8((v >> 8) & 0xFF))
        append(UInt8(v & 0xFF))
    }
}
