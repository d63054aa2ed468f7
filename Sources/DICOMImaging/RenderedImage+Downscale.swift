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
        let channels = format.channels
        let xWeights = Self.areaWeights(from: width, to: newWidth)
        let yWeights = Self.areaWeights(from: height, to: newHeight)
        // Horizontal pass into doubles, then vertical pass.
        var rows = [Double](repeating: 0, count: height * newWidth * channels)
        for y in 0..<height {
            for (ox, taps) in xWeights.enumerated() {
                for c in 0..<channels {
                    var sum = 0.0
                    for (sx, w) in taps { sum += w * Double(sample(x: sx, y: y, channel: c)) }
                    rows[(y * newWidth + ox) * channels + c] = sum
                }
            }
        }
        var out = RenderedImage(width: newWidth, height: newHeight, format: format)
        let top = format == .grey16 ? 65535.0 : 255.0
        for (oy, taps) in yWeights.enumerated() {
            for ox in 0..<newWidth {
                for c in 0..<channels {
                    var sum = 0.0
                    for (sy, w) in taps { sum += w * rows[(sy * newWidth + ox) * channels + c] }
                    let v = Int(min(max(sum, 0), top).rounded())
                    let i = oy * newWidth + ox
                    switch format {
                    case .grey8: out.bytes[i] = UInt8(v)
                    case .rgb8: out.bytes[i * 3 + c] = UInt8(v)
                    case .grey16:
                        out.bytes[2 * i] = UInt8(v >> 8)
                        out.bytes[2 * i + 1] = UInt8(v & 0xFF)
                    }
                }
            }
        }
        return out
    }

    /// For each output index, the source indices it covers and their weights (summing to 1): output
    /// pixel i covers source interval [i·s, (i+1)·s) with s = from/to.
    static func areaWeights(from: Int, to: Int) -> [[(Int, Double)]] {
        let scale = Double(from) / Double(to)
        return (0..<to).map { i in
            let start = Double(i) * scale, end = Double(i + 1) * scale
            var taps: [(Int, Double)] = []
            var s = Int(start.rounded(.down))
            while Double(s) < end && s < from {
                let overlap = min(end, Double(s + 1)) - max(start, Double(s))
                if overlap > 1e-12 { taps.append((s, overlap / scale)) }
                s += 1
            }
            return taps
        }
    }
}
