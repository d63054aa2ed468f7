/// One JPEG (T.81) or JPEG-LS (T.87) code stream split into its parts: the frame header and the
/// scans, each with the tables in force when it starts and the byte range of its entropy-coded data.
struct JPEGStream {
    struct Component: Sendable {
        var id: Int
        var h: Int
        var v: Int
        var quantTable: Int
    }

    struct Frame: Sendable {
        /// The SOF marker's low byte: 0xC0…0xCF, or 0xF7 for JPEG-LS.
        var marker: UInt8
        var precision: Int
        var height: Int
        var width: Int
        var components: [Component]
    }

    struct Scan {
        /// Indices into `frame.components`, with the DC and AC table selectors
        /// (for JPEG-LS: `dc` holds the mapping table selector).
        var components: [(index: Int, dc: Int, ac: Int)]
        /// Ss, Se, Ah, Al (T.81 B.2.3); for JPEG-LS Ss is NEAR, Se the interleave mode, Al the point transform.
        var ss: Int, se: Int, ah: Int, al: Int
        var dataStart: Int
        var dataEnd: Int
        var restartInterval: Int
        var dcTables: [JPEGHuffmanTable?]
        var acTables: [JPEGHuffmanTable?]
        var quantTables: [[Int32]?]
        /// JPEG-LS preset parameters (LSE id 1) in force: MAXVAL, T1, T2, T3, RESET (0 = default).
        var lsParameters: [Int]
    }

    var frame: Frame
    var scans: [Scan]
    /// Adobe APP14 colour transform flag, when present (0: none, 1: YCbCr, 2: YCCK).
    var adobeTransform: Int?
    var hasJFIF = false

