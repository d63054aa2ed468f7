import DICOMCore

extension ImagePixelDescription {
    /// Reads the Image Pixel module of `dataSet`, with an `.invalidDescription` error naming the
    /// attribute when one is missing or the attributes contradict each other.
    ///
    /// Lenient where the standard's intent is clear: a missing Samples per Pixel is 1, Bits Stored
    /// defaults to Bits Allocated, High Bit to Bits Stored − 1, Pixel Representation and Planar
    /// Configuration to 0, Number of Frames to 1, Photometric Interpretation to MONOCHROME2 (one
    /// sample) or RGB (three).
    public init(dataSet ds: DataSet) throws {
        func required(_ tag: Tag, _ name: String) throws -> Int {
            guard let v = ds.int(tag) else {
                throw ImagingError(.invalidDescription, "\(name) \(tag) is missing")
            }
            return v
        }
        func invalid(_ text: String) -> ImagingError { ImagingError(.invalidDescription, text) }

        let rows = try required(.rows, "Rows")
        let columns = try required(.columns, "Columns")
        let bitsAllocated = try required(.bitsAllocated, "Bits Allocated")
        let samples = ds.int(.samplesPerPixel) ?? 1
        let bitsStored = ds.int(.bitsStored) ?? bitsAllocated
        let highBit = ds.int(.highBit) ?? (bitsStored - 1)
        let representation = ds.int(.pixelRepresentation) ?? 0
        let planar = ds.int(.planarConfiguration) ?? 0
        let frames = ds.int(.numberOfFrames) ?? 1
        let photometric = ds.string(.photometricInterpretation).flatMap { $0.isEmpty ? nil : $0.uppercased() }
            ?? (samples == 1 ? "MONOCHROME2" : "RGB")

        guard rows > 0, rows <= 65535, columns > 0, columns <= 65535 else {
            throw invalid("Rows \(rows) / Columns \(columns) must be 1 to 65535")
        }
        guard [1, 8, 16, 32, 64].contains(bitsAllocated) else {
            throw invalid("Bits Allocated \(bitsAllocated) is not 1, 8, 16, 32 or 64")
        }
        guard bitsStored >= 1, bitsStored <= bitsAllocated else {
            throw invalid("Bits Stored \(bitsStored) is not 1 to Bits Allocated (\(bitsAllocated))")
        }
        guard highBit >= bitsStored - 1, highBit < bitsAllocated else {
            throw invalid("High Bit \(highBit) does not fit Bits Stored \(bitsStored) in Bits Allocated \(bitsAllocated)")
        }
        guard representation == 0 || representation == 1 else {
            throw invalid("Pixel Representation \(representation) is not 0 or 1")
        }
        guard planar == 0 || planar == 1 else {
            throw invalid("Planar Configuration \(planar) is not 0 or 1")
        }
        guard frames >= 1 else { throw invalid("Number of Frames \(frames) is not at least 1") }
        let expectedSamples: Int?
        switch photometric {
        case "MONOCHROME1", "MONOCHROME2", "PALETTE COLOR": expectedSamples = 1
        case "RGB", "YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_422", "YBR_PARTIAL_420", "YBR_ICT", "YBR_RCT", "HSV": expectedSamples = 3
        case "ARGB", "CMYK": expectedSamples = 4
        default: expectedSamples = nil
        }
        if let expectedSamples, expectedSamples != samples {
            throw invalid("Photometric Interpretation \(photometric) needs \(expectedSamples) samples per pixel, Samples per Pixel is \(samples)")
        }
        guard (1...4).contains(samples) else { throw invalid("Samples per Pixel \(samples) is not 1 to 4") }

        self.init(rows: rows, columns: columns, samplesPerPixel: samples, bitsAllocated: bitsAllocated,
                  bitsStored: bitsStored, highBit: highBit, isSigned: representation == 1,
                  planarConfiguration: planar, photometricInterpretation: photometric, numberOfFrames: frames)
    }
}
