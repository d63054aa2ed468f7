/// One way an element's value departs from PS3.5 or from the PS3.6 data dictionary, as
/// `DataSetValidator` reports it.
public struct ValidationProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        /// Allowed, but suspect (a leap second, superfluous padding, a misspelled character set term).
        case warning
        /// Not allowed by the standard.
        case error

        public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
    }

    /// What kind of problem; the raw values are stable, for scripts to match.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The value does not follow its VR's format (PS3.5 §6.2): a date that is no date, a UID
        /// component with a leading zero, a lower-case letter in CS, …
        case vrFormat = "vr-format"
        /// A form the standard has retired: DA `YYYY.MM.DD`, TM `HH:MM:SS` (ACR-NEMA).
        case retiredFormat = "retired-format"
        /// A value longer than its VR allows, an odd value length, or a binary value length that is
        /// not a multiple of the VR's value size.
        case length
        /// The wrong padding byte: UI pads with NUL, every other string VR with space.
        case padding
        /// A character outside the repertoire: control characters where the VR allows none, bytes
        /// outside the default repertoire, bytes the Specific Character Set cannot decode.
        case charset
        /// Specific Character Set (0008,0005) holds a term the standard does not define, a misspelled
        /// one, or one that cannot take part.
        case charsetTerm = "charset-term"
        /// More or fewer values than the dictionary's value multiplicity allows.
        case vm
        /// The element's VR is not the dictionary's (nor one of its alternatives).
        case vrMismatch = "vr-mismatch"
        /// A private data element whose block no private creator reserves (PS3.5 §7.8.1).
        case privateCreatorMissing = "private-creator-missing"
    }

    /// The element the problem is in.
    public var tag: Tag
    /// Where the element is: keywords (or `(gggg,eeee)` for private and unknown tags) joined by dots,
    /// with item indexes: `ReferencedImageSequence[0].ReferencedSOPInstanceUID`.
    public var path: String
    public var severity: Severity
    public var code: Code
    /// What is wrong, naming the offending value.
    public var message: String

    public init(tag: Tag, path: String, severity: Severity, code: Code, message: String) {
        self.tag = tag
        self.path = path
        self.severity = severity
        self.code = code
        self.message = message
    }

    /// `error vr-format (0008,0020) StudyDate: DA value "20231301": month 13 is out of range 01-12`.
    public var description: String {
        "\(severity.rawValue) \(code.rawValue) \(tag) \(path): \(message)"
    }
}
