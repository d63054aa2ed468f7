import DICOMCore

/// The Modality LUT stage (PS3.3 C.11.1): stored values to modality values (e.g. Hounsfield units).
public enum ModalityTransform: Sendable, Equatable {
    case identity
    /// Rescale Slope and Rescale Intercept: output = stored × slope + intercept.
    case rescale(slope: Double, intercept: Double)
    /// Modality LUT Sequence: output = the table's entry for the stored value.
    case lut(LookupTable)

    @inline(__always)
    public func apply(_ stored: Double) -> Double {
        switch self {
        case .identity: return stored
        case .rescale(let slope, let intercept): return stored * slope + intercept
        case .lut(let table): return Double(table.value(stored))
        }
    }

    /// True when every integer input gives an integer output (windows are then computed on
    /// integers, as DCMTK does).
    public var isIntegral: Bool {
        switch self {
        case .identity, .lut: return true
        case .rescale(let slope, let intercept): return slope == slope.rounded() && intercept == intercept.rounded()
        }
    }

    /// The modality transform for frame `frameIndex` of `dataSet`: the Pixel Value Transformation
    /// Sequence of the frame's functional groups (per-frame, then shared), else the top-level
    /// Modality LUT Sequence, else Rescale Slope/Intercept. A Modality LUT takes precedence over
    /// rescale values (as in DCMTK); a slope of 0 or a missing intercept means no rescale.
    public init(dataSet: DataSet, frameIndex: Int = 0, signedInput: Bool) throws {
        let source = FunctionalGroups.item(.pixelValueTransformationSequence, frame: frameIndex, in: dataSet) ?? dataSet
        if let item = source.items(.modalityLUTSequence).first ?? dataSet.items(.modalityLUTSequence).first,
           let table = try LookupTable(item: item, signedInput: signedInput) {
            self = .lut(table)
            return
        }
        if let slope = source.double(.rescaleSlope), let intercept = source.double(.rescaleIntercept),
           slope != 0, slope.isFinite, intercept.isFinite {
            self = slope == 1 && intercept == 0 ? .identity : .rescale(slope: slope, intercept: intercept)
            return
        }
        self = .identity
    }
}
