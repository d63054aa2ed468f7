/// One line of the audit log: who did what to which objects, when, with what outcome, and its
/// place in the hash chain. See docs/audit.md for each field.
///
/// Records are written and read only through their canonical encoding
/// (`AuditRecord+Canonical.swift`); the `Codable` conformance is for callers that want to show a
/// record as JSON, not for the log itself.
public struct AuditRecord: Sendable, Hashable, Codable {
    /// The record format version; 1.
    public static let currentVersion: UInt64 = 1
    /// The `prev` of the first record: 64 zeros.
    public static let genesisPrevious = String(repeating: "0", count: 64)

    public var version: UInt64
    /// The record's number: 0 for the first record, one more than the previous one after it.
    public var seq: UInt64
    /// The hex record hash (`leafHash`) of the previous record; `genesisPrevious` for seq 0.
    public var prev: String
    /// UTC wall time with milliseconds, RFC 3339: `2026-11-29T06:40:00.123Z`.
    public var time: String
    /// CLOCK_BOOTTIME at the time of writing, in nanoseconds; comparable only between records
    /// with the same `boot`.
    public var monotonic: UInt64
    /// The kernel's boot id (`/proc/sys/kernel/random/boot_id`) when `monotonic` was read.
    public var boot: String
    public var actor: AuditActor
    public var event: AuditEvent
    public var outcome: AuditOutcome
    /// The objects acted on; may be empty.
    public var objects: [AuditObject]
    /// The remote party data came from or was exchanged with (e.g. `dicom://PACS@10.0.0.5:104`).
    public var peer: String?
    /// Where data was sent or written.
    public var destination: String?
    /// The data mode of what was handled.
    public var mode: AuditDataMode?
    /// Further facts as text (integers written in decimal); keys are cmr's own.
    public var details: [String: String]?

    public init(
        version: UInt64 = AuditRecord.currentVersion, seq: UInt64, prev: String, time: String,
        monotonic: UInt64, boot: String, actor: AuditActor, event: AuditEvent, outcome: AuditOutcome,
        objects: [AuditObject] = [], peer: String? = nil, destination: String? = nil,
        mode: AuditDataMode? = nil, details: [String: String]? = nil
    ) {
        self.version = version
        self.seq = seq
        self.prev = prev
        self.time = time
        self.monotonic = monotonic
        self.boot = boot
        self.actor = actor
        self.event = event
        self.outcome = outcome
        self.objects = objects
        self.peer = peer
        self.destination = destination
        self.mode = mode
        self.details = details
    }
}

/// Who acted: the operating-system user, host and process, and the DICOM AE title in use.
public struct AuditActor: Sendable, Hashable, Codable {
    public var user: String
    public var host: String
    public var pid: Int64
    public var aeTitle: String?

    public init(user: String, host: String, pid: Int64, aeTitle: String? = nil) {
        self.user = user
        self.host = host
        self.pid = pid
        self.aeTitle = aeTitle
    }
}

/// What happened: a DICOM audit event ID (PS3.15 A.5, DCM 110100–110114), the action, and
/// cmr's own name for the operation.
public struct AuditEvent: Sendable, Hashable, Codable {
    /// The DICOM audit event ID, e.g. `AuditEvent.Code.export` ("110106").
    public var code: String
    /// C(reate), R(ead), U(pdate), D(elete) or E(xecute) (EventActionCode).
    public var action: Action
    /// cmr's label, usually the command: "inspect", "deidentify", "send".
    public var name: String

    public init(code: String, action: Action, name: String) {
        self.code = code
        self.action = action
        self.name = name
    }

    /// DICOM audit event IDs (PS3.15 A.5.3, CID 400).
    public enum Code {
        public static let applicationActivity = "110100"
        public static let auditLogUsed = "110101"
        public static let beginTransferringInstances = "110102"
        public static let instancesAccessed = "110103"
        public static let instancesTransferred = "110104"
        public static let studyDeleted = "110105"
        public static let export = "110106"
        public static let `import` = "110107"
        public static let networkEntry = "110108"
        public static let orderRecord = "110109"
        public static let patientRecord = "110110"
        public static let procedureRecord = "110111"
        public static let query = "110112"
        public static let securityAlert = "110113"
        public static let userAuthentication = "110114"
    }

    /// EventActionCode (PS3.15 A.5.1).
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case create = "C"
        case read = "R"
        case update = "U"
        case delete = "D"
        case execute = "E"
    }
}

/// How it ended: the EventOutcomeIndicator (0, 4, 8, 12) and an optional message.
public struct AuditOutcome: Sendable, Hashable, Codable {
    public var code: Code
    public var message: String?

    public init(code: Code, message: String? = nil) {
        self.code = code
        self.message = message
    }

    public static let success = AuditOutcome(code: .success)

    /// EventOutcomeIndicator (PS3.15 A.5.1, RFC 3881).
    public enum Code: UInt64, Sendable, Hashable, Codable, CaseIterable {
        case success = 0
        case minorFailure = 4
        case seriousFailure = 8
        case majorFailure = 12
    }
}

/// One object acted on: a DICOM study, series or instance, a file, or a count of them.
/// Patients appear only as `patientRef`, a keyed hash (e.g. hex HMAC-SHA-256 of the patient ID
/// under the site key), never as a clear identifier.
public struct AuditObject: Sendable, Hashable, Codable {
    public var studyUID: String?
    public var seriesUID: String?
    public var instanceUID: String?
    public var sopClassUID: String?
    public var patientRef: String?
    public var path: String?
    /// Hex SHA-256 of the file's bytes.
    public var sha256: String?
    public var count: UInt64?

    public init(
        studyUID: String? = nil, seriesUID: String? = nil, instanceUID: String? = nil,
        sopClassUID: String? = nil, patientRef: String? = nil, path: String? = nil,
        sha256: String? = nil, count: UInt64? = nil
    ) {
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.instanceUID = instanceUID
        self.sopClassUID = sopClassUID
        self.patientRef = patientRef
        self.path = path
        self.sha256 = sha256
        self.count = count
    }
}

/// The privacy state of the data handled (DESIGN.md "data mode").
public enum AuditDataMode: String, Sendable, Hashable, Codable, CaseIterable {
    case identified
    case pseudonymous
    case deidentified
    case anonymous
}
