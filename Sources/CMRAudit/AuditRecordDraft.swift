#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a command says about one event; `AuditLog.append` adds the chain fields (`seq`,
/// `prev`), the clock fields (`time`, `monotonic`, `boot`) and the version.
///
/// ```swift
/// let draft = AuditRecordDraft(
///     actor: .current(aeTitle: "CMR"),
///     event: AuditEvent(code: AuditEvent.Code.export, action: .read, name: "send"),
///     outcome: .success,
///     objects: [AuditObject(studyUID: "1.2.3", count: 12)],
///     destination: "https://archive.example.org/dicomweb",
///     mode: .deidentified)
/// try log.append(draft)
/// ```
public struct AuditRecordDraft: Sendable, Hashable {
    public var actor: AuditActor
    public var event: AuditEvent
    public var outcome: AuditOutcome
    public var objects: [AuditObject]
    public var peer: String?
    public var destination: String?
    public var mode: AuditDataMode?
    public var details: [String: String]?

    public init(
        actor: AuditActor, event: AuditEvent, outcome: AuditOutcome = .success, objects: [AuditObject] = [],
        peer: String? = nil, destination: String? = nil, mode: AuditDataMode? = nil, details: [String: String]? = nil
    ) {
        self.actor = actor
        self.event = event
        self.outcome = outcome
        self.objects = objects
        self.peer = peer
        self.destination = destination
        self.mode = mode
        self.details = details
    }

    /// The full record this draft becomes at `seq` after the record whose hash is `prev`.
    public func record(seq: UInt64, prev: String, clock: AuditClockReading) -> AuditRecord {
        AuditRecord(
            seq: seq, prev: prev, time: AuditTime.format(milliseconds: clock.milliseconds),
            monotonic: clock.monotonic, boot: clock.boot, actor: actor, event: event, outcome: outcome,
            objects: objects, peer: peer, destination: destination, mode: mode, details: details)
    }
}

extension AuditActor {
    /// This process: the effective user's login name (or its uid), the host name and the pid.
    public static func current(aeTitle: String? = nil) -> AuditActor {
        var user = String(geteuid())
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            user = String(cString: name)
        }
        var host = [CChar](repeating: 0, count: 256)
        let hostName = gethostname(&host, host.count - 1) == 0
            ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
        return AuditActor(user: user, host: hostName, pid: Int64(getpid()), aeTitle: aeTitle)
    }
}