    static let zigzag: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
        28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
        54, 47, 55, 62, 63,
    ]

    static func error(_ message: String, _ offset: Int) -> ImagingError {
        ImagingError(.corruptData, message, offset: offset)
    }

    /// Splits `b` into frame and scans. Only headers are read: entropy-coded data is located, not decoded.
    static func parse(_ b: UnsafeBufferPointer<UInt8>, jpegLS: Bool) throws -> JPEGStream {
        let n = b.count
        guard n >= 4, b[0] == 0xFF, b[1] == 0xD8 else { throw error("JPEG: no SOI marker at the start of the frame", 0) }
        var p = 2
        var frame: Frame?
        var scans: [Scan] = []
        var dc = [JPEGHuffmanTable?](repeating: nil, count: 4)
        var ac = [JPEGHuffmanTable?](repeating: nil, count: 4)
        var quant = [[Int32]?](repeating: nil, count: 4)
        var restartInterval = 0
        var lsParameters = [0, 0, 0, 0, 0]
        var adobe: Int?
        var jfif = false

        func u16(_ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }

        while true {
            // Fill bytes (0xFF) may precede a marker.
            guard p < n else {
                if frame != nil, !scans.isEmpty { break }  // EOI missing: tolerated once there is a scan
                throw error("JPEG: data ends before the EOI marker", p)
            }
            guard b[p] == 0xFF else { throw error("JPEG: expected a marker, found 0x\(String(b[p], radix: 16))", p) }
            while p < n, b[p] == 0xFF { p += 1 }
            guard p < n else { throw error("JPEG: data ends inside a marker", p) }
            let marker = b[p]
            let markerOffset = p - 1
            p += 1
            if marker == 0xD9 { break }  // EOI
            if marker >= 0xD0 && marker <= 0xD7 || marker == 0x01 { continue }  // stray RST, TEM
            guard p + 2 <= n else { throw error("JPEG: marker segment length missing", p) }
            let length = u16(p)
            guard length >= 2, p + length <= n else {
                throw error("JPEG: marker 0xFF\(String(marker, radix: 16, uppercase: true)) segment length \(length) passes the end of the data", markerOffset)
            }
            let s = p + 2, e = p + length
            if (marker == 0xDA || marker == 0xF8) && length < 3 {
                throw error("JPEG: marker 0xFF\(String(marker, radix: 16, uppercase: true)) segment is empty", markerOffset)
            }
            switch marker {
            case 0xC4:  // DHT
                var q = s
                while q < e {
                    guard q + 17 <= e else { throw error("JPEG: DHT segment truncated", q) }
                    let tc = Int(b[q] >> 4), th = Int(b[q] & 15)
                    guard tc <= 1, th <= 3 else { throw error("JPEG: DHT table class \(tc) / id \(th) invalid", q) }
                    let counts = Array(b[(q + 1)..<(q + 17)])
                    let total = counts.reduce(0) { $0 + Int($1) }
                    guard q + 17 + total <= e, total <= 256 else { throw error("JPEG: DHT segment truncated", q) }
                    let table = try JPEGHuffmanTable(counts: counts, values: Array(b[(q + 17)..<(q + 17 + total)]))
                    if tc == 0 { dc[th] = table } else { ac[th] = table }
                    q += 17 + total
                }
            case 0xDB:  // DQT
                var q = s
                while q < e {
                    let pq = Int(b[q] >> 4), tq = Int(b[q] & 15)
                    guard pq <= 1, tq <= 3 else { throw error("JPEG: DQT precision \(pq) / id \(tq) invalid", q) }
                    let size = 1 + 64 * (pq + 1)
                    guard q + size <= e else { throw error("JPEG: DQT segment truncated", q) }
                    var table = [Int32](repeating: 0, count: 64)
                    for k in 0..<64 {
                        let v = pq == 0 ? Int32(b[q + 1 + k]) : Int32(u16(q + 1 + 2 * k))
                        table[zigzag[k]] = v  // natural order
                    }
                    quant[tq] = table
                    q += size
                }
            case 0xDD:  // DRI
                guard length == 4 else { throw error("JPEG: DRI segment length \(length) is not 4", markerOffset) }
                restartInterval = u16(s)
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC, 0xF7:
                guard frame == nil else { throw error("JPEG: more than one frame header", markerOffset) }
                guard length >= 8 else { throw error("JPEG: frame header truncated", markerOffset) }
                let nf = Int(b[s + 5])
                guard nf >= 1, nf <= 4, length == 8 + 3 * nf else {
                    throw error("JPEG: frame header has \(nf) components and length \(length)", markerOffset)
                }
                var components: [Component] = []
                for i in 0..<nf {
                    let c = s + 6 + 3 * i
                    let h = Int(b[c + 1] >> 4), v = Int(b[c + 1] & 15)
                    guard (1...4).contains(h), (1...4).contains(v) || marker == 0xF7 else {
                        throw error("JPEG: component \(i + 1) sampling factors \(h)x\(v) invalid", c)
                    }
                    components.append(Component(id: Int(b[c]), h: h, v: v, quantTable: Int(b[c + 2] & 3)))
                }
                frame = Frame(marker: marker, precision: Int(b[s]), height: u16(s + 1), width: u16(s + 3), components: components)
            case 0xF8 where jpegLS:  // LSE
                let id = Int(b[s])
                if id == 1 {
                    guard length == 13 else { throw error("JPEG-LS: LSE preset parameters length \(length) is not 13", markerOffset) }
                    lsParameters = (0..<5).map { u16(s + 1 + 2 * $0) }
                } else {
                    throw ImagingError(.unsupportedTransferSyntax,
                        "JPEG-LS: LSE segment type \(id) (mapping tables or oversize dimensions) is not supported", offset: markerOffset)
                }
            case 0xDA:  // SOS
                guard let f = frame else { throw error("JPEG: scan before the frame header", markerOffset) }
                let ns = Int(b[s])
                guard ns >= 1, ns <= 4, length == 6 + 2 * ns else { throw error("JPEG: scan header has \(ns) components and length \(length)", markerOffset) }
                var comps: [(index: Int, dc: Int, ac: Int)] = []
                for i in 0..<ns {
                    let c = s + 1 + 2 * i
                    guard let index = f.components.firstIndex(where: { $0.id == Int(b[c]) }) else {
                        throw error("JPEG: scan names component \(b[c]), which the frame does not have", c)
                    }
                    comps.append((index, Int(b[c + 1] >> 4), Int(b[c + 1] & 15)))
                }
                let t = s + 1 + 2 * ns
                let start = e
                // The entropy-coded data runs to the next marker that is not a restart marker
                // (JPEG: 0xFF then neither 0x00 nor RSTn; JPEG-LS: 0xFF then a byte with its top bit set).
                var q = start
                while q + 1 < n {
                    if b[q] == 0xFF {
                        let m = b[q + 1]
                        if jpegLS ? (m >= 0x80 && !(m >= 0xD0 && m <= 0xD7)) : (m != 0x00 && !(m >= 0xD0 && m <= 0xD7) && m != 0xFF) { break }
                    }
                    q += 1
                }
                if q + 1 >= n { q = n }
                scans.append(Scan(components: comps, ss: Int(b[t]), se: Int(b[t + 1]), ah: Int(b[t + 2] >> 4), al: Int(b[t + 2] & 15),
                                  dataStart: start, dataEnd: q, restartInterval: restartInterval,
                                  dcTables: dc, acTables: ac, quantTables: quant, lsParameters: lsParameters))
                p = q
                continue
            case 0xE0:
                if length >= 7, b[s] == 0x4A, b[s + 1] == 0x46, b[s + 2] == 0x49, b[s + 3] == 0x46, b[s + 4] == 0 { jfif = true }
            case 0xEE:
                if length >= 14, b[s] == 0x41, b[s + 1] == 0x64, b[s + 2] == 0x6F, b[s + 3] == 0x62, b[s + 4] == 0x65 { adobe = Int(b[s + 11]) }
            case 0xC8, 0xCC:
                throw ImagingError(.unsupportedTransferSyntax, "JPEG: arithmetic coding / JPG extension marker is not supported", offset: markerOffset)
            default:
                break  // APPn, COM, DNL and others: skipped
            }
            p = e
        }
        guard let f = frame else { throw error("JPEG: no frame header (SOF)", p) }
        guard !scans.isEmpty else { throw error("JPEG: no scan (SOS)", p) }
        guard f.width > 0, f.height > 0 else {
            throw ImagingError(.unsupportedTransferSyntax, "JPEG: frame size \(f.width)x\(f.height) (height from DNL) is not supported")
        }
        return JPEGStream(frame: f, scans: scans, adobeTransform: adobe, hasJFIF: jfif)
    }
}
