/// Sequential DCT decoding with Huffman coding (T.81 Annex F; Processes 1, 2 and 4): entropy
/// decoding into one sample plane per component, IJG's integer IDCT, then upsampling and colour
/// conversion into the native frame.
struct JPEGDCTDecoding {
    let stream: JPEGStream
    let data: UnsafeBufferPointer<UInt8>

    /// Upsampling of subsampled chroma. IJG's default is "fancy" (triangle filter) for h2v1 and
    /// h2v2, which DCMTK keeps (checked: with replication instead, 4:2:2 frames differ from
    /// dcmdjpeg by up to 36); other ratios replicate samples, as IJG does.
    static let fancyUpsampling = true

    struct Plane {
        var offset: Int      // into the shared sample buffer
        var stride: Int      // samples per row (whole blocks)
        var width: Int       // downsampled width, ceil(W * h / hmax)
        var height: Int
    }

    func decode(_ description: ImagePixelDescription) throws -> NativeFrame {
        let f = stream.frame
        let hmax = f.components.map(\.h).max()!, vmax = f.components.map(\.v).max()!
        let mcusX = (f.width + 8 * hmax - 1) / (8 * hmax), mcusY = (f.height + 8 * vmax - 1) / (8 * vmax)
        var planes: [Plane] = []
        var total = 0
        for c in f.components {
            let stride = mcusX * c.h * 8, rows = mcusY * c.v * 8
            planes.append(Plane(offset: total, stride: stride,
                                width: (f.width * c.h + hmax - 1) / hmax, height: (f.height * c.v + vmax - 1) / vmax))
            total += stride * rows
        }
        var samples = [UInt16](repeating: 0, count: total)
        try samples.withUnsafeMutableBufferPointer { out in
            for scan in stream.scans {
                try decodeScan(scan, planes: planes, mcus: (mcusX, mcusY), hmax: hmax, vmax: vmax, out: out.baseAddress!)
            }
        }
        return try samples.withUnsafeBufferPointer { try assemble($0, planes: planes, hmax: hmax, vmax: vmax, description) }
    }

