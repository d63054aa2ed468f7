#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import CMRAudit
import DICOMCoding
import CMRCrypto

/// What a command needs to write its audit events: the log, the actor, and the key under which
/// patient identifiers become keyed hashes. See docs/audit-cli.md ("Writing events from a command").
///
/// ```swift
/// let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
/// try audit.append([audit.draft(event: AuditEvent(code: AuditEvent.Code.instancesAccessed, action: .read, name: "inspect"),
///                               objects: objects)])
/// ```
///
/// Every failure is a `CMRError`, so a command whose audit write fails fails.
public struct AuditContext: Sendable {
    /// The log file.
    public let logPath: String
    /// Who runs the command: OS user, host, pid.
    public let actor: AuditActor
    /// The log, kept for the whole run: a process that appends again (a server, a loop) then
    /// continues the chain from where its last append left it without reading the tail back.
    public let log: AuditLog

    /// The checkpoint signing key (`CMR_AUDIT_SIGNING_KEY`, a key file from `cmr audit keygen`):
    /// when set, `append` signs a checkpoint afterwards if none was written in the last
    /// `checkpointInterval` seconds (`CMR_AUDIT_CHECKPOINT_INTERVAL`, default 300).
    public var signingKeyPath: String?
    public var checkpointInterval: Int64 = 300

    public init(logPath: String, actor: AuditActor) {
        self.logPath = logPath
        self.actor = actor
        self.log = AuditLog(path: logPath)
    }

    /// The log to write: `--audit-log PATH` if given, else `CMR_AUDIT_LOG`, else
    /// `$XDG_STATE_HOME/cmr/audit.log`, else `$HOME/.local/state/cmr/audit.log`; nil if none is set.
    public static func logPath(option: String?, environment: [String: String]) -> String? {
        if let option, !option.isEmpty { return option }
        return AuditLog.defaultPath(environment: environment)
    }

    /// The context for this process, or `.configuration` (78) when no log location is known.
    public static func resolve(option: String?, environment: [String: String]) throws(CMRError) -> AuditContext {
        guard let path = logPath(option: option, environment: environment) else {
            throw CMRError(.configuration, "no audit log location: neither --audit-log, CMR_AUDIT_LOG, XDG_STATE_HOME nor HOME is set",
                           hint: "set CMR_AUDIT_LOG=/path/to/audit.log or pass --audit-log PATH")
        }
        var context = AuditContext(logPath: path, actor: currentActor(environment: environment))
        if let key = environment["CMR_AUDIT_SIGNING_KEY"], !key.isEmpty {
            _ = try AuditOperations.signer(keyPath: key)  // a wrong key fails the run before any work
            context.signingKeyPath = key
        }
        if let text = environment["CMR_AUDIT_CHECKPOINT_INTERVAL"], !text.isEmpty {
            guard let seconds = Int64(text), seconds >= 0 else {
                throw CMRError(.configuration, "CMR_AUDIT_CHECKPOINT_INTERVAL must be a number of seconds, not '\(text)'")
            }
            context.checkpointInterval = seconds
        }
        return context
    }

    /// This process: the login name of the effective user (getpwuid, else `USER`, else the uid),
    /// the host name and the pid.
    public static func currentActor(environment: [String: String], aeTitle: String? = nil) -> AuditActor {
        var actor = AuditActor.current(aeTitle: aeTitle)
        if getpwuid(geteuid()) == nil, let user = environment["USER"], !user.isEmpty { actor.user = user }
        return actor
    }

    /// A draft by this actor.
    public func draft(event: AuditEvent, outcome: AuditOutcome = .success, objects: [AuditObject] = [],
                      peer: String? = nil, destination: String? = nil, mode: AuditDataMode? = nil,
                      details: [String: String]? = nil) -> AuditRecordDraft {
        AuditRecordDraft(actor: actor, event: event, outcome: outcome, objects: objects, peer: peer,
                         destination: destination, mode: mode, details: details)
    }

    /// Appends `drafts` with one lock, one write and one sync.
    @discardableResult
    public func append(_ drafts: [AuditRecordDraft]) throws(CMRError) -> [AuditRecord] {
        let records: [AuditRecord]
        do {
            records = try log.append(drafts)
        } catch {
            throw CMRError(.ioError, "\(logPath): cannot append audit record: \(error)",
                           hint: "the command's audit record could not be written, so the command fails; check the log's folder and permissions (--audit-log, CMR_AUDIT_LOG)")
        }
        if let signingKeyPath { try checkpointIfDue(log, keyPath: signingKeyPath) }
        return records
    }

