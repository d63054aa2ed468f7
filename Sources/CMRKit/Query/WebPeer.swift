import Foundation
import DICOMNetwork
import DICOMweb

/// A DICOMweb service root as `cmr query` and `cmr pull` talk to it (QIDO-RS, WADO-RS): the URL,
/// where the credentials come from, the timeouts (`--dimse-timeout` is the idle timeout of a
/// request; the run's deadline bounds each request as a whole), and the run's rate limit (on what
/// is read from the responses). One HTTP session for the run (connections are kept alive).
public final class WebPeer: @unchecked Sendable {
    public let url: URL
    public let credentialSource: WebCredentialSource?
    public let allowInsecure: Bool
    public let timeouts: NetworkTimeouts
    public let deadline: Deadline
    public let limiter: RateLimiter?
    private let lock = NSLock()
    private var credentials: DICOMwebClient.Credentials?
    private var loaded = false
    private var refreshed = false
    private var session: PeerTransport?
    private let makeTransport: @Sendable (_ idle: Double, _ total: Double) -> HTTPTransport
    /// HTTP requests made (the report's `associations`).
    public var requests: Int { lock.withLock { session?.count ?? 0 } }

    public init(url: URL, credentials: WebCredentialSource?, allowInsecure: Bool = false, timeouts: NetworkTimeouts = NetworkTimeouts(),
                deadline: Deadline = .none, limiter: RateLimiter? = nil,
                transport: (@Sendable (_ idle: Double, _ total: Double) -> HTTPTransport)? = nil) throws(CMRError) {
        if url.user != nil || url.password != nil {
            // Not echoed back: the message goes to logs too.
            let shown = "\(url.scheme ?? "https")://…@\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")\(url.path)"
            throw CMRError(.usage, "\(shown): credentials in the URL are refused (ps, shell history and logs would show them)",
                           hint: "give them in a file: --user-file FILE (user:password) or --token-file FILE")
        }
        if url.scheme?.lowercased() == "http", !allowInsecure, !DICOMwebClient.isLoopback(url.host ?? "") {
            throw CMRError(.permissionDenied, "\(url.absoluteString): plain http to \(url.host ?? "") would carry the images, the patients' data and the credentials unencrypted",
                           hint: "use https://, or give --allow-insecure if this network is trusted")
        }
        self.url = url
        self.credentialSource = credentials
        self.allowInsecure = allowInsecure
        self.timeouts = timeouts
        self.deadline = deadline
        self.limiter = limiter
        self.makeTransport = transport ?? { URLSessionTransport(idleTimeout: $0, totalTimeout: $1) }
    }

    public var description: String { url.absoluteString }

    /// A client with the current credentials (read, or the command run, on first use).
    public func client() throws(CMRError) -> DICOMwebClient {
        lock.lock()
        defer { lock.unlock() }
        if !loaded {
            credentials = try credentialSource?.credentials()
            loaded = true
        }
        if session == nil {
            let idle = timeouts.dimse ?? 24 * 3600
            let inner = makeTransport(deadline.bound(idle) ?? idle, deadline.remaining ?? 24 * 3600)
            session = PeerTransport(inner, limiter: limiter)
        }
        let (creds, transport) = (credentials, session!)
        do {
            return try DICOMwebClient(base: url, options: .init(credentials: creds, allowInsecure: allowInsecure), transport: transport)
        } catch {
            throw Self.map(error, peer: description)
        }
    }

    /// Runs `body` (attempt 1, 2, …) with a client until it succeeds, fails for good, the retries
    /// are used up, or the deadline passes. A 401 with `--token-command` runs the command again
    /// once and repeats the attempt; a transient failure (no answer, timeout, 408/429/5xx) pauses
    /// with full jitter, or for the server's `Retry-After` (up to the policy's cap).
    public func retrying<T>(_ policy: RetryPolicy, _ body: (DICOMwebClient, Int) throws -> T) throws(CMRError) -> T {
        var attempt = 1
        while true {
            if deadline.hasPassed { throw DIMSEPeer.deadlinePassed }
            let client = try client()
            do {
                return try body(client, attempt)
            } catch {
                let e = error as? DICOMwebError
                if e?.status == 401, refreshOnce() { continue }
                var mapped = Self.map(error, peer: description)
                if deadline.hasPassed && mapped.kind == .temporaryFailure {
                    mapped = CMRError(.temporaryFailure, mapped.message + " (the run's deadline, --deadline, passed)", hint: DIMSEPeer.deadlinePassed.hint)
                }
                guard e?.isTransient == true || (e == nil && mapped.isTransient), attempt <= policy.retries, !deadline.hasPassed else { throw mapped }
                guard deadline.sleep(policy.delay(attempt: attempt, suggested: e?.retryAfter)) else { throw mapped }
                attempt += 1
            }
        }
    }

    /// After a 401: runs `--token-command` again, once a run. False for any other source.
    private func refreshOnce() -> Bool {
        lock.withLock {
            guard !refreshed, let source = credentialSource, source.canRefresh, let fresh = try? source.credentials() else { return false }
            refreshed = true
            credentials = fresh
            return true
        }
    }

    /// The user-facing form of a DICOMweb failure (`CMRError.web`).
    public static func map(_ error: Error, peer: String) -> CMRError { CMRError.web(error, peer: peer, storing: false) }
}

/// The run's transport: counts requests, and with `--max-rate` hands each response body to the
/// handler no faster than the rate (the handler is the multipart parser writing files, or the
/// JSON collector). With a spooled WADO-RS response the network itself is not slowed: the limit
/// holds the run on average, as the next request is sent only once this one's bytes have been
/// paid for (docs/transfer.md).
final class PeerTransport: HTTPTransport, @unchecked Sendable {
    let inner: HTTPTransport
    let limiter: RateLimiter?
    private let lock = NSLock()
    private var made = 0

    init(_ inner: HTTPTransport, limiter: RateLimiter?) {
        self.inner = inner
        self.limiter = limiter
    }

    var count: Int { lock.withLock { made } }

    func perform(_ request: HTTPRequest, handler: HTTPResponseHandler) throws -> HTTPResponseHead {
        lock.withLock { made += 1 }
        guard let limiter else { return try inner.perform(request, handler: handler) }
        return try inner.perform(request, handler: Paced(handler, limiter))
    }

    private final class Paced: HTTPResponseHandler {
        let handler: HTTPResponseHandler
        let limiter: RateLimiter
        init(_ handler: HTTPResponseHandler, _ limiter: RateLimiter) {
            self.handler = handler
            self.limiter = limiter
        }
        func received(head: HTTPResponseHead) throws { try handler.received(head: head) }
        func received(body: UnsafeRawBufferPointer) throws {
            var offset = 0
            while offset < body.count {
                let n = min(body.count - offset, 64 << 10)
                limiter.consume(n)
                try handler.received(body: UnsafeRawBufferPointer(rebasing: body[offset..<(offset + n)]))
                offset += n
            }
        }
    }
}
