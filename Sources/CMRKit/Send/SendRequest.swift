import Foundation
import DICOMNetwork

/// What `cmr send` is asked to do: which files, to where, and how patiently (docs/transfer.md).
public struct SendRequest: Sendable {
    /// What to do when the peer refuses a file's transfer syntax.
    public enum TranscodePolicy: String, Sendable, CaseIterable {
        /// Re-encode in a syntax the peer accepted, when cmr can (docs/transfer.md "Transcoding").
        case auto
        /// Never: such a file fails.
        case never
    }

    /// Files, folders, and "-" for paths on standard input.
    public var inputs: [String]
    public var destination: TransferEndpoint
    public var callingAETitle: String
    public var timeouts: NetworkTimeouts
    public var retry: RetryPolicy
    public var deadline: Deadline
    /// Parallel associations (each over its share of the files).
    public var associations: Int
    /// C-STORE requests kept in flight on one association when the peer grants an asynchronous
    /// operations window (`--window`; 1 proposes none). DIMSE only.
    public var window: Int
    /// The default `window` (docs/transfer.md, "The asynchronous operations window").
    public static let defaultWindow = 8
    /// `--max-rate` in bytes per second, for all associations together.
    public var maxRate: Double?
    /// The journal file; nil with `resume` false.
    public var journalPath: String?
    /// Skip what the journal says the peer acknowledged, and record what it acknowledges.
    public var resume: Bool
    /// Seconds to wait for another run's lock before failing with 75.
    public var waitLock: Double
    public var transcode: TranscodePolicy
    /// Paths on standard input are NUL-separated.
    public var nulSeparated: Bool
    /// Credentials, batches and the http refusal, for a DICOMweb destination.
    public var web = WebSendOptions()

    public init(inputs: [String], destination: TransferEndpoint, callingAETitle: String = "CMR",
                timeouts: NetworkTimeouts = NetworkTimeouts(), retry: RetryPolicy = RetryPolicy(),
                deadline: Deadline = .none, associations: Int = 1, window: Int = SendRequest.defaultWindow, maxRate: Double? = nil,
                journalPath: String? = nil, resume: Bool = true, waitLock: Double = 0,
                transcode: TranscodePolicy = .auto, nulSeparated: Bool = false) {
        self.inputs = inputs
        self.destination = destination
        self.callingAETitle = callingAETitle
        self.timeouts = timeouts
        self.retry = retry
        self.deadline = deadline
        self.associations = associations
        self.window = window
        self.maxRate = maxRate
        self.journalPath = journalPath
        self.resume = resume
        self.waitLock = waitLock
        self.transcode = transcode
        self.nulSeparated = nulSeparated
    }
}

/// What a run is about to send, after the scan and the journal (for the begin-transfer audit record).
public struct SendStart: Sendable {
    public var files: Int
    public var bytes: Int64
    /// Files per Study Instance UID ("" for files without one).
    public var studies: [String: Int]
    public var destination: String
}

/// What a send run did: one record per file found, the summary, and the exit status cron sees.
public struct SendResult: Sendable {
    public var records: [TransferRecord]
    public var summary: TransferSummary
    /// Notes for the user (non-DICOM files skipped, missing inputs), in order.
    public var notes: [CMRError]
    /// The error that ended the run early, when one did.
    public var stoppedBy: CMRError?
    /// Data mode of what was sent, when every file says the same (Patient Identity Removed).
    public var mode: String?
    /// Patient ID by Study Instance UID, for the audit record's keyed patient references.
    var patientIDs: [String: String] = [:]

    public var exitStatus: Int32 { summary.exitStatus }
}
