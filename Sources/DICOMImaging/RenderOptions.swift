/// What the caller asks of `PixelPipeline`: which VOI to use and the output depth.
public struct RenderOptions: Sendable, Equatable {
    /// How greyscale values are windowed. Colour images ignore it.
    public enum Window: Sendable, Equatable {
        /// The frame's first window, else its first VOI LUT, else `.percentiles(0.5, 99.5)`.
        case automatic
        /// The file's window number `index` (0-based) of Window Center/Width (DCMTK `+Wi index+1`).
        case fileWindow(index: Int)
        /// The file's VOI LUT number `index` (0-based) of the VOI LUT Sequence (DCMTK `+Wl index+1`).
        case fileLUT(index: Int)
        /// A window given by the user (DCMTK `+Ww center width`; `+Wfl` for other functions).
        case explicit(center: Double, width: Double, function: VOILUTFunction = .linear)
        /// The smallest to the largest modality value of the frame (DCMTK `+Wm`).
        case minMax
        /// The modality values between two percentiles of the frame's histogram, e.g. 0.5 and 99.5.
        case percentiles(low: Double, high: Double)
        /// No VOI: the whole range the modality values can take (DCMTK's default, `-W`).
        case fullRange
    }

    public var window: Window
    /// 8 or 16: bits per grey output sample. Colour output is always 8 bits per sample.
    public var depth: Int
    /// Overrides the Presentation LUT Shape of the data set (nil: use the file's, and invert
    /// MONOCHROME1).
    public var inverse: Bool?

    public init(window: Window = .automatic, depth: Int = 8, inverse: Bool? = nil) {
        self.window = window
        self.depth = depth
        self.inverse = inverse
    }
}
