import DICOMImaging

/// Everything `cmr render` was asked to do.
public struct RenderRequest: Sendable {
    /// Where the PNGs go.
    public enum Destination: Sendable, Equatable {
        /// Standard output: one PNG (one input frame, or a contact sheet).
        case standardOutput
        /// One file (one input file; with all frames, FILE-NNNN.png beside it).
        case file(String)
        /// A folder mirroring the input tree, `.png` appended to each name.
        case folder(String)
    }

    /// Which frames of each file.
    public enum Frames: Sendable, Equatable {
        /// Frame `n`, 0-based (`--frame N` is 1-based).
        case one(Int)
        case all
    }

    public var inputs: [String]
    /// `--out` as given; nil until the CLI has it (required).
    public var output: String
    public var frames: Frames = .one(0)
    public var options = RenderOptions()
    /// Shrink to fit this box (`--size WxH`); nil: full size. For a contact sheet, the tile size.
    public var size: (width: Int, height: Int)?
    public var contactSheet = false
    public var jobs = 0
    public var overwrite = false
    public var nulSeparated = false

    public init(inputs: [String], output: String) {
        self.inputs = inputs
        self.output = output
    }
}

/// One PNG written (or, for standard output, made).
public struct RenderOutput: Sendable, Encodable {
    public var input: String
    /// The file written; "-" for standard output.
    public var output: String
    /// 1-based frame rendered; nil for a contact sheet.
    public var frame: Int?
    /// What the pipeline chose, e.g. "MONOCHROME2, rescale ×1 −1024, window 40/400 LINEAR (window 1 of 1 (file)), 8-bit grey".
    public var window: String
    public var width: Int
    public var height: Int
    /// The input's transfer syntax (name) and number of frames; nil for a contact sheet.
    public var transferSyntax: String?
    public var frames: Int?
    /// Contact sheet: the series it shows, one input per tile.
    public var tiles: [String]?
    /// The PNG, when it goes to standard output (never encoded to JSON).
    public var png: [UInt8]?
    /// The picture itself, kept for a contact sheet's tiles (never encoded to JSON).
    var image: RenderedImage?

    enum CodingKeys: String, CodingKey { case input, output, frame, window, width, height, transferSyntax, frames, tiles }
}

/// What happened to one input file.
public struct RenderFileReport: Sendable {
    public var input: String
    public var outputs: [RenderOutput] = []
    /// nil when every asked-for frame was written.
    public var error: CMRError?
    /// For the audit record.
    var identity = Inspector.Identity()
    /// The file was read as DICOM (an object for the audit record even when rendering failed).
    var read = false
    /// Found in a folder and passed over: not DICOM, or no pixel data.
    var skipped = false

    init(input: String) { self.input = input }
}
