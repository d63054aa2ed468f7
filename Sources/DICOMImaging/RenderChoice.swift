/// What `PixelPipeline` chose for a frame, for `cmr render --info` and for logs.
public struct RenderChoice: Sendable, Equatable {
    public var photometricInterpretation: String
    public var modality: ModalityTransform
    /// nil for colour images.
    public var voi: VOITransform?
    /// Where the VOI came from: "window 1 of 2 (file)", "VOI LUT 1 of 1 (file)", "percentiles 0.5–99.5", …
    public var voiSource: String
    /// The output was inverted (MONOCHROME1, Presentation LUT Shape INVERSE, or asked for).
    public var inverted: Bool
    public var format: RenderedImage.Format

    public init(photometricInterpretation: String, modality: ModalityTransform, voi: VOITransform?, voiSource: String,
                inverted: Bool, format: RenderedImage.Format) {
        self.photometricInterpretation = photometricInterpretation
        self.modality = modality
        self.voi = voi
        self.voiSource = voiSource
        self.inverted = inverted
        self.format = format
    }
}
