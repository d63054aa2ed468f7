import DICOMDeidentify

/// Everything `cmr deidentify` was asked to do.
public struct DeidentifyRequest: Sendable {
    /// How output files are named under the output folder.
    public enum Naming: String, Sendable, CaseIterable {
        /// The input tree: a folder argument's own name and the paths inside it; a file argument's
        /// name; a path from stdin as given, without leading `/`, `./` and `../`.
        case tree
        /// `STUDY/SERIES/INSTANCE.dcm` by the new UIDs.
        case uids
    }

    public var inputs: [String]
    /// Required unless `dryRun`.
    public var outputFolder: String?
    public var mode: DeidentifyMode
    public var options: Set<ProfileOption> = []
    public var recipePath: String?
    /// The site key; required in pseudonymous and deidentified modes, refused in anonymous mode.
    public var keyPath: String?
    public var jobs: Int = 0
    /// 1-based shard index and shard count.
    public var shard: (index: Int, count: Int)?
    public var dryRun = false
    /// nil: on in deidentified and anonymous modes, off otherwise.
    public var verify: Bool?
    public var overwrite = false
    public var acceptBurnedIn = false
    /// Rectangles of native pixel data to blank in every file (Clean Pixel Data); files are then
    /// not quarantined for burned-in text.
    public var blankRectangles: [PixelRectangle] = []
    /// SHA-256 of each output for the report and the audit record. Off by default: SHA-256 is
    /// written here without the CPU's SHA instructions and would double the CPU time of a run.
    public var digest = false
    public var naming: Naming = .tree
    /// Pseudonymous mode's re-identification table.
    public var reidentificationTable: String?
    public var nulSeparated = false
    /// Written into De-identification Method, e.g. "cmr 0.4.0".
    public var softwareName = "cmr"

    public init(inputs: [String], outputFolder: String?, mode: DeidentifyMode) {
        self.inputs = inputs
        self.outputFolder = outputFolder
        self.mode = mode
    }

    public var verifies: Bool { verify ?? (mode == .deidentified || mode == .anonymous) }
}

/// What happened to one input.
public struct DeidentifyFileReport: Sendable, Encodable {
    public enum Status: String, Sendable, Encodable {
        /// De-identified and written.
        case written
        /// The output exists already (a previous run): left as it is.
        case exists
        /// Not written: may show identifying text in its pixels (`reason`).
        case quarantined
        /// Not written: not DICOM, unreadable, a DICOMDIR, failed the leak check, or could not be written.
        case failed
        /// Dry run: what would be written.
        case planned
    }

    public var input: String
    public var output: String?
    public var status: Status
    public var reason: String?
    /// Exit status class of a failure (65 invalid data, 66 missing, 73/74 output problems).
    public var exitStatus: Int32?
    public var sopInstanceUID: String?
    public var changes: [AppliedChange]?
    /// Attributes whose input values were found in the output by the leak check (names only).
    public var leaks: [String]?
    /// SHA-256 of the output file.
    public var sha256: String?
    /// Internal: the patient, for the re-identification table and the audit record.
    var patient: PatientIdentity?
    var pseudonym: String?
    var dateShiftDays: Int?
    var studyUID: String?
    var seriesUID: String?
    var sopClassUID: String?
    var bytes: Int64?

    enum CodingKeys: String, CodingKey {
        case input, output, status, reason, exitStatus, sopInstanceUID, changes, leaks, sha256
    }

    init(input: String, status: Status) {
        self.input = input
        self.status = status
    }
}

/// The whole run.
public struct DeidentifySummary: Sendable, Encodable {
    public var mode: String
    public var options: [String]
    public var keyFingerprint: String?
    public var files: Int
    public var written: Int
    public var existing: Int
    public var quarantined: Int
    public var failed: Int
    public var planned: Int
    public var skippedByShard: Int
    public var seconds: Double
    public var bytesWritten: Int64
}
