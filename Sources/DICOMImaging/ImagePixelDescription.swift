import DICOMCore

/// The Image Pixel module attributes (PS3.3 C.7.6.3) that say how one frame's samples are laid out.
///
/// Decoders receive the description of the encoded data set and return the description of what
/// they produced: a JPEG decoder that converts YBR_FULL_422 to RGB says so by returning
/// `photometricInterpretation == "RGB"`.
public struct ImagePixelDescription: Sendable, Equatable, Hashable {
    public var rows: Int
    public var columns: Int
    public var samplesPerPixel: Int
    /// 1, 8, 16 or 32 (64 for Double Float Pixel Data).
    public var bitsAllocated: Int
    public var bitsStored: Int
    public var highBit: Int
    /// Pixel Representation 1: two's complement samples.
    public var isSigned: Bool
    /// 0: colour-by-pixel (R1G1B1R2…); 1: colour-by-plane (R…G…B…).
    public var planarConfiguration: Int
    /// As written in the data set, e.g. "MONOCHROME2", "YBR_FULL_422", "PALETTE COLOR".
    public var photometricInterpretation: String
    public var numberOfFrames: Int

    public init(
        rows: Int, columns: Int, samplesPerPixel: Int = 1, bitsAllocated: Int, bitsStored: Int,
        highBit: Int? = nil, isSigned: Bool = false, planarConfiguration: Int = 0,
        photometricInterpretation: String = "MONOCHROME2", numberOfFrames: Int = 1
    ) {
        self.rows = rows
        self.columns = columns
        self.samplesPerPixel = samplesPerPixel
        self.bitsAllocated = bitsAllocated
        self.bitsStored = bitsStored
        self.highBit = highBit ?? (bitsStored - 1)
        self.isSigned = isSigned
        self.planarConfiguration = planarConfiguration
        self.photometricInterpretation = photometricInterpretation
        self.numberOfFrames = numberOfFrames
    }

    /// Bytes one native frame takes (1-bit data rounds up to whole bytes).
    public var frameByteCount: Int {
        let bits = rows * columns * samplesPerPixel * bitsAllocated
        return (bits + 7) / 8
    }
}
