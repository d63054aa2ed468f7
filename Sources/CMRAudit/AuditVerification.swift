/// The result of verifying a log: what was found, and every break.
public struct AuditVerification: Sendable, Codable, Equatable {
    /// True when there are no breaks.
    public var intact: Bool { breaks.isEmpty }
    /// Complete lines in the log (the Merkle tree size).
    public var lineCount: UInt64 = 0
    /// Lines that are records in sequence (lines minus unreadable, duplicate and forged ones).
    public var recordCount: UInt64 = 0
    public var firstTime: String?
    public var lastTime: String?
    /// Hex record hash of the last line that is a record: the next record's `prev`.
    public var headHash: String?
    /// Hex RFC 6962 root of all complete lines.
    public var rootHash: String = ""
    /// The largest tree size among checkpoints with a valid signature by the given key (nil
    /// without a key or without such checkpoints).
    public var latestSignedSize: UInt64?
    /// Checkpoints found beside the log.
    public var checkpointCount = 0
    /// Whether checkpoint signatures were checked (a verifier key was given).
    public var signaturesChecked = false
    /// `seq` of each recovery record (a torn tail was quarantined before it).
    public var recoveries: [UInt64] = []
    /// Every break found, in order of discovery (at most `AuditVerifier.maximumBreaks`).
    public var breaks: [AuditBreak] = []
    /// Breaks beyond those listed.
    public var omittedBreaks = 0
    /// Things worth knowing that are not breaks (e.g. checkpoints not checked without a key).
    public var notes: [String] = []

    /// Kinds of break found, each once, in order.
    public var kinds: [AuditBreak.Kind] {
        var seen: [AuditBreak.Kind] = []
        for item in breaks where !seen.contains(item.kind) { seen.append(item.kind) }
        return seen
    }
}

/// One break in a log, named, with where it is and what was expected.
public struct AuditBreak: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A record's bytes changed: the next record's `prev` does not match its hash, or the line
        /// is not a canonical record.
        case modifiedRecord = "modified record"
        /// `seq` jumps forward: records are missing.
        case deletedRecord = "deleted record"
        /// A line that does not belong: a repeated `seq`, or a record whose successor chains to
        /// the record before it instead.
        case insertedRecord = "inserted record"
        /// A record found later than a record with a greater `seq`.
        case reorderedRecords = "reordered records"
        /// The log has fewer lines than a checkpoint signed for it.
        case truncatedTail = "truncated tail"
        /// A checkpoint's root differs from the root of the log's first `size` lines.
        case fork = "fork"
        /// A checkpoint without a valid signature by the given key.
        case badSignature = "bad signature"
        /// Within one boot, the monotonic clock went backwards, or the wall clock went back by
        /// more than the tolerance.
        case timeWentBackwards = "time going backwards"
        /// The file does not end in a newline: a write was cut short.
        case tornLine = "torn line"
    }

    public var kind: Kind
    /// The line number (1-based) where it was found, if it concerns a line.
    public var line: UInt64?
    /// The `seq` concerned, if known.
    public var seq: UInt64?
    /// What was expected there.
    public var expected: String
    /// What was found instead.
    public var found: String

    public var description: String {
        var text = kind.rawValue
        if let seq { text += " at record \(seq)" }
        if let line { text += " (line \(line))" }
        return text + ": expected \(expected), found \(found)"
    }
}
