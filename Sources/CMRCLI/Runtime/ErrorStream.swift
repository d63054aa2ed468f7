import Foundation

/// Standard error, shared by `Diagnostics` and `ProgressReporter`: a message first clears the
/// progress line on screen, then the progress line is drawn again under it.
final class ErrorStream: @unchecked Sendable {
    private let sink: ByteSink
    private let lock = NSLock()
    private var progressLine: String?

    init(sink: ByteSink) { self.sink = sink }

    func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        if progressLine != nil { sink.write("\r\u{1B}[K") }
        sink.write(text)
        if let progressLine { sink.write(progressLine) }
    }

    /// Draws `line` in place of the current progress line; nil clears it.
    func showProgress(_ line: String?) {
        lock.lock()
        defer { lock.unlock() }
        if line == nil, progressLine == nil { return }
        sink.write("\r\u{1B}[K" + (line ?? ""))
        progressLine = line
        Interrupt.progressLineVisible = line != nil
    }
}
