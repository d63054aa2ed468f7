import DICOMCore

/// A DICOM object as read from or written to a Part 10 file (PS3.10 §7): preamble, file meta
/// information (group 0002) and the data set.
public struct DICOMFile: Sendable {
    /// The 128-byte preamble when the source had one.
    public var preamble: [UInt8]?
    /// File meta information; empty for a raw data set without a meta header.
    public var meta: DataSet
    public var dataSet: DataSet
    /// The transfer syntax the data set was read in (or is to be written in).
    public var transferSyntax: TransferSyntax
    /// What the reader noticed and worked around: odd lengths, bad VRs, truncation, ...
    public var issues: [ReadIssue]
    /// Total bytes of the source.
    public var sourceSize: Int

    public init(meta: DataSet = DataSet(), dataSet: DataSet, transferSyntax: TransferSyntax,
                preamble: [UInt8]? = nil, issues: [ReadIssue] = [], sourceSize: Int = 0) {
        self.meta = meta
        self.dataSet = dataSet
        self.transferSyntax = transferSyntax
        self.preamble = preamble
        self.issues = issues
        self.sourceSize = sourceSize
    }

    /// True when the source carried a Part 10 meta header.
    public var hasMetaHeader: Bool { !meta.isEmpty }

    /// True when the reader stopped before the end of the data (truncation or a fatal problem).
    public var isIncomplete: Bool { issues.contains { $0.severity == .error } }
}

/// Something the reader worked around or could not read, with where it happened.
public struct ReadIssue: Sendable, CustomStringConvertible, Equatable {
    public enum Severity: String, Sendable, Comparable {
        /// Read, but not as the standard says (odd length, wrong VR, bad meta, ...).
        case warning
        /// Could not be read; the data after `offset` was not read (truncation, bad length, ...).
        case error

        public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
    }

    public var severity: Severity
    /// Byte offset in the source (for deflated data: in the inflated stream, after the meta header).
    public var offset: Int
    public var tag: Tag?
    public var message: String

    public init(_ severity: Severity, offset: Int, tag: Tag? = nil, _ message: String) {
        self.severity = severity
        self.offset = offset
        self.tag = tag
        self.message = message
    }

    public var description: String {
        var s = "offset \(offset)"
        if let tag { s += " \(tag)" }
        return s + ": " + message
    }
}
