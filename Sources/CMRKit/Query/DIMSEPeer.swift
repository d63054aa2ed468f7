import Foundation
import DICOMNetwork

/// A peer AE as `cmr query`, `cmr pull` talk to it: where it is, who this side is, the named
/// timeouts (each cut to what remains of the run's deadline), and the run's rate limit (on what
/// is received: these commands fetch).
public struct DIMSEPeer: Sendable {
    public var address: DIMSEAddress
    public var callingAETitle: String
    public var timeouts: NetworkTimeouts
    public var deadline: Deadline
    public var limiter: RateLimiter?

    public init(address: DIMSEAddress, callingAETitle: String, timeouts: NetworkTimeouts = NetworkTimeouts(),
                deadline: Deadline = .none, limiter: RateLimiter? = nil) {
        self.address = address
        self.callingAETitle = callingAETitle
        self.timeouts = timeouts
        self.deadline = deadline
        self.limiter = limiter
    }

    public var description: String { address.description }

    /// Connects and requests an association with the contexts `configure` proposes. Throws
    /// `CMRError` (`CMRError.network`): 69 unreachable, 75 timeout or deadline, 77 rejected, 76 protocol.
    public func associate(dimseTimeout: Double?? = nil, _ configure: (inout AssociationParameters) -> Void) throws(CMRError) -> Association {
        if deadline.hasPassed { throw Self.deadlinePassed }
        var t = timeouts
        t.connect = deadline.bound(t.connect) ?? t.connect
        t.association = deadline.bound(t.association) ?? t.association
        t.dimse = deadline.bound(dimseTimeout ?? t.dimse)
        var p = AssociationParameters(callingAETitle: callingAETitle, calledAETitle: address.aeTitle, timeouts: t)
        configure(&p)
        do {
            let socket = try SocketTransport.connect(host: address.host, port: address.port, timeout: t.connect)
            let transport: Transport = limiter.map { ThrottledTransport(socket, limiter: $0, throttlesReads: true, throttlesWrites: false) } ?? socket
            return try Association.request(over: transport, parameters: p)
        } catch {
            throw CMRError.network(error, peer: description)
        }
    }

    /// Runs `body` on the association `a`, then releases it; on failure aborts it and throws the
    /// error as a `CMRError` naming this peer.
    public func using<T>(_ a: Association, _ body: () throws -> T) throws(CMRError) -> T {
        do {
            let result = try body()
            try? a.release()
            return result
        } catch let error as CMRError {
            a.abort()
            throw error
        } catch {
            a.abort()
            throw CMRError.network(error, peer: description)
        }
    }

    static let deadlinePassed = CMRError(.temporaryFailure, "the run's deadline (--deadline) passed", hint: "what was not done is reported as not done; run again, or give a longer --deadline")

    /// Runs `body` (attempt 1, 2, …) until it succeeds, fails for good (not transient), the retries
    /// are used up, or the deadline passes; pauses with full jitter between attempts.
    public func retrying<T>(_ policy: RetryPolicy, _ body: (Int) throws(CMRError) -> T) throws(CMRError) -> T {
        var attempt = 1
        while true {
            do {
                return try body(attempt)
            } catch {
                guard error.isTransient, attempt <= policy.retries, !deadline.hasPassed else { throw error }
                guard deadline.sleep(policy.delay(attempt: attempt)) else { throw error }
                attempt += 1
            }
        }
    }
}
