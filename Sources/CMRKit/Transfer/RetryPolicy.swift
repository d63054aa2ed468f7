import Foundation

/// When to try again: exponential backoff with full jitter (delay drawn uniformly from
/// 0 … min(cap, base·2^attempt)), bounded by a number of retries and by the run's deadline.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt (0: never retry).
    public var retries: Int
    public var base: Double
    public var cap: Double

    public init(retries: Int = 3, base: Double = 1, cap: Double = 60) {
        self.retries = retries
        self.base = base
        self.cap = cap
    }

    /// The pause before retry number `attempt` (1 for the first retry); `suggested` (a peer's
    /// Retry-After) is honoured up to the cap.
    public func delay(attempt: Int, suggested: Double? = nil, random: Double = Double.random(in: 0..<1)) -> Double {
        if let suggested, suggested >= 0 { return min(suggested, cap) }
        let ceiling = min(cap, base * pow(2, Double(max(attempt - 1, 0))))
        return ceiling * random
    }
}

/// The end of a whole run (`--deadline`): every wait and every retry is cut to what remains.
public struct Deadline: Sendable, Equatable {
    public let end: Date?

    public init(seconds: Double?) { end = seconds.map { Date().addingTimeInterval($0) } }

    public static let none = Deadline(seconds: nil)

    /// Seconds left (nil: no deadline).
    public var remaining: Double? { end.map { max($0.timeIntervalSinceNow, 0) } }
    public var hasPassed: Bool { end.map { Date() >= $0 } ?? false }

    /// `timeout` cut to what remains of the run.
    public func bound(_ timeout: Double?) -> Double? {
        guard let remaining else { return timeout }
        guard let timeout else { return remaining }
        return min(timeout, remaining)
    }

    /// Sleeps `seconds`, or until the deadline; false when the deadline came first.
    public func sleep(_ seconds: Double) -> Bool {
        let wait = bound(seconds) ?? seconds
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        return !hasPassed
    }
}
