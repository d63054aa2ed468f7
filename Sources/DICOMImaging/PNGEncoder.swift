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
        /// Per row, the filter type whose output has the smallest sum of absolute values (as
        /// signed bytes): libpng's cheap heuristic. Usually the best of the fixed choices.
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
        image.bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var candidates = [[UInt8]](repeating: [UInt8](repeating: 0, count: rowBytes), count: 5)
                for y in 0..<image.height {
                    let row = UnsafeBufferPointer(rebasing: src[(y * rowBytes)..<((y + 1) * rowBytes)])
                    let prior = y == 0 ? nil : UnsafeBufferPointer(rebasing: src[((y - 1) * rowBytes)..<(y * rowBytes)])
                    let target = UnsafeMutableBufferPointer(rebasing: dst[(y * (rowBytes + 1) + 1)..<((y + 1) * (rowBytes + 1))])
                    let type: UInt8
                    switch filter {
                    case .none: type = 0
                    case .sub: type = 1
                    case .up: type = 2
                    case .average: type = 3
                    case .paeth: type = 4
                    case .adaptive:
                        var best = 0, bestScore = Int.max
                        for t in 0..<5 {
                            let score = candidates[t].withUnsafeMutableBufferPointer { c -> Int in
                                Self.apply(UInt8(t), row: row, prior: prior, bpp: bpp, into: c)
                                var s = 0
                                for b in c { s += b < 128 ? Int(b) : 256 - Int(b) }
                                return s
                            }
                            if score < bestScore { bestScore = score; best = t }
                        }
                        dst[y * (rowBytes + 1)] = UInt8(best)
                        for i in 0..<rowBytes { target[i] = candidates[best][i] }
                        continue
                    }
                    dst[y * (rowBytes + 1)] = type
                    Self.apply(type, row: row, prior: prior, bpp: bpp, into: target)
                }
            }
        }
        return out
    }

    /// Filters one row with filter `type` (PNG §9.2); `prior` is nil for the first row (all zero).
    @inline(__always)
    static func apply(_ type: UInt8, row: UnsafeBufferPointer<UInt8>, prior: UnsafeBufferPointer<UInt8>?,
                      bpp: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        let n = row.count
        switch type {
        case 0:
            for i in 0..<n { out[i] = row[i] }
        case 1:
            for i in 0..<min(bpp, n) { out[i] = row[i] }
            if n > bpp { for i in bpp..<n { out[i] = row[i] &- row[i - bpp] } }
        case 2:
            if let prior { for i in 0..<n { out[i] = row[i] &- prior[i] } } else { for i in 0..<n { out[i] = row[i] } }
        case 3:
            for i in 0..<n {
                let a = i >= bpp ? Int(row[i - bpp]) : 0
                let b = prior.map { Int($0[i]) } ?? 0
                out[i] = row[i] &- UInt8((a + b) >> 1)
            }
        default:
            for i in 0..<n {
                let a = i >= bpp ? Int(row[i - bpp]) : 0
                let b = prior.map { Int($0[i]) } ?? 0
                let c = i >= bpp ? (prior.map { Int($0[i - bpp]) } ?? 0) : 0
                out[i] = row[i] &- UInt8(paeth(a, b, c))
            }
        }
    }

    /// The Paeth predictor (PNG §9.4): whichever of left, above, upper-left is closest to a + b − c.
    @inline(__always)
    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
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
    mutating func appendBigEndian(_ v: UInt32) {
        append(UInt8(v >> 24))
        append(UInt8((v >> 16) & 0xFF))
        append(UInt8((v >> 8) & 0xFF))
        append(UInt8(v & 0xFF))
    }
}
