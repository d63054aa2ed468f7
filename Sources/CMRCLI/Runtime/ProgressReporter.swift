#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A progress line on standard error, drawn only when it is a terminal (and not with `--quiet`);
/// otherwise every call does nothing. Safe to call from any thread; redraws at most ten times a
/// second. Call `finish()` when done: it clears the line.
public final class ProgressReporter: @unchecked Sendable {
    private let stream: ErrorStream?
    private let label: String
    private let width: Int
    private let lock = NSLock()
    private var total: Int?
    private var completed = 0
    private var lastDraw: UInt64 = 0
    private var finished = false

    init(label: String, total: Int?, stream: ErrorStream?, width: Int) {
        self.label = label
        self.total = total
        self.stream = stream
        self.width = max(width, 20)
    }

    /// A reporter that draws nothing.
    public static func silent() -> ProgressReporter {
        ProgressReporter(label: "", total: nil, stream: nil, width: 80)
    }

    /// Whether anything is drawn.
    public var isVisible: Bool { stream != nil }

    public func advance(by count: Int = 1) {
        guard stream != nil else { return }
        lock.lock()
        defer { lock.unlock() }
        completed += count
        drawLocked(force: false)
    }

    /// Sets the number of steps once known (nil: unknown, shows a count only).
    public func setTotal(_ total: Int?) {
        guard stream != nil else { return }
        lock.lock()
        defer { lock.unlock() }
        self.total = total
        drawLocked(force: true)
    }

    /// One more of `total` done: the shape of the operations' progress closures (`progress: reporter.step`).
    public func step(done: Int, total: Int) {
        setTotal(total)
        advance()
    }

    /// Clears the progress line.
    public func finish() {
        guard let stream else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        stream.showProgress(nil)
    }

    private func drawLocked(force: Bool) {
        guard let stream, !finished else { return }
        let now = Self.monotonicNanoseconds()
        guard force || now - lastDraw >= 100_000_000 else { return }
        lastDraw = now
        stream.showProgress(Self.line(label: label, completed: completed, total: total, width: width))
    }

    /// `inspect [##########          ] 260/520  50%`, fitting in `width - 1` columns.
    static func line(label: String, completed: Int, total: Int?, width: Int) -> String {
        guard let total, total > 0 else { return String("\(label) \(completed)".prefix(width - 1)) }
        let done = min(completed, total)
        let percent = done * 100 / total
        let counts = " \(done)/\(total) \(String(repeating: " ", count: percent < 10 ? 2 : percent < 100 ? 1 : 0))\(percent)%"
        let barWidth = max(width - 1 - label.count - counts.count - 3, 0)
        guard barWidth >= 10 else { return String("\(label)\(counts)".prefix(width - 1)) }
        let filled = barWidth * done / total
        return "\(label) [" + String(repeating: "#", count: filled) + String(repeating: " ", count: barWidth - filled) + "]" + counts
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