    private func decodeScan(_ scan: JPEGStream.Scan, planes: [Plane], mcus: (x: Int, y: Int), hmax: Int, vmax: Int,
                            out: UnsafeMutablePointer<UInt16>) throws {
        let f = stream.frame
        guard scan.ss == 0, scan.se == 63, scan.ah == 0, scan.al == 0 else {
            throw ImagingError(.unsupportedTransferSyntax, "JPEG: scan with spectral selection or successive approximation (progressive) is not supported",
                               offset: scan.dataStart)
        }
        struct Unit { var dc: JPEGHuffmanTable; var ac: JPEGHuffmanTable; var plane: Plane; var h: Int; var v: Int }
        var units: [Unit] = []
        let ns = scan.components.count
        // Dequantization tables as Int, one 64-entry block per scan component.
        let quant = UnsafeMutablePointer<Int>.allocate(capacity: 64 * ns)
        defer { quant.deallocate() }
        for (u, (index, dcID, acID)) in scan.components.enumerated() {
            let c = f.components[index]
            guard dcID < 4, acID < 4, let dc = scan.dcTables[dcID], let ac = scan.acTables[acID] else {
                throw ImagingError(.corruptData, "JPEG: scan uses a Huffman table that was not defined", offset: scan.dataStart)
            }
            guard let q = scan.quantTables[c.quantTable] else {
                throw ImagingError(.corruptData, "JPEG: component \(c.id) uses quantization table \(c.quantTable), which was not defined", offset: scan.dataStart)
            }
            for k in 0..<64 { quant[64 * u + k] = Int(q[k]) }
            units.append(Unit(dc: dc, ac: ac, plane: planes[index], h: c.h, v: c.v))
        }
        let up = UnsafeMutablePointer<Unit>.allocate(capacity: ns)
        up.initialize(from: units, count: ns)
        let predictors = UnsafeMutablePointer<Int>.allocate(capacity: ns)
        predictors.initialize(repeating: 0, count: ns)
        defer { up.deinitialize(count: ns); up.deallocate(); predictors.deallocate() }

        var reader = JPEGBitReader(data, from: scan.dataStart, to: scan.dataEnd)
        let precision = f.precision
        let coef = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        let ws = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        let zz = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        defer { coef.deallocate(); ws.deallocate(); zz.deallocate() }
        for k in 0..<64 { zz[k] = JPEGStream.zigzag[k] }

        let single = ns == 1
        // Non-interleaved scans cover the component's own blocks; interleaved ones whole MCUs.
        let blocksX = single ? (units[0].plane.width + 7) / 8 : mcus.x
        let blocksY = single ? (units[0].plane.height + 7) / 8 : mcus.y
        let ri = scan.restartInterval
        var mcu = 0, restarts = 0

        for my in 0..<blocksY {
            for mx in 0..<blocksX {
                if ri > 0, mcu > 0, mcu % ri == 0 {
                    if reader.overran { throw truncated(reader) }
                    try reader.restart(expecting: restarts % 8)
                    restarts += 1
                    predictors.update(repeating: 0, count: ns)
                }
                mcu += 1
                for u in 0..<ns {
                    let dc = up[u].dc, ac = up[u].ac, plane = up[u].plane
                    let (bh, bv) = single ? (1, 1) : (up[u].h, up[u].v)
                    let q = quant + 64 * u
                    for by in 0..<bv {
                        for bx in 0..<bh {
                            coef.update(repeating: 0, count: 64)
                            // DC
                            guard let s = dc.decode(&reader), s <= 16 else { throw badCode(reader) }
                            predictors[u] &+= reader.receiveExtend(s)
                            coef[0] = Int(Int16(truncatingIfNeeded: predictors[u])) &* q[0]
                            // AC
                            var k = 1
                            while k < 64 {
                                guard let rs = ac.decode(&reader) else { throw badCode(reader) }
                                let r = rs >> 4, sz = rs & 15
                                if sz != 0 {
                                    k += r
                                    guard k < 64 else { throw ImagingError(.corruptData, "JPEG: AC coefficient index past 63", offset: reader.offset) }
                                    let z = zz[k]
                                    coef[z] = reader.receiveExtend(sz) &* q[z]
                                    k += 1
                                } else {
                                    if r != 15 { break }
                                    k += 16
                                }
                            }
                            let x = (mx * bh + bx) * 8, y = (my * bv + by) * 8
                            JPEGIDCT.transform(coef, workspace: ws, precision: precision, out: out,
                                               offset: plane.offset + y * plane.stride + x, stride: plane.stride)
                        }
                    }
                }
            }
            if reader.overran { throw truncated(reader) }
        }
    }

    private func truncated(_ r: JPEGBitReader) -> ImagingError {
        ImagingError(.corruptData, "JPEG: entropy-coded data ends before the last MCU (truncated or corrupt)", offset: r.offset)
    }

    private func badCode(_ r: JPEGBitReader) -> ImagingError {
        ImagingError(.corruptData, "JPEG: invalid Huffman code", offset: r.offset)
    }

    // MARK: - Output