    /// The automatic checkpoint after an append (`CMR_AUDIT_SIGNING_KEY`), rate-limited.
    func checkpointIfDue(_ log: AuditLog, keyPath: String) throws(CMRError) {
        let signer = try AuditOperations.signer(keyPath: keyPath)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        do {
            try AuditCheckpointer(log: log, signer: signer, origin: signer.name)
                .checkpointIfDue(minimumInterval: checkpointInterval, now: Int64(now.tv_sec))
        } catch {
            throw CMRError(.ioError, "\(log.checkpointsPath): cannot write the automatic checkpoint: \(error)",
                           hint: "the record was appended; fix the checkpoints file or unset CMR_AUDIT_SIGNING_KEY")
        }
    }

    /// Splits `objects` into drafts of at most `objectsPerRecord` objects each (a run over many
    /// files gives several records, appended together); `details` gain `part` = "i/n" when split.
    public func drafts(event: AuditEvent, outcome: AuditOutcome, objects: [AuditObject], objectsPerRecord: Int = 1000,
                       destination: String? = nil, mode: AuditDataMode? = nil, details: [String: String] = [:]) -> [AuditRecordDraft] {
        if objects.count <= objectsPerRecord {
            return [draft(event: event, outcome: outcome, objects: objects, destination: destination, mode: mode,
                          details: details.isEmpty ? nil : details)]
        }
        let parts = (objects.count + objectsPerRecord - 1) / objectsPerRecord
        return (0..<parts).map { i in
            var d = details
            d["part"] = "\(i + 1)/\(parts)"
            let slice = Array(objects[(i * objectsPerRecord)..<min(objects.count, (i + 1) * objectsPerRecord)])
            return draft(event: event, outcome: outcome, objects: slice, destination: destination, mode: mode, details: d)
        }
    }

    // MARK: Patient identifiers

    /// Where the per-log salt lives: `<log>.salt`.
    public var saltPath: String { logPath + ".salt" }

    /// The keyed hash that stands for a patient identifier in the log: hex HMAC-SHA-256 of the
    /// identifier's UTF-8 bytes under the log's salt (`PatientKeyring`).
    public func patientKeyring() throws(CMRError) -> PatientKeyring {
        try PatientKeyring(saltPath: saltPath)
    }
}

/// Turns patient identifiers into keyed hashes for the audit log. Until a site key is
/// configured, the key is a random 32-byte salt kept beside the log in `<log>.salt` (mode 0600,
/// created on first use, one hex line): the same patient gives the same reference throughout a
/// log, and nobody without the salt file can test a guessed identifier against the log.
public struct PatientKeyring: Sendable {
    let key: [UInt8]

    public init(key: [UInt8]) { self.key = key }

    /// Reads the salt at `saltPath`, creating it (atomically, via a temporary file and `link`)
    /// when it does not exist.
    public init(saltPath: String) throws(CMRError) {
        if let key = try Self.readSalt(saltPath) {
            self.key = key
            return
        }
        let fresh: [UInt8]
        do { fresh = try SecureRandom.bytes(count: 32) } catch {
            throw CMRError(.ioError, "\(saltPath): cannot make an audit salt: \(error)")
        }
        Self.makeParentDirectory(of: saltPath)
        let temporary = saltPath + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure(saltPath, "open", errno) }
        let line = Array((Hex.encode(fresh) + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == line.count, synced == 0 else {
            unlink(temporary)
            throw Self.failure(saltPath, "write", errno)
        }
        let linked = link(temporary, saltPath)
        let linkErrno = errno
        unlink(temporary)
        if linked != 0 && linkErrno != EEXIST { throw Self.failure(saltPath, "link", linkErrno) }
        // Another process may have won the race: use whatever is there now.
        guard let key = try Self.readSalt(saltPath) else { throw CMRError(.ioError, "\(saltPath): audit salt vanished") }
        self.key = key
    }

    /// The hex HMAC-SHA-256 of `identifier` under the key.
    public func reference(for identifier: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(identifier.utf8), key: key))
    }

    static func readSalt(_ path: String) throws(CMRError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure(path, "open", errno)
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { throw CMRError(.configuration, "\(path): empty audit salt", hint: "restore it from a backup; without it, earlier patient references cannot be matched") }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = try? Hex.decode(text), key.count >= 16 else {
            throw CMRError(.configuration, "\(path): not an audit salt (hex)", hint: "restore it from a backup")
        }
        return key
    }

    static func makeParentDirectory(of path: String) {
        let parent = FilePath.directory(of: path)
        guard !parent.isEmpty else { return }
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
    }

    static func failure(_ path: String, _ call: String, _ code: Int32) -> CMRError {
        CMRError(.ioError, "\(path): cannot \(call) the audit salt: \(String(cString: strerror(code)))")
    }
}
