/// RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits-coded
/// segment per byte plane, most significant byte of each sample first, sample after sample.
///
/// The decoded frame is colour-by-plane (`planarConfiguration == 1`) for more than one sample per
/// pixel: that is the order the segments come in (G.2), and it needs no shuffling. Callers that
/// want colour-by-pixel convert; the pixel pipeline reads both.
public struct RLEDecoder: FrameDecoder {
    public static let transferSyntaxUIDs = ["1.2.840.10008.1.2.5"]

    public init() {}

    public func decode(_ encoded: [UInt8], as description: ImagePixelDescription) throws -> NativeFrame {
        let bytesPerSample = description.bitsAllocated / 8
        guard [1, 2, 4].contains(bytesPerSample), description.bitsAllocated % 8 == 0 else {
            throw ImagingError(.invalidDescription, "RLE: Bits Allocated \(description.bitsAllocated) is not 8, 16 or 32")
        }
        guard (1...3).contains(description.samplesPerPixel) else {
            throw ImagingError(.invalidDescription, "RLE: Samples per Pixel \(description.samplesPerPixel) is not 1 to 3")
        }
        let pixels = description.rows * description.columns
        let expectedSegments = description.samplesPerPixel * bytesPerSample
        guard encoded.count >= 64 else {
            throw ImagingError(.corruptData, "RLE: frame of \(encoded.count) bytes is shorter than the 64-byte header", offset: 0)
        }
        let segmentCount = Int(Self.uint32(encoded, at: 0))
        guard segmentCount == expectedSegments else {
            throw ImagingError(.corruptData, "RLE: header gives \(segmentCount) segments, the image needs \(expectedSegments)", offset: 0)
        }
        var offsets: [Int] = []
        for i in 0..<segmentCount {
            let o = Int(Self.uint32(encoded, at: 4 + 4 * i))
            guard o >= 64, o <= encoded.count, o >= (offsets.last ?? 64) else {
                throw ImagingError(.corruptData, "RLE: segment \(i + 1) offset \(o) is outside the frame or out of order", offset: 4 + 4 * i)
            }
            offsets.append(o)
        }
        var out = [UInt8](repeating: 0, count: pixels * expectedSegments)
        try encoded.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                for s in 0..<segmentCount {
                    let sample = s / bytesPerSample
                    let byteInSample = bytesPerSample - 1 - s % bytesPerSample
                    let end = s + 1 < segmentCount ? offsets[s + 1] : src.count
                    try Self.unpack(src, from: offsets[s], to: end, into: dst,
                                    start: sample * pixels * bytesPerSample + byteInSample,
                                    stride: bytesPerSample, count: pixels, segment: s + 1)
                }
            }
        }
        var produced = description
        produced.planarConfiguration = description.samplesPerPixel > 1 ? 1 : 0
        return NativeFrame(description: produced, bytes: out)
    }

    /// PackBits: n in 0...127 copies n+1 bytes, n in -127...-1 repeats the next byte 1-n times,
    /// -128 does nothing. Output beyond `count` bytes (some encoders pad a row) is dropped.
    static func unpack(_ src: UnsafeBufferPointer<UInt8>, from: Int, to end: Int, into dst: UnsafeMutableBufferPointer<UInt8>,
                       start: Int, stride: Int, count: Int, segment: Int) throws {
        var i = from, written = 0, o = start
        while written < count {
            guard i < end else {
                throw ImagingError(.corruptData, "RLE: segment \(segment) ends after \(written) of \(count) bytes", offset: i)
            }
            let n = Int(Int8(bitPattern: src[i]))
            i += 1
            if n >= 0 {
                guard i + n + 1 <= end else {
                    throw ImagingError(.corruptData, "RLE: segment \(segment) literal run of \(n + 1) bytes passes its end", offset: i - 1)
                }
                let take = min(n + 1, count - written)
                for k in 0..<take { dst[o] = src[i + k]; o += stride }
                written += take
                i += n + 1
            } else if n != -128 {
                guard i < end else {
                    throw ImagingError(.corruptData, "RLE: segment \(segment) repeat run has no byte to repeat", offset: i - 1)
                }
                let value = src[i]
                i += 1
                let take = min(1 - n, count - written)
                for _ in 0..<take { dst[o] = value; o += stride }
                written += take
            }
        }
    }

    static func uint32(_ b: [UInt8], at i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}
