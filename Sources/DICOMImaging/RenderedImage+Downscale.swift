/// Thumbnails: shrinking by area averaging (a box filter over the exact source footprint).
extension RenderedImage {
    /// The largest size no bigger than `maxWidth`×`maxHeight` with this image's aspect ratio (each
    /// side rounded to the nearest pixel, at least 1). Never larger than the image itself.
    public func fittingSize(maxWidth: Int, maxHeight: Int) -> (width: Int, height: Int) {
        guard width > 0, height > 0 else { return (0, 0) }
        let scale = min(Double(maxWidth) / Double(width), Double(maxHeight) / Double(height), 1)
        return (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
    }

    /// This image shrunk to fit `maxWidth`×`maxHeight`, keeping the aspect ratio; each output pixel
    /// is the area-weighted mean of the source pixels it covers, rounded to the nearest level.
    /// Images that already fit are returned unchanged.
    public func downscaled(toFit maxWidth: Int, _ maxHeight: Int) -> RenderedImage {
        let size = fittingSize(maxWidth: maxWidth, maxHeight: maxHeight)
        if size.width == width && size.height == height { return self }
        return resampled(width: size.width, height: size.height)
    }

    /// Area-average resampling to exactly `newWidth`×`newHeight` (meant for shrinking).
    public func resampled(width newWidth: Int, height newHeight: Int) -> RenderedImage {
        precondition(newWidth > 0 && newHeight > 0, "resampled: empty target")
        let channels = format.channels
        let wide = format == .grey16
        let xTaps = Taps(from: width, to: newWidth), yTaps = Taps(from: height, to: newHeight)
        let rowLength = newWidth * channels
        // Horizontal pass: every source row shrunk to newWidth, in Double.
        var rows = [Double](repeating: 0, count: height * rowLength)
        let lineLength = width * channels
        var line = [Double](repeating: 0, count: lineLength)
        bytes.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { dst in
                line.withUnsafeMutableBufferPointer { line in
                    for y in 0..<height {
                        // The source row as numbers, once.
                        let rowStart = y * lineLength
                        if wide {
                            for j in 0..<lineLength { line[j] = Double(Int(src[2 * (rowStart + j)]) << 8 | Int(src[2 * (rowStart + j) + 1])) }
                        } else {
                            for j in 0..<lineLength { line[j] = Double(src[rowStart + j]) }
                        }
                        let out = y * rowLength
                        for ox in 0..<newWidth {
                            let first = xTaps.first[ox] * channels, weights = xTaps.weightStart[ox], count = xTaps.count[ox]
                            for c in 0..<channels {
                                var sum = 0.0
                                for k in 0..<count { sum += xTaps.weights[weights + k] * line[first + k * channels + c] }
                                dst[out + ox * channels + c] = sum
                            }
                        }
                    }
                }
            }
        }
        // Vertical pass, rounded to the nearest level.
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * format.bytesPerPixel)
        let top = wide ? 65535.0 : 255.0
        rows.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var column = [Double](repeating: 0, count: rowLength)
                for oy in 0..<newHeight {
                    for j in 0..<rowLength { column[j] = 0 }
                    let first = yTaps.first[oy], weights = yTaps.weightStart[oy]
                    for k in 0..<yTaps.count[oy] {
                        let w = yTaps.weights[weights + k], base = (first + k) * rowLength
                        for j in 0..<rowLength { column[j] += w * src[base + j] }
                    }
                    for j in 0..<rowLength {
                        let v = Int(min(max(column[j], 0), top).rounded())
                        let i = oy * rowLength + j
                        if wide {
                            dst[2 * i] = UInt8(v >> 8)
                            dst[2 * i + 1] = UInt8(v & 0xFF)
                        } else {
                            dst[i] = UInt8(v)
                        }
                    }
                }
            }
        }
        return RenderedImage(width: newWidth, height: newHeight, format: format, bytes: out)
    }

    /// For each output index, the source indices it covers and their weights (summing to 1): output
    /// pixel i covers source interval [i·s, (i+1)·s) with s = from/to.
    static func areaWeights(from: Int, to: Int) -> [[(Int, Double)]] {
        let taps = Taps(from: from, to: to)
        return (0..<to).map { o in (0..<taps.count[o]).map { k in (taps.first[o] + k, taps.weights[taps.weightStart[o] + k]) } }
    }

    /// Area-average taps, flat: output o reads `count[o]` consecutive source indices from `first[o]`
    /// with the weights at `weights[weightStart[o]...]`.
    struct Taps {
        var first: [Int] = [], count: [Int] = [], weightStart: [Int] = []
        var weights: [Double] = []

        init(from: Int, to: Int) {
            let scale = Double(from) / Double(to)
            for i in 0..<to {
                let start = Double(i) * scale, end = Double(i + 1) * scale
                var s = Int(start.rounded(.down))
                var firstIndex = -1, n = 0
                weightStart.append(weights.count)
                while Double(s) < end && s < from {
                    let overlap = min(end, Double(s + 1)) - max(start, Double(s))
                    if overlap > 1e-12 {
                        if firstIndex < 0 { firstIndex = s }
                        weights.append(overlap / scale)
                        n += 1
                    } else if firstIndex >= 0 {
                        break
                    }
                    s += 1
                }
                first.append(max(firstIndex, 0))
                count.append(n)
            }
        }
    }
}
