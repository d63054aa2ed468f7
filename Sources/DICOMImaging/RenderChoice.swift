import DICOMCore

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

extension RenderChoice: CustomStringConvertible {
    /// One line for `--info`: "MONOCHROME2, rescale ×1 −1024, window 40/400 LINEAR (window 1 of 2 (file)), 8-bit grey".
    public var description: String {
        var parts = [photometricInterpretation]
        switch modality {
        case .identity: break
        case .rescale(let slope, let intercept): parts.append("rescale ×\(DataSet.format(slope)) \(intercept < 0 ? "−" : "+")\(DataSet.format(abs(intercept)))")
        case .lut(let t): parts.append("modality LUT (\(t.entries.count) entries, \(t.bits) bits)")
        }
        if let voi {
            switch voi {
            case .window(let c, let w, let f): parts.append("window \(DataSet.format(c))/\(DataSet.format(w)) \(f.rawValue) (\(voiSource))")
            case .lut(let t): parts.append("VOI LUT \(t.entries.count) entries, \(t.bits) bits (\(voiSource))")
            case .fullRange(let lo, let hi): parts.append("no VOI, \(DataSet.format(lo))…\(DataSet.format(hi)) (\(voiSource))")
            }
        }
        if inverted { parts.append("inverted") }
        switch format {
        case .grey8: parts.append("8-bit grey")
        case .grey16: parts.append("16-bit grey")
        case .rgb8: parts.append("8-bit RGB")
        }
        return parts.joined(separator: ", ")
    }
}
