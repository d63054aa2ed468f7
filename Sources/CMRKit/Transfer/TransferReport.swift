import Foundation
import DICOMCoding

/// One line of a transfer report (`--report FILE`, `--json`): what happened to one instance.
public struct TransferRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// The peer stored it (DIMSE 0000, or listed in a STOW ReferencedSOPSequence).
        case stored
        /// Stored with a warning (DIMSE B000/B007/B006/0107/0116, a STOW WarningReason): not a failure.
        case warning
        /// Not stored: refused by the peer, or not sent because of an error.
        case failed
        /// Not sent: the journal says the peer acknowledged this content before (`--resume`).
        case skipped
        /// Received into the output (pull).
        case received
        /// Present in the output already (pull, resume).
        case exists
    }

    public var path: String
    public var sopInstanceUID: String?
    public var sopClassUID: String?
    public var studyInstanceUID: String?
    /// The transfer syntax sent (after any transcoding) or received.
    public var transferSyntax: String?
    /// The file's transfer syntax when it was transcoded for the peer.
    public var transcodedFrom: String?
    public var status: Status
    /// The DIMSE status as four hex digits, or the HTTP status.
    public var peerStatus: String?
    /// The peer's Error Comment, or the reason of a failure.
    public var comment: String?
    public var bytes: Int64
    public var ms: Int
    public var attempts: Int
    public var sha256: String?
    /// The exit status this instance alone would give (failures only).
    public var exitStatus: Int32?

    public init(path: String, status: Status, bytes: Int64 = 0, ms: Int = 0, attempts: Int = 0) {
        self.path = path
        self.status = status
        self.bytes = bytes
        self.ms = ms
        self.attempts = attempts
    }

    public var isFailure: Bool { status == .failed }
}

/// The last line of a transfer report.
public struct TransferSummary: Codable, Sendable, Equatable {
    public var command: String
    /// `dicom://AE@host:port` or the URL.
    public var peer: String
    public var total = 0
    public var stored = 0
    public var warnings = 0
    public var failed = 0
    public var skipped = 0
    public var bytes: Int64 = 0
    public var seconds = 0.0
    public var associations = 0
    /// DIMSE send: the most C-STORE requests kept in flight on one association (the asynchronous
    /// operations window the peer granted, within `--window`; 1 when it granted none).
    public var window: Int?
    public var exitStatus: Int32 = 0
    /// Why the run ended early, when it did (deadline, peer unreachable after retries, …).
    public var stoppedBecause: String?

    public init(command: String, peer: String) {
        self.command = command
        self.peer = peer
    }

    public mutating func count(_ r: TransferRecord) {
        total += 1
        switch r.status {
        case .stored, .received: stored += 1
        case .warning: warnings += 1
        case .failed: failed += 1
        case .skipped, .exists: skipped += 1
        }
        bytes += r.status == .skipped || r.status == .exists ? 0 : r.bytes
    }
}

/// Writes `--report FILE`: JSON Lines, one `TransferRecord` per instance then `{"summary": …}`,
/// atomically at the end of the run (never over an existing file unless `overwrite`). What a
/// killed run acknowledged is in the journal, line by line.
public enum TransferReportWriter {
    static let encoder = JSONEncoder.sortedKeys

    public static func line(_ record: TransferRecord) -> String {
        (try? encoder.encode(record)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public static func summaryLine(_ summary: TransferSummary) -> String {
        (try? encoder.encode(["summary": summary])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public static func write(_ records: [TransferRecord], summary: TransferSummary, to path: String, overwrite: Bool) throws(CMRError) {
        var text = ""
        for r in records { text += line(r) + "\n" }
        text += summaryLine(summary) + "\n"
        do {
            try AtomicFileWriter.write(to: path, overwrite: overwrite) { w in try w.write(Array(text.utf8)) }
        } catch {
            throw CMRError.writing(path, error)
        }
    }

    /// Fails early (73) when the report exists and may not be replaced, before anything is sent.
    public static func checkWritable(_ path: String, overwrite: Bool) throws(CMRError) {
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw CMRError(.cannotCreateOutput, "\(path): already exists", hint: "pass --overwrite to replace it, or name another report")
        }
    }
}

/// A report written as the records come (`cmr listen --report FILE`, which runs for days): each
/// line goes to a temporary file at once, so memory does not grow with the run; `finish` adds the
/// summary line and moves the file into place atomically. A run killed before leaves no report.
public final class TransferReportStream: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var writer: AtomicFileWriter
    private var summary: TransferSummary
    private var failure: CMRError?

    public init(path: String, overwrite: Bool, summary: TransferSummary) throws(CMRError) {
        try TransferReportWriter.checkWritable(path, overwrite: overwrite)
        do { writer = try AtomicFileWriter(path: path, overwrite: overwrite) } catch { throw CMRError.writing(path, error) }
        self.path = path
        self.summary = summary
    }

    public func append(_ record: TransferRecord) {
        let line = Array((TransferReportWriter.line(record) + "\n").utf8)
        lock.withLock {
            summary.count(record)
            guard failure == nil else { return }
            do { try line.withUnsafeBytes { try writer.write($0) } } catch { failure = CMRError.writing(path, error) }
        }
    }

    /// Drops the report (the run failed before it began).
    public func abort() { lock.withLock { writer.abort() } }

    /// Writes the summary (its counts are those of the records appended; `update` fills in the rest) and commits.
    public func finish(_ update: (inout TransferSummary) -> Void) throws(CMRError) {
        lock.lock()
        defer { lock.unlock() }
        update(&summary)
        if let failure { writer.abort(); throw failure }
        do {
            try Array((TransferReportWriter.summaryLine(summary) + "\n").utf8).withUnsafeBytes { try writer.write($0) }
            try writer.commit()
        } catch {
            writer.abort()
            throw CMRError.writing(path, error)
        }
    }
}
