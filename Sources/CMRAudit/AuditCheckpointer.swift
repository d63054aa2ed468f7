#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes signed checkpoints of a log to `<log>.checkpoints`: notes one after another, each
/// `<origin>\n<size>\n<base64 root>\n\n— <key name> <base64 signature>\n`.
///
/// The tree's leaves are the log's complete lines, in order; leaf i is SHA-256(0x00 ‖ line i),
/// which for a record is its record hash.
public struct AuditCheckpointer: Sendable {
    public let log: AuditLog
    public let signer: NoteSigner
    /// The checkpoint's first line: names the log (e.g. "ward7.example-hospital.org/cmr-audit").
    public let origin: String

    public init(log: AuditLog, signer: NoteSigner, origin: String) {
        precondition(!origin.isEmpty && !origin.contains("\n"), "origin is one non-empty line")
        self.log = log
        self.signer = signer
        self.origin = origin
    }

    /// Signs and appends a checkpoint of the whole log as it is now. Repairs a torn tail first
    /// (as an append would), then hashes outside the lock: the log only grows, so the prefix
    /// that was measured does not change.
    @discardableResult
    public func checkpoint() throws(AuditError) -> SignedNote {
        let length = try log.withLockedLog { fd, _ throws(AuditError) in try POSIXFile.size(fd, path: log.path) }
        let mapped = try MappedLog(path: log.path)
        let head = mapped.treeHead(length: length)
        let note = AuditCheckpoint(origin: origin, size: head.size, rootHash: head.root).signed(by: [signer])
        try append(note)
        return note
    }

    /// `checkpoint()` unless the checkpoints file was written less than `minimumInterval`
    /// seconds before `now` (seconds since the epoch); for commands that checkpoint at the end.
    @discardableResult
    public func checkpointIfDue(minimumInterval: Int64, now: Int64) throws(AuditError) -> SignedNote? {
        var info = stat()
        if stat(log.checkpointsPath, &info) == 0, now - Int64(info.st_mtim.tv_sec) < minimumInterval { return nil }
        return try checkpoint()
    }

    func append(_ note: SignedNote) throws(AuditError) {
        let path = log.checkpointsPath
        let existed = POSIXFile.exists(path)
        let fd = try POSIXFile.open(path, O_WRONLY | O_APPEND | O_CREAT, mode: 0o600)
        defer { close(fd) }
        if !existed { POSIXFile.syncParentDirectory(of: path) }
        try POSIXFile.lock(fd, LOCK_EX, path: path)
        try POSIXFile.writeOnce(fd, Array(note.text.utf8), path: path)
        try POSIXFile.dataSync(fd, path: path)
    }

    /// The checkpoints in a `.checkpoints` file (none if it does not exist).
    public static func readCheckpoints(path: String) throws(AuditError) -> [SignedNote] {
        guard POSIXFile.exists(path) else { return [] }
        let bytes = try POSIXFile.readAll(path: path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidFormat(path: path, reason: "not UTF-8") }
        do { return try SignedNote.parseAll(text) } catch { throw .invalidFormat(path: path, reason: "\(error)") }
    }
}
