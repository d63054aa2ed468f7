import Foundation

/// `--max-rate`: a token bucket shared by every association or connection of a run, so the whole
/// run stays under the rate however many run in parallel. Bursts up to a quarter second's worth.
public final class RateLimiter: @unchecked Sendable {
    public let bytesPerSecond: Double
    private let lock = NSLock()
    private var available: Double
    private var last: UInt64

    public init(bytesPerSecond: Double) {
        self.bytesPerSecond = bytesPerSecond
        self.available = bytesPerSecond / 4
        self.last = DispatchTime.now().uptimeNanoseconds
    }

    /// Blocks until `count` bytes may go.
    public func consume(_ count: Int) {
        let wait: Double = lock.withLock {
            let now = DispatchTime.now().uptimeNanoseconds
            available = min(available + Double(now - last) / 1e9 * bytesPerSecond, bytesPerSecond / 4)
            last = now
            available -= Double(count)
            return available < 0 ? -available / bytesPerSecond : 0
        }
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }

    /// "10M", "500k", "1.5G", "250000" (bytes per second; k, M, G are powers of 1000, Ki, Mi, Gi of 1024).
    public static func parseRate(_ text: String) -> Double? {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("/s") { t.removeLast(2) }
        if t.hasSuffix("B") { t.removeLast() }
        let units: [(String, Double)] = [("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("k", 1e3), ("K", 1e3), ("M", 1e6), ("G", 1e9)]
        var factor = 1.0
        for (suffix, f) in units where t.hasSuffix(suffix) {
            t.removeLast(suffix.count)
            factor = f
            break
        }
        guard let n = Double(t), n > 0, n.isFinite else { return nil }
        return n * factor
    }
}
