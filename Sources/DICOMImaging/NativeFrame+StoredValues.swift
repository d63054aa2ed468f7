/// Reading samples out of native pixel data: masking to Bits Stored and sign extension (PS3.5 8.1.1,
/// PS3.3 C.7.6.3.1.1).
extension NativeFrame {
    /// Checks that the description can be read from `bytes`: sizes, bit positions and depth.
    func validateForRendering(samplesPerPixel: Int? = nil, byteCount: Int? = nil) throws {
        let d = description
        guard d.rows > 0, d.columns > 0 else {
            throw ImagingError(.invalidDescription, "the image has \(d.rows) rows and \(d.columns) columns")
        }
        guard [1, 8, 16, 32, 64].contains(d.bitsAllocated) else {
            throw ImagingError(.invalidDescription, "Bits Allocated \(d.bitsAllocated) is not 1, 8, 16, 32 or 64")
        }
        guard d.bitsStored >= 1, d.bitsStored <= d.bitsAllocated, d.highBit < d.bitsAllocated, d.highBit >= d.bitsStored - 1 else {
            throw ImagingError(.invalidDescription, "Bits Stored \(d.bitsStored) and High Bit \(d.highBit) do not fit Bits Allocated \(d.bitsAllocated)")
        }
        if let samplesPerPixel, d.samplesPerPixel != samplesPerPixel {
            throw ImagingError(.invalidDescription, "\(d.photometricInterpretation) needs \(samplesPerPixel) samples per pixel, not \(d.samplesPerPixel)")
        }
        let needed = byteCount ?? d.frameByteCount
        guard bytes.count >= needed else {
            throw ImagingError(.corruptData, "the frame holds \(bytes.count) bytes, \(needed) are needed", offset: bytes.count)
        }
    }

    /// The stored value a raw sample of `bitsAllocated` bits stands for: the Bits Stored bits
    /// ending at High Bit, sign-extended when Pixel Representation is 1.
    @inline(__always)
    static func storedValue(raw: Int, shift: Int, bitsStored: Int, signed: Bool) -> Int {
        let mask = bitsStored >= 63 ? -1 : (1 << bitsStored) - 1
        let v = (raw >> shift) & mask
        if signed && bitsStored < 64 && v & (1 << (bitsStored - 1)) != 0 { return v - (1 << bitsStored) }
        return v
    }

    /// Every stored value of a frame of integer samples (1, 8, 16 or 32 bits), in pixel order; for
    /// several samples per pixel, in the order the frame holds them.
    public func storedValues() throws -> [Int] {
        try validateForRendering()
        let d = description
        let count = d.rows * d.columns * d.samplesPerPixel
        let shift = d.highBit - d.bitsStored + 1
        var out = [Int](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                let r: Int
                switch d.bitsAllocated {
                case 1: r = Int(raw[i >> 3] >> UInt8(i & 7)) & 1
                case 8: r = Int(raw[i])
                case 16: r = Int(UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8)
                case 32: r = Int(raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)
                default: r = Int(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian)
                }
                out[i] = Self.storedValue(raw: r, shift: shift, bitsStored: d.bitsStored, signed: d.isSigned)
            }
        }
        return out
    }

    /// Every sample of a Float Pixel Data (32-bit) or Double Float Pixel Data (64-bit) frame.
    public func floatValues() throws -> [Double] {
        try validateForRendering()
        let d = description
        let count = d.rows * d.columns * d.samplesPerPixel
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { i in
                d.bitsAllocated == 64
                    ? Double(bitPattern: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian)
                    : Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian))
            }
        }
    }
}
