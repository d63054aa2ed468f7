/// Lossless JPEG (T.81 Annex H; Process 14, and SV1 = predictor 1): Huffman-coded differences
/// from one of seven predictors, modulo 2^16, then the point transform shifted back.
///
/// Components must not be subsampled (DICOM encoders never do it for lossless). A restart
/// interval must be a whole number of rows, as in IJG's lossless decoder; each interval starts
/// prediction afresh like the first row of the image (H.1.2.1).
struct JPEGLosslessDecoding {
    let stream: JPEGStream
    let data: UnsafeBufferPointer<UInt8>

    func decode(_ description: ImagePixelDescription) throws -> NativeFrame {
        let f = stream.frame
        let w = f.width, h = f.height, n = f.components.count
        guard f.components.allSatisfy({ $0.h == 1 && $0.v == 1 }) else {
            throw ImagingError(.unsupportedTransferSyntax, "JPEG lossless: subsampled components are not supported")
        }
        // Samples as coded (before the point transform is undone), colour-by-pixel.
        var samples = [UInt16](repeating: 0, count: w * h * n)
        var pointTransform = 0
        try samples.withUnsafeMutableBufferPointer { out in
            for scan in stream.scans {
                pointTransform = scan.al
                try decodeScan(scan, out: out.baseAddress!, width: w, height: h, components: n)
            }
        }
        if pointTransform > 0 {
            for i in samples.indices { samples[i] = samples[i] &<< UInt16(pointTransform) }
        }
        var produced = description
        produced.planarConfiguration = 0
        let bytes = samples.withUnsafeBufferPointer { SampleWriter.pack($0, bitsAllocated: description.bitsAllocated) }
        return NativeFrame(description: produced, bytes: bytes)
    }

    private func decodeScan(_ scan: JPEGStream.Scan, out: UnsafeMutablePointer<UInt16>, width w: Int, height h: Int, components n: Int) throws {
        let f = stream.frame
        let predictor = scan.ss
        guard (1...7).contains(predictor) else {
            throw ImagingError(.corruptData, "JPEG lossless: predictor (selection value) \(predictor) is not 1 to 7", offset: scan.dataStart)
        }
        guard scan.al < f.precision else {
            throw ImagingError(.corruptData, "JPEG lossless: point transform \(scan.al) not below precision \(f.precision)", offset: scan.dataStart)
        }
        var tables: [JPEGHuffmanTable] = []
        var comps: [Int] = []
        for (index, dcID, _) in scan.components {
            guard dcID < 4, let t = scan.dcTables[dcID] else {
                throw ImagingError(.corruptData, "JPEG lossless: scan uses a Huffman table that was not defined", offset: scan.dataStart)
            }
            tables.append(t)
            comps.append(index)
        }
        let ri = scan.restartInterval
        let mcusPerRow = w  // one sample of each scan component per MCU
        if ri > 0, ri % mcusPerRow != 0 {
            throw ImagingError(.unsupportedTransferSyntax, "JPEG lossless: restart interval \(ri) is not a whole number of rows (\(w) MCUs)",
                               offset: scan.dataStart)
        }
        let rowsPerInterval = ri > 0 ? ri / mcusPerRow : Int.max
        let initial = 1 << (f.precision - scan.al - 1)
        var reader = JPEGBitReader(data, from: scan.dataStart, to: scan.dataEnd)
        let ns = comps.count
        let rowStride = w * n
        var restarts = 0

        func badCode(_ r: JPEGBitReader) -> ImagingError {
            ImagingError(.corruptData, "JPEG lossless: invalid Huffman code", offset: r.offset)
        }

        // Raw copies of the per-component lists: no closures around the loop, so the bit reader
        // stays in registers instead of a capture box.
        let tp = UnsafeMutablePointer<JPEGHuffmanTable>.allocate(capacity: ns)
        tp.initialize(from: tables, count: ns)
        let cp = UnsafeMutablePointer<Int>.allocate(capacity: ns)
        cp.initialize(from: comps, count: ns)
        defer { tp.deinitialize(count: ns); tp.deallocate(); cp.deallocate() }
        for y in 0..<h {
            var firstRow = y == 0
            if y > 0, y % rowsPerInterval == 0 {
                if reader.overran { throw truncated(reader) }
                try reader.restart(expecting: restarts % 8)
                restarts += 1
                firstRow = true
            }
            let row = out + y * rowStride
            let above = row - rowStride
            var i = 0
            let end = w * n
            while i < end {
                for ci in 0..<ns {
                    let at = i + cp[ci]
                    // The difference: `JPEGHuffmanTable.difference`, written out here because this
                    // is the hottest loop of lossless decoding.
                    let table = tp[ci]
                    let bits16 = reader.peek16()
                    let entry = Int(table.lookup[bits16 >> (16 - JPEGHuffmanTable.lookupBits)])
                    let length = entry >> 8, s = entry & 0xFF
                    let d: Int
                    if entry != 0, length + s <= 16 {
                        reader.skip(length + s)
                        if s == 0 {
                            d = 0
                        } else {
                            let v = (bits16 >> (16 - length - s)) & ((1 << s) - 1)
                            d = v < (1 << (s - 1)) ? v - (1 << s) + 1 : v
                        }
                    } else {
                        guard let slow = table.slowDifference(&reader) else { throw badCode(reader) }
                        d = slow
                    }
                    let px: Int
                    if i == 0 {
                        // First column: the initial value on a first row, else the sample above.
                        px = firstRow ? initial : Int(above[at])
                    } else if firstRow {
                        px = Int(row[at - n])
                    } else {
                        let ra = Int(row[at - n]), rb = Int(above[at]), rc = Int(above[at - n])
                        switch predictor {
                        case 1: px = ra
                        case 2: px = rb
                        case 3: px = rc
                        case 4: px = ra + rb - rc
                        case 5: px = ra + ((rb - rc) >> 1)
                        case 6: px = rb + ((ra - rc) >> 1)
                        default: px = (ra + rb) >> 1
                        }
                    }
                    row[at] = UInt16(truncatingIfNeeded: px &+ d)
                }
                i += n
            }
            if reader.overran { throw truncated(reader) }
        }
    }

    private func truncated(_ r: JPEGBitReader) -> ImagingError {
        ImagingError(.corruptData, "JPEG lossless: entropy-coded data ends before the last row (truncated or corrupt)", offset: r.offset)
    }
}
