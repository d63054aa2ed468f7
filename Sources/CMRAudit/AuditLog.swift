import CMRCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An audit log file, for appending. Safe to use from many processes (and many `AuditLog`
/// values in one process) at once: every append holds `flock(LOCK_EX)` on the log while it reads
/// the last record, writes, and syncs.
///
/// The append protocol, under the lock:
/// 1. read the end of the file (from the end backwards, never the whole log);
/// 2. if the file does not end in a newline, or its last line is not a record (a torn write),
///    move those bytes to `<log>.quarantine`, truncate the log to the last good newline, and
///    append a recovery record (event 110101 Audit Log Used, action U, name "recovery");
/// 3. give each draft the next `seq`, the hash of the record before it as `prev`, and the time;
/// 4. write all new lines with one `write` on an `O_APPEND` descriptor, then `fdatasync`.
///
/// Any failure throws; a command whose audit write fails must fail.
public final class AuditLog: Sendable {
    /// The log file.
    public let path: String
    /// Where quarantined torn lines go: `<log>.quarantine`.
    public var quarantinePath: String { path + ".quarantine" }
    /// Where signed checkpoints go: `<log>.checkpoints`.
    public var checkpointsPath: String { path + ".checkpoints" }
    let clock: any AuditClock
    /// Where this value's last append left the log, so that the next append by the same value
    /// need not read the tail back (see `withLockedLog`).
    let tailCache = TailCache()

    public init(path: String, clock: any AuditClock = SystemAuditClock()) {
        self.path = path
        self.clock = clock
    }

    /// The log's default location: `CMR_AUDIT_LOG` if set and not empty, else
    /// `$XDG_STATE_HOME/cmr/audit.log`, else `$HOME/.local/state/cmr/audit.log`; nil if none of
    /// them is set. The caller passes the environment (library code never reads it).
    public static func defaultPath(environment: [String: String]) -> String? {
        if let path = environment["CMR_AUDIT_LOG"], !path.isEmpty { return path }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/cmr/audit.log" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.local/state/cmr/audit.log" }
        return nil
    }

    /// Appends one record made from `draft`, durably, and returns it.
    @discardableResult
    public func append(_ draft: AuditRecordDraft) throws(AuditError) -> AuditRecord {
        try append([draft])[0]
    }

    /// Appends records made from `drafts`, in order, with one lock, one write and one sync.
    /// Returns the records written (a recovery record, if one was needed, is written first and
    /// is not among them; see `lastRecovery`).
    @discardableResult
    public func append(_ drafts: [AuditRecordDraft]) throws(AuditError) -> [AuditRecord] {
        try withLockedLog { fd, tail throws(AuditError) in
            var seq = tail.nextSeq
            var prev = tail.prevHex
            var bytes: [UInt8] = []
            var written: [AuditRecord] = []
            for draft in drafts {
                let record = draft.record(seq: seq, prev: prev, clock: clock.now())
                let line = record.canonicalBytes
                bytes.append(contentsOf: line)
                bytes.append(0x0A)
                prev = Hex.encode(MerkleTree.leafHash(line))
                seq += 1
                written.append(record)
            }
            if !bytes.isEmpty {
                try POSIXFile.writeOnce(fd, bytes, path: path)
                try POSIXFile.dataSync(fd, path: path)
                tailCache.store(TailCache.Entry(identity: try POSIXFile.identity(fd, path: path), tail: Tail(nextSeq: seq, prevHex: prev)))
            }
            return written
        }
    }

    /// The last record in the log, or nil for an empty or missing log. Takes a shared lock;
    /// does not repair a torn tail (only appending does).
    public func lastRecord() throws(AuditError) -> AuditRecord? {
        guard POSIXFile.exists(path) else { return nil }
        let fd = try POSIXFile.open(path, O_RDONLY)
        defer { close(fd) }
        try POSIXFile.lock(fd, LOCK_SH, path: path)
        let size = try POSIXFile.size(fd, path: path)
        let end = try findTail(fd, size: size)
        return end.record
    }

    // MARK: Locking and the tail

    struct Tail {
        var nextSeq: UInt64
        var prevHex: String
    }

    /// Opens (creating with mode 0600 and parent folders) and locks the log, repairs a torn tail,
    /// and runs `body` with the descriptor and the chain position to continue from.
    ///
    /// The tail is normally read back from the file (the last complete line, parsed and hashed).
    /// When the file is exactly as this value's own last append left it — same device, inode,
    /// size, modification and change times, read under the lock after that append's fdatasync —
    /// the remembered chain position is used instead: any write by another process (or any
    /// truncation) since then changes the size or the times.
    func withLockedLog<T>(_ body: (Int32, Tail) throws(AuditError) -> T) throws(AuditError) -> T {
        let fd = try openCreating()
        defer { close(fd) }
        try POSIXFile.lock(fd, LOCK_EX, path: path)
        let identity = try POSIXFile.identity(fd, path: path)
        if let cached = tailCache.load(), cached.identity == identity {
            return try body(fd, cached.tail)
        }
        tailCache.store(nil)
        let size = Int(identity.size)
        let end = try findTail(fd, size: size)
        if end.goodLength < size {
            try quarantine(fd, from: end.goodLength, to: size)
            var tail = Tail(nextSeq: end.record.map { $0.seq + 1 } ?? 0, prevHex: end.recordHashHex ?? AuditRecord.genesisPrevious)
            let recovery = recoveryDraft(offset: end.goodLength, bytes: end.tornBytes)
            let record = recovery.record(seq: tail.nextSeq, prev: tail.prevHex, clock: clock.now())
            let line = record.canonicalBytes
            try POSIXFile.writeOnce(fd, line + [0x0A], path: path)
            try POSIXFile.dataSync(fd, path: path)
            tail = Tail(nextSeq: record.seq + 1, prevHex: Hex.encode(MerkleTree.leafHash(line)))
            return try body(fd, tail)
        }
        let tail = Tail(nextSeq: end.record.map { $0.seq + 1 } ?? 0, prevHex: end.recordHashHex ?? AuditRecord.genesisPrevious)
        return try body(fd, tail)
    }

    /// Opens the log for appending; creates it (mode 0600, parent folders 0700, the folder
    /// synced so the new name is durable) only when it does not exist yet.
    func openCreating() throws(AuditError) -> Int32 {
        do {
            return try POSIXFile.open(path, O_RDWR | O_APPEND)
        } catch let error where error.systemErrno == ENOENT {
            try POSIXFile.makeParentDirectory(of: path)
            do {
                let fd = try POSIXFile.open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL, mode: 0o600)
                POSIXFile.syncParentDirectory(of: path)
                return fd
            } catch let error where error.systemErrno == EEXIST {
                return try POSIXFile.open(path, O_RDWR | O_APPEND)  // another process created it first
            }
        }
    }

    struct TailScan {
        /// Bytes up to and including the newline of the last good record (0 if none).
        var goodLength: Int
        var record: AuditRecord?
        var recordHashHex: String?
        /// The bytes after `goodLength`.
        var tornBytes: [UInt8]
    }

    /// Finds the last good record by reading backwards from the end in growing chunks.
    /// Lines after it that are not records (torn writes) are reported in `tornBytes`.
    func findTail(_ fd: Int32, size: Int) throws(AuditError) -> TailScan {
        var end = size  // the bytes in [end, size) are torn
        var chunkSize = 1 << 16
        while end > 0 {
            let start = max(0, end - chunkSize)
            let bytes = try POSIXFile.read(fd, offset: start, count: end - start, path: path)
            // The last line in [start, end): it ends at end-1 if that byte is a newline, else it is torn.
            let lastNewline = bytes.lastIndex(of: 0x0A)
            if lastNewline == nil && start > 0 && chunkSize < size {
                chunkSize *= 4
                continue
            }
            guard let lastNewline else {
                // No newline anywhere before `end`: everything up to `end` is torn.
                end = 0
                break
            }
            if lastNewline != bytes.count - 1 {
                end = start + lastNewline + 1  // the partial line after the last newline is torn
                continue
            }
            // A complete line ending at `end - 1`; where does it start?
            let lineStart = bytes[..<lastNewline].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            if lineStart == 0 && start > 0 && chunkSize < size {
                chunkSize *= 4
                continue
            }
            let line = Array(bytes[lineStart..<lastNewline])
            if let record = try? AuditRecord(canonicalLine: line) {
                let torn = end < size ? try POSIXFile.read(fd, offset: end, count: size - end, path: path) : []
                return TailScan(goodLength: end, record: record, recordHashHex: Hex.encode(MerkleTree.leafHash(line)), tornBytes: torn)
            }
            end = start + lineStart  // an unreadable complete last line is torn too
        }
        let torn = size > 0 ? try POSIXFile.read(fd, offset: 0, count: size, path: path) : []
        return TailScan(goodLength: 0, record: nil, recordHashHex: nil, tornBytes: torn)
    }

    /// Appends the bytes `[from, to)` of the log to the quarantine file as one JSON line
    /// (`{"bytes":base64,"length":n,"log":path,"offset":from,"sha256":hex,"time":…}`), syncs it,
    /// then truncates the log to `from`.
    func quarantine(_ fd: Int32, from: Int, to: Int) throws(AuditError) {
        let bytes = try POSIXFile.read(fd, offset: from, count: to - from, path: path)
        let entry: CanonicalJSON.Value = .object([
            "log": .string(path),
            "offset": .unsigned(UInt64(from)),
            "length": .unsigned(UInt64(bytes.count)),
            "sha256": .string(Hex.encode(SHA256.hash(bytes))),
            "bytes": .string(Base64.encode(bytes)),
            "time": .string(AuditTime.format(milliseconds: clock.now().milliseconds)),
        ])
        let existed = POSIXFile.exists(quarantinePath)
        let qfd = try POSIXFile.open(quarantinePath, O_WRONLY | O_APPEND | O_CREAT, mode: 0o600)
        defer { close(qfd) }
        if !existed { POSIXFile.syncParentDirectory(of: quarantinePath) }
        try POSIXFile.writeOnce(qfd, CanonicalJSON.encode(entry) + [0x0A], path: quarantinePath)
        try POSIXFile.dataSync(qfd, path: quarantinePath)
        guard ftruncate(fd, off_t(from)) == 0 else { throw .system(call: "ftruncate", path: path, errno: errno) }
        try POSIXFile.dataSync(fd, path: path)
    }

    func recoveryDraft(offset: Int, bytes: [UInt8]) -> AuditRecordDraft {
        AuditRecordDraft(
            actor: .current(),
            event: AuditEvent(code: AuditEvent.Code.auditLogUsed, action: .update, name: "recovery"),
            outcome: AuditOutcome(code: .minorFailure, message: "torn tail moved to quarantine"),
            objects: [AuditObject(path: quarantinePath, sha256: Hex.encode(SHA256.hash(bytes)), count: UInt64(bytes.count))],
            details: [
                "quarantinedBytes": String(bytes.count),
                "quarantinedOffset": String(offset),
                "quarantinedSHA256": Hex.encode(SHA256.hash(bytes)),
                "quarantineFile": quarantinePath,
            ])
    }
}

/// The chain position an `AuditLog` value left after its last append, and the file's identity
/// at that moment. Guarded by a mutex: one `AuditLog` may be shared between threads.
final class TailCache: @unchecked Sendable {
    struct Entry {
        var identity: POSIXFile.Identity
        var tail: AuditLog.Tail
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var entry: Entry?

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func load() -> Entry? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return entry
    }

    func store(_ new: Entry?) {
        pthread_mutex_lock(mutex)
        entry = new
        pthread_mutex_unlock(mutex)
    }
}
