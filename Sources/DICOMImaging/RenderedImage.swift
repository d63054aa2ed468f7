/// A finished picture, ready for an image file: 8-bit grey, 16-bit grey or 8-bit RGB.
///
/// Samples are stored row by row with no padding. 16-bit samples are big-endian (as PNG wants
/// them), two bytes each; RGB pixels are R, G, B bytes one after another.
public struct RenderedImage: Sendable, Equatable {
    public enum Format: Sendable, Equatable, Hashable {
        case grey8
        case grey16
        case rgb8

        /// Samples per pixel.
        public var channels: Int { self == .rgb8 ? 3 : 1 }
        /// Bits per sample.
        public var bitDepth: Int { self == .grey16 ? 16 : 8 }
        /// Bytes one pixel takes.
        public var bytesPerPixel: Int { channels * bitDepth / 8 }
    }

    public var width: Int
    public var height: Int
    public var format: Format
    public var bytes: [UInt8]

    /// An image of `bytes`, which must hold exactly `width * height * format.bytesPerPixel` bytes.
    public init(width: Int, height: Int, format: Format, bytes: [UInt8]) {
        precondition(width >= 0 && height >= 0 && bytes.count == width * height * format.bytesPerPixel,
                     "RenderedImage: \(bytes.count) bytes for \(width)x\(height) \(format)")
        self.width = width
        self.height = height
        self.format = format
        self.bytes = bytes
    }

    /// An image filled with one grey level (0...255 for 8-bit, 0...65535 for 16-bit) or colour.
    public init(width: Int, height: Int, format: Format, fill: [UInt16] = [0]) {
        let n = width * height
        var bytes = [UInt8](repeating: 0, count: n * format.bytesPerPixel)
        switch format {
        case .grey8:
            let v = UInt8(truncatingIfNeeded: fill.first ?? 0)
            for i in 0..<n { bytes[i] = v }
        case .grey16:
            let v = fill.first ?? 0
            for i in 0..<n {
                bytes[2 * i] = UInt8(v >> 8)
                bytes[2 * i + 1] = UInt8(v & 0xFF)
            }
        case .rgb8:
            let rgb = (0..<3).map { UInt8(truncatingIfNeeded: fill.count == 3 ? fill[$0] : (fill.first ?? 0)) }
            for i in 0..<n {
                bytes[3 * i] = rgb[0]
                bytes[3 * i + 1] = rgb[1]
                bytes[3 * i + 2] = rgb[2]
            }
        }
        self.init(width: width, height: height, format: format, bytes: bytes)
    }

    /// Bytes of one row.
    public var rowByteCount: Int { width * format.bytesPerPixel }

    /// Sample `channel` of the pixel at (`x`, `y`), as a number (0...255 or 0...65535).
    public func sample(x: Int, y: Int, channel: Int = 0) -> Int {
        switch format {
        case .grey8: return Int(bytes[y * width + x])
        case .rgb8: return Int(bytes[(y * width + x) * 3 + channel])
        case .grey16:
            let i = (y * width + x) * 2
            return Int(bytes[i]) << 8 | Int(bytes[i + 1])
        }
    }
}
