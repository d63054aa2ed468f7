import DICOMNetwork

/// A transport whose writes wait for the run's `RateLimiter` (`--max-rate`). Large writes are
/// paced in 64 KiB steps so a big fragment does not burst at line speed. A receiving run
/// (`cmr pull`) sets `throttlesReads` and clears `throttlesWrites`: the rate then holds what comes in.
public final class ThrottledTransport: Transport {
    public let inner: Transport
    public let limiter: RateLimiter

    public let throttlesReads: Bool
    public let throttlesWrites: Bool

    public init(_ inner: Transport, limiter: RateLimiter, throttlesReads: Bool = false, throttlesWrites: Bool = true) {
        self.inner = inner
        self.limiter = limiter
        self.throttlesReads = throttlesReads
        self.throttlesWrites = throttlesWrites
    }

    public func write(_ parts: [UnsafeRawBufferPointer]) throws {
        var total = throttlesWrites ? parts.reduce(0) { $0 + $1.count } : 0
        while total > 0 {
            let step = min(total, 1 << 16)
            limiter.consume(step)
            total -= step
        }
        try inner.write(parts)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Double?) throws -> Int {
        let n = try inner.read(into: buffer, timeout: timeout)
        if throttlesReads && n > 0 { limiter.consume(n) }
        return n
    }

    public func close() { inner.close() }
    public var peerDescription: String { inner.peerDescription }
}
