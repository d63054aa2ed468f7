#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C: cmr ends at once with status 130 (128 + SIGINT), first ending a progress line on
/// screen so the shell prompt starts on a fresh line. Outputs are written to hidden temporary
/// files and linked into place only when complete (CMRKit's atomic writes), so an interrupted
/// run leaves no partial file under a final name.
enum Interrupt {
    /// Read by the signal handler: whether a progress line is on screen.
    nonisolated(unsafe) static var progressLineVisible = false

    /// Installs the handler, unless SIGINT is ignored (`nohup`, a background job of a script):
    /// then it stays ignored.
    static func install() {
        let previous = signal(SIGINT) { _ in
            if Interrupt.progressLineVisible {
                var newline: UInt8 = 0x0A
                _ = write(2, &newline, 1)
            }
            _exit(130)
        }
        if let previous, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
            signal(SIGINT, SIG_IGN)
        }
    }
}
