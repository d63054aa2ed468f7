/// Decodes one JPEG-LS scan (T.87 Annex A) into colour-by-pixel samples.
struct JPEGLSScanDecoder {
    static let J: [Int] = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15]

    let width: Int, height: Int, frameComponents: Int
    let components: [Int]   // frame component indices in this scan
    let interleave: Int
    let near: Int, maxVal: Int, t1: Int, t2: Int, t3: Int, reset: Int
    let range: Int, qbpp: Int, limit: Int
    let restartInterval: Int
    var reader: JPEGLSBitReader

    // Context variables: 365 regular contexts, then the two run-interruption contexts (365, 366).
    // Raw memory (one block, freed by `deallocate()`): the per-sample updates then cost no
    // uniqueness or bounds checks.
    let A: UnsafeMutablePointer<Int>
    let B: UnsafeMutablePointer<Int>
    let C: UnsafeMutablePointer<Int>
    let N: UnsafeMutablePointer<Int>
    let Nn: UnsafeMutablePointer<Int>
    var runIndex: [Int]

    init(frame f: JPEGStream.Frame, scan: JPEGStream.Scan, data: UnsafeBufferPointer<UInt8>) throws {
        width = f.width
        height = f.height
        frameComponents = f.components.count
        components = scan.components.map(\.index)
        for c in scan.components where c.dc != 0 || c.ac != 0 {
            throw ImagingError(.unsupportedTransferSyntax, "JPEG-LS: mapping tables are not supported", offset: scan.dataStart)
        }
        interleave = scan.se
        near = scan.ss
        guard interleave <= 2, interleave != 0 || components.count == 1 else {
            throw ImagingError(.corruptData, "JPEG-LS: interleave mode \(interleave) with \(components.count) components", offset: scan.dataStart)
        }
        guard scan.al == 0 else {
            throw ImagingError(.unsupportedTransferSyntax, "JPEG-LS: point transform \(scan.al) is not supported", offset: scan.dataStart)
        }
        let p = scan.lsParameters
        maxVal = p[0] != 0 ? p[0] : (1 << f.precision) - 1
        guard maxVal >= 1, maxVal < 1 << 16, near <= min(255, maxVal / 2) else {
            throw ImagingError(.corruptData, "JPEG-LS: MAXVAL \(maxVal) / NEAR \(near) invalid", offset: scan.dataStart)
        }
        let d = Self.defaultThresholds(maxVal: maxVal, near: near)
        t1 = p[1] != 0 ? p[1] : d.0
        t2 = p[2] != 0 ? p[2] : d.1
        t3 = p[3] != 0 ? p[3] : d.2
        reset = p[4] != 0 ? p[4] : 64
        guard t1 <= t2, t2 <= t3, reset >= 3 else {
            throw ImagingError(.corruptData, "JPEG-LS: thresholds \(t1), \(t2), \(t3) / RESET \(reset) invalid", offset: scan.dataStart)
        }
        range = (maxVal + 2 * near) / (2 * near + 1) + 1
        qbpp = Self.ceilLog2(range)
        let bpp = max(2, Self.ceilLog2(maxVal + 1))
        limit = 2 * (bpp + max(8, bpp))
        restartInterval = scan.restartInterval
        reader = JPEGLSBitReader(data, from: scan.dataStart, to: scan.dataEnd)
        runIndex = [Int](repeating: 0, count: components.count)
        let block = UnsafeMutablePointer<Int>.allocate(capacity: 4 * 367 + 2)
        block.initialize(repeating: 0, count: 4 * 367 + 2)
        A = block
        B = block + 367
        C = block + 2 * 367
        N = block + 3 * 367
        Nn = block + 4 * 367
        resetContexts()
    }

    /// Frees the context memory; call once, when the scan is done.
    func deallocate() { A.deallocate() }

    static func ceilLog2(_ v: Int) -> Int {
        var n = 0
        while (1 << n) < v { n += 1 }
        return n
    }

    /// T.87 C.2.4.1.1: default thresholds for MAXVAL and NEAR.
    static func defaultThresholds(maxVal: Int, near: Int) -> (Int, Int, Int) {
        func clamp(_ i: Int, _ j: Int) -> Int { (i > maxVal || i < j) ? j : i }
        if maxVal >= 128 {
            let factor = (min(maxVal, 4095) + 128) / 256
            let t1 = clamp(factor * (3 - 2) + 2 + 3 * near, near + 1)
            let t2 = clamp(factor * (7 - 3) + 3 + 5 * near, t1)
            let t3 = clamp(factor * (21 - 4) + 4 + 7 * near, t2)
            return (t1, t2, t3)
        }
        let factor = 256 / (maxVal + 1)
        let t1 = clamp(max(2, 3 / factor + 3 * near), near + 1)
        let t2 = clamp(max(3, 7 / factor + 5 * near), t1)
        let t3 = clamp(max(4, 21 / factor + 7 * near), t2)
        return (t1, t2, t3)
    }

    mutating func resetContexts() {
        let a = max(2, (range + 32) / 64)
        for i in 0..<367 { A[i] = a; B[i] = 0; C[i] = 0; N[i] = 1 }
        Nn[0] = 0
        Nn[1] = 0
        for i in runIndex.indices { runIndex[i] = 0 }
    }

    // MARK: - Scan

    mutating func decode(into out: UnsafeMutablePointer<UInt16>) throws {
        let n = components.count
        let w = width
        // Two lines per scan component with one guard sample each side: [-1, w].
        let lineLength = w + 2
        var lines = [Int](repeating: 0, count: 2 * n * lineLength)
        try lines.withUnsafeMutableBufferPointer { lb in
            let base = lb.baseAddress!
            var previous = 0, current = 1  // which of the two lines
            func line(_ which: Int, _ c: Int) -> UnsafeMutablePointer<Int> { base + (which * n + c) * lineLength + 1 }
            var restarts = 0
            for y in 0..<height {
                if restartInterval > 0, y > 0, y % restartInterval == 0 {
                    if reader.overran { throw truncated() }
                    try reader.restart(expecting: restarts % 8)
                    restarts += 1
                    resetContexts()
                    for i in 0..<lb.count { lb[i] = 0 }
                }
                for c in 0..<n {
                    let prev = line(previous, c), cur = line(current, c)
                    prev[w] = prev[w - 1]
                    cur[-1] = prev[0]
                }
                if interleave == 2 && n > 1 {
                    try decodeSampleInterleavedLine(prev: (0..<n).map { line(previous, $0) }, cur: (0..<n).map { line(current, $0) })
                } else {
                    for c in 0..<n {
                        try decodeLine(prev: line(previous, c), cur: line(current, c), component: c)
                    }
                }
                for c in 0..<n {
                    let cur = line(current, c)
                    let fc = components[c]
                    let row = out + y * w * frameComponents + fc
                    for x in 0..<w { row[x * frameComponents] = UInt16(truncatingIfNeeded: cur[x]) }
                }
                if reader.overran { throw truncated() }
                swap(&previous, &current)
            }
        }
    }

    func truncated() -> ImagingError {
        ImagingError(.corruptData, "JPEG-LS: entropy-coded data ends before the last line (truncated or corrupt)", offset: reader.offset)
    }

    func corrupt(_ what: String) -> ImagingError {
        ImagingError(.corruptData, "JPEG-LS: \(what)", offset: reader.offset)
    }

    @inline(__always) func quantize(_ d: Int) -> Int {
        if d <= -t3 { return -4 }
        if d <= -t2 { return -3 }
        if d <= -t1 { return -2 }
        if d < -near { return -1 }
        if d <= near { return 0 }
        if d < t2 { return d < t1 ? 1 : 2 }
        return d < t3 ? 3 : 4
    }

    @inline(__always) func fix(_ v: Int) -> Int {
        var x = v
        if x < -near { x += range * (2 * near + 1) } else if x > maxVal + near { x -= range * (2 * near + 1) }
        return x < 0 ? 0 : (x > maxVal ? maxVal : x)
    }

    /// Limited-length Golomb decoding (A.5.3).
    @inline(__always) mutating func golomb(k: Int, limit lim: Int) throws -> Int {
        guard let high = reader.zeroRun(limit: lim) else { throw corrupt("Golomb code longer than LIMIT") }
        if high >= lim - (qbpp + 1) { return reader.bits(qbpp) + 1 }
        if k == 0 { return high }
        guard k < 32, high < (1 << (48 - k)) else { throw corrupt("Golomb parameter out of range") }
        return (high << k) + reader.bits(k)
    }

    /// One sample in regular mode (A.3–A.6) for the context of gradients (q1, q2, q3).
    @inline(__always) mutating func regular(_ qIn: Int, ra: Int, rb: Int, rc: Int) throws -> Int {
        var q = qIn, sign = 1
        if q < 0 { q = -q; sign = -1 }
        var px: Int
        if rc >= max(ra, rb) { px = min(ra, rb) } else if rc <= min(ra, rb) { px = max(ra, rb) } else { px = ra + rb - rc }
        px += sign * C[q]
        px = px < 0 ? 0 : (px > maxVal ? maxVal : px)
        var k = 0
        let nq = N[q], aq = A[q]
        while (nq << k) < aq { k += 1; if k > 24 { throw corrupt("context state out of range") } }
        let m = try golomb(k: k, limit: limit)
        var e: Int
        if near == 0 && k == 0 && 2 * B[q] <= -nq {
            e = m & 1 == 1 ? (m - 1) >> 1 : -(m >> 1) - 1
        } else {
            e = m & 1 == 0 ? m >> 1 : -((m + 1) >> 1)
        }
        // Context update (A.6).
        var b = B[q] + e * (2 * near + 1)
        var a = aq + abs(e)
        var nn = nq
        if nn == reset { a >>= 1; b >>= 1; nn >>= 1 }
        nn += 1
        A[q] = a
        N[q] = nn
        if b <= -nn {
            b += nn
            if C[q] > -128 { C[q] -= 1 }
            if b <= -nn { b = -nn + 1 }
        } else if b > 0 {
            b -= nn
            if C[q] < 127 { C[q] += 1 }
            if b > 0 { b = 0 }
        }
        B[q] = b
        return fix(px + sign * e * (2 * near + 1))
    }

    /// The error of a run-interruption sample (A.7.2) in context 365 + `riType`.
    @inline(__always) mutating func runInterruptionError(riType: Int, component c: Int) throws -> Int {
        let q = 365 + riType
        let temp = riType == 0 ? A[q] : A[q] + (N[q] >> 1)
        var k = 0
        while (N[q] << k) < temp { k += 1; if k > 24 { throw corrupt("context state out of range") } }
        let em = try golomb(k: k, limit: limit - Self.J[runIndex[c]] - 1)
        let t = em + riType
        let map = t & 1
        let magnitude = (t + map) / 2
        let e = ((k != 0 || 2 * Nn[riType] >= N[q]) == (map == 1)) ? -magnitude : magnitude
        if e < 0 { Nn[riType] += 1 }
        A[q] += (em + 1 - riType) >> 1
        if N[q] == reset { A[q] >>= 1; N[q] >>= 1; Nn[riType] >>= 1 }
        N[q] += 1
        return e
    }

    /// The length of a run starting at `x` (A.7.1), at most `remaining`.
    @inline(__always) mutating func runLength(remaining: Int, component c: Int) throws -> Int {
        var run = 0
        while reader.bit() == 1 {
            let full = 1 << Self.J[runIndex[c]]
            let count = min(full, remaining - run)
            run += count
            if count == full, runIndex[c] < 31 { runIndex[c] += 1 }
            if run == remaining { return run }
            if reader.overran { throw truncated() }
        }
        let j = Self.J[runIndex[c]]
        if j > 0 { run += reader.bits(j) }
        guard run <= remaining else { throw corrupt("run of \(run) samples passes the end of the line") }
        return run
    }

    mutating func decodeLine(prev: UnsafeMutablePointer<Int>, cur: UnsafeMutablePointer<Int>, component c: Int) throws {
        let w = width
        var x = 0
        while x < w {
            let ra = cur[x - 1], rb = prev[x], rc = prev[x - 1], rd = prev[x + 1]
            let q = 81 * quantize(rd - rb) + 9 * quantize(rb - rc) + quantize(rc - ra)
            if q != 0 {
                cur[x] = try regular(q, ra: ra, rb: rb, rc: rc)
                x += 1
                continue
            }
            let run = try runLength(remaining: w - x, component: c)
            for i in 0..<run { cur[x + i] = ra }
            x += run
            if x == w { break }
            let b = prev[x]
            let riType = abs(ra - b) <= near ? 1 : 0
            let e = try runInterruptionError(riType: riType, component: c)
            if riType == 1 {
                cur[x] = fix(ra + e * (2 * near + 1))
            } else {
                cur[x] = fix(b + (b >= ra ? e : -e) * (2 * near + 1))
            }
            if runIndex[c] > 0 { runIndex[c] -= 1 }
            x += 1
        }
    }

    mutating func decodeSampleInterleavedLine(prev: [UnsafeMutablePointer<Int>], cur: [UnsafeMutablePointer<Int>]) throws {
        let w = width, n = prev.count
        var qs = [Int](repeating: 0, count: n)
        var x = 0
        while x < w {
            var allZero = true
            for c in 0..<n {
                let ra = cur[c][x - 1], rb = prev[c][x], rc = prev[c][x - 1], rd = prev[c][x + 1]
                qs[c] = 81 * quantize(rd - rb) + 9 * quantize(rb - rc) + quantize(rc - ra)
                if qs[c] != 0 { allZero = false }
            }
            if !allZero {
                for c in 0..<n {
                    cur[c][x] = try regular(qs[c], ra: cur[c][x - 1], rb: prev[c][x], rc: prev[c][x - 1])
                }
                x += 1
                continue
            }
            let run = try runLength(remaining: w - x, component: 0)
            for c in 0..<n {
                let ra = cur[c][x - 1]
                for i in 0..<run { cur[c][x + i] = ra }
            }
            x += run
            if x == w { break }
            var errors = [Int](repeating: 0, count: n)
            for c in 0..<n { errors[c] = try runInterruptionError(riType: 0, component: 0) }
            for c in 0..<n {
                let ra = cur[c][x - 1], b = prev[c][x]
                cur[c][x] = fix(b + (b >= ra ? errors[c] : -errors[c]) * (2 * near + 1))
            }
            if runIndex[0] > 0 { runIndex[0] -= 1 }
            x += 1
        }
    }
}