    private func assemble(_ s: UnsafeBufferPointer<UInt16>, planes: [Plane], hmax: Int, vmax: Int,
                          _ description: ImagePixelDescription) throws -> NativeFrame {
        let f = stream.frame
        let w = f.width, h = f.height, n = f.components.count
        let maxSample = (1 << f.precision) - 1, center = 1 << (f.precision - 1)
        var produced = description
        let photometric = description.photometricInterpretation
        let convert = n == 3 && photometric.hasPrefix("YBR")
        if convert { produced.photometricInterpretation = "RGB" }
        produced.planarConfiguration = 0

        var out = [UInt16](repeating: 0, count: w * h * n)
        try out.withUnsafeMutableBufferPointer { o in
            var rows = [[UInt16]](repeating: [UInt16](repeating: 0, count: w + 16), count: n)
            for y in 0..<h {
                for c in 0..<n {
                    let comp = f.components[c]
                    try rows[c].withUnsafeMutableBufferPointer { row in
                        try upsampleRow(s, plane: planes[c], hf: hmax / comp.h, vf: vmax / comp.v,
                                        exact: hmax % comp.h == 0 && vmax % comp.v == 0, y: y, width: w, into: row)
                    }
                }
                let base = y * w * n
                if n == 1 {
                    rows[0].withUnsafeBufferPointer { r in for x in 0..<w { o[base + x] = r[x] } }
                } else if convert {
                    rows[0].withUnsafeBufferPointer { yr in rows[1].withUnsafeBufferPointer { cbr in rows[2].withUnsafeBufferPointer { crr in
                        for x in 0..<w {
                            let yy = Int(yr[x]), cb = Int(cbr[x]) - center, cr = Int(crr[x]) - center
                            let r = yy + ((91881 * cr + 32768) >> 16)
                            let g = yy + ((-22554 * cb + 32768 - 46802 * cr) >> 16)
                            let b = yy + ((116130 * cb + 32768) >> 16)
                            let p = base + 3 * x
                            o[p] = UInt16(r < 0 ? 0 : (r > maxSample ? maxSample : r))
                            o[p + 1] = UInt16(g < 0 ? 0 : (g > maxSample ? maxSample : g))
                            o[p + 2] = UInt16(b < 0 ? 0 : (b > maxSample ? maxSample : b))
                        }
                    } } }
                } else {
                    for c in 0..<n {
                        rows[c].withUnsafeBufferPointer { r in for x in 0..<w { o[base + n * x + c] = r[x] } }
                    }
                }
            }
        }
        let bytes = out.withUnsafeBufferPointer { SampleWriter.pack($0, bitsAllocated: description.bitsAllocated) }
        return NativeFrame(description: produced, bytes: bytes)
    }

    /// Row `y` of the full-size image for one component: copied, fancy-upsampled (h2v1, h2v2) or replicated.
    private func upsampleRow(_ s: UnsafeBufferPointer<UInt16>, plane p: Plane, hf: Int, vf: Int, exact: Bool, y: Int, width: Int,
                             into row: UnsafeMutableBufferPointer<UInt16>) throws {
        guard exact else {
            throw ImagingError(.unsupportedTransferSyntax, "JPEG: sampling factors that do not divide the largest one are not supported")
        }
        let dw = p.width
        if hf == 1 && vf == 1 {
            let start = p.offset + y * p.stride
            for x in 0..<width { row[x] = s[start + x] }
            return
        }
        if Self.fancyUpsampling, hf == 2, vf == 1, dw >= 2 {
            let i = p.offset + y * p.stride
            var o = 0
            var v = Int(s[i])
            row[o] = UInt16(v); row[o + 1] = UInt16((v * 3 + Int(s[i + 1]) + 2) >> 2); o += 2
            for x in 1..<(dw - 1) {
                v = Int(s[i + x]) * 3
                row[o] = UInt16((v + Int(s[i + x - 1]) + 1) >> 2)
                row[o + 1] = UInt16((v + Int(s[i + x + 1]) + 2) >> 2)
                o += 2
            }
            v = Int(s[i + dw - 1])
            row[o] = UInt16((v * 3 + Int(s[i + dw - 2]) + 1) >> 2); row[o + 1] = UInt16(v)
            return
        }
        if Self.fancyUpsampling, hf == 2, vf == 2, dw >= 2 {
            let r = y / 2
            let other = y % 2 == 0 ? max(r - 1, 0) : min(r + 1, p.height - 1)
            let i0 = p.offset + r * p.stride, i1 = p.offset + other * p.stride
            var this = Int(s[i0]) * 3 + Int(s[i1])
            var next = Int(s[i0 + 1]) * 3 + Int(s[i1 + 1])
            row[0] = UInt16((this * 4 + 8) >> 4)
            row[1] = UInt16((this * 3 + next + 7) >> 4)
            var last = this
            this = next
            var o = 2
            for x in stride(from: 2, to: dw, by: 1) {
                next = Int(s[i0 + x]) * 3 + Int(s[i1 + x])
                row[o] = UInt16((this * 3 + last + 8) >> 4)
                row[o + 1] = UInt16((this * 3 + next + 7) >> 4)
                last = this
                this = next
                o += 2
            }
            row[o] = UInt16((this * 3 + last + 8) >> 4)
            row[o + 1] = UInt16((this * 4 + 7) >> 4)
            return
        }
        let start = p.offset + (y / vf) * p.stride
        for x in 0..<width { row[x] = s[start + x / hf] }
    }
}
