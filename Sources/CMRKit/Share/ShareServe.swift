import Foundation
import CMRAudit
import CMRShare
#if canImport(Glibc)
import Glibc
#endif

/// What `cmr share serve` was asked for.
public struct ShareServeRequest: Sendable {
    public var root: String
    /// Numeric address to listen on (127.0.0.1 unless `allowNonLoopback`).
    public var host = "127.0.0.1"
    public var port: UInt16 = 8080
    public var allowNonLoopback = false
    /// Take the client address from `X-Forwarded-For` of the proxy on loopback.
    public var trustProxy = false

    public init(root: String) { self.root = root }

    /// `HOST:PORT`, `[V6]:PORT` or `:PORT` (127.0.0.1); nil when it is not one.
    public static func parseListen(_ text: String) -> (host: String, port: UInt16)? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}

/// `cmr share serve`: indexes the folder, serves it over HTTP behind the reverse proxy, and
/// records every request in the audit log — appended in batches every 100 ms by one long-lived
/// `AuditContext` (one lock, write and sync per batch), all pending ones flushed at stop, start
/// and stop themselves recorded (110100). A failed append stops the server: nothing is served
/// that is not recorded (`run` then throws the append's error). Never prints.
public final class ShareServeOperation: @unchecked Sendable {
    public let request: ShareServeRequest
    public let index: StudyIndex
    let audit: AuditContext
    let recorder: AccessRecorder
    let server: HTTPServer
    private let finished = DispatchSemaphore(value: 0)

    /// What the server serves, once started.
    public struct Started: Sendable {
        public var listen: String
        public var port: UInt16
        public var studies: Int
        public var instances: Int
        public var skipped: Int
    }

    /// Reads the folder and prepares the server; `verify` checks each token (`ShareVerifier.make`).
    /// `recordUse` counts a viewer opening the study against the grant's `maxUses` (`ShareVerifier.recordUse`).
    public init(_ request: ShareServeRequest, verify: @escaping ShareVerifier.Verify, recordUse: ShareApp.RecordUse? = nil,
                audit: AuditContext, configuration: HTTPServerConfiguration = HTTPServerConfiguration()) throws(CMRError) {
        self.request = request
        self.audit = audit
        do {
            index = try StudyIndex.scan(root: request.root)
        } catch {
            throw CMRError(.inputMissing, "\(request.root): \(error.message)", hint: "--root names the folder of the studies to serve")
        }
        let recorder = AccessRecorder(audit: audit)
        self.recorder = recorder
        var c = configuration
        c.host = request.host
        c.port = request.port
        c.allowNonLoopback = request.allowNonLoopback
        c.trustProxy = request.trustProxy
        let app = ShareApp(index: index, verify: verify, onAccess: { recorder.add(audit.shareAccessDraft($0)) }, recordUse: recordUse)
        server = HTTPServer(configuration: c, handler: app.handler)
    }

    var listen: String { server.listenAddress }

    /// Binds and starts serving; appends the start record first (a log that cannot be written
    /// stops the server before it serves anything).
    public func start() throws(CMRError) -> Started {
        catchSignals()
        do {
            try server.start()
        } catch {
            throw CMRError(.configuration, error.message, hint: "use --listen 127.0.0.1:PORT behind a TLS proxy (examples/share-nginx)")
        }
        let instances = index.instanceCount
        do {
            try audit.append([audit.shareServeActivityDraft(started: true, listen: listen, root: request.root,
                                                            studies: index.studies.count, instances: instances)])
        } catch {
            server.stop()
            throw error
        }
        recorder.start { [weak self] in self?.finished.signal() }
        return Started(listen: listen, port: server.port, studies: index.studies.count, instances: instances, skipped: index.skipped.count)
    }

    /// SIGINT and SIGTERM end `run`. Caught from `start` on, before the port opens, so a signal
    /// sent as soon as the server accepts connections is never lost (`StopSignals`).
    private func catchSignals() {
        StopSignals.install()
    }

    /// Serves until SIGINT or SIGTERM (or a failed audit append), then stops.
    public func run() throws(CMRError) {
        while finished.wait(timeout: .now() + .milliseconds(100)) == .timedOut && StopSignals.caught == nil {}
        StopSignals.restoreDefaults()
        try stop()
    }

    /// Stops the server (requests in flight finish), flushes every pending access record and
    /// appends the stop record. Throws the first audit append that failed.
    public func stop() throws(CMRError) {
        server.stop()
        recorder.stop()
        let failure = recorder.failure
        do {
            try audit.append([audit.shareServeActivityDraft(started: false, listen: listen, root: request.root,
                                                            studies: index.studies.count, instances: index.instanceCount,
                                                            accesses: recorder.recorded, error: failure?.message)])
        } catch {
            throw failure ?? error
        }
        if let failure { throw failure }
    }

    /// Stops `run` from another thread (tests).
    public func requestStop() { finished.signal() }
}

/// Access records waiting for their batched append: added from request threads, appended by
/// one serial queue every 100 ms, and at stop.
final class AccessRecorder: @unchecked Sendable {
    let audit: AuditContext
    private let lock = NSLock()
    private var pending: [AuditRecordDraft] = []
    private(set) var recorded = 0
    private(set) var failure: CMRError?
    private let queue = DispatchQueue(label: "cmr.share.audit")
    private var timer: DispatchSourceTimer?
    private var onFailure: (@Sendable () -> Void)?

    init(audit: AuditContext) { self.audit = audit }

    func add(_ draft: AuditRecordDraft) { lock.withLock { pending.append(draft) } }

    func start(onFailure: @escaping @Sendable () -> Void) {
        self.onFailure = onFailure
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100))
        t.setEventHandler { [weak self] in self?.flush() }
        timer = t
        t.resume()
    }

    /// Stops the timer and appends what is left.
    func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
        }
        queue.sync { flush() }
    }

    /// On the queue: one append of everything pending. A failed append keeps the drafts (tried
    /// again at the next flush) and asks the server to stop.
    private func flush() {
        let batch: [AuditRecordDraft] = lock.withLock {
            defer { pending.removeAll() }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            try audit.append(batch)
            lock.withLock { recorded += batch.count }
        } catch {
            let first: Bool = lock.withLock {
                pending.insert(contentsOf: batch, at: 0)
                defer { if failure == nil { failure = error } }
                return failure == nil
            }
            if first { onFailure?() }
        }
    }
}
