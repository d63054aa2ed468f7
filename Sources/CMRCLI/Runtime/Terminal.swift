#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the standard streams are connected to.
public struct Terminal: Sendable, Equatable {
    public var standardInputIsTTY: Bool
    public var standardOutputIsTTY: Bool
    public var standardErrorIsTTY: Bool
    /// Standard output is a pipe or FIFO: it is then flushed at every line, so the next stage of
    /// a pipeline starts on each path as soon as it is written.
    public var standardOutputIsPipe: Bool
    /// Columns of the terminal on standard output (else standard error), from the kernel or
    /// `COLUMNS`; nil when neither is a terminal.
    public var width: Int?

    public init(standardInputIsTTY: Bool = false, standardOutputIsTTY: Bool = false, standardErrorIsTTY: Bool = false,
                standardOutputIsPipe: Bool = false, width: Int? = nil) {
        self.standardInputIsTTY = standardInputIsTTY
        self.standardOutputIsTTY = standardOutputIsTTY
        self.standardErrorIsTTY = standardErrorIsTTY
        self.standardOutputIsPipe = standardOutputIsPipe
        self.width = width
    }

    /// No terminal anywhere: what tests and pipelines see.
    public static let none = Terminal()

    /// The process's streams as they are now.
    public static func detect(environment: [String: String]) -> Terminal {
        var terminal = Terminal(
            standardInputIsTTY: isatty(0) == 1,
            standardOutputIsTTY: isatty(1) == 1,
            standardErrorIsTTY: isatty(2) == 1
        )
        var status = stat()
        if fstat(1, &status) == 0 { terminal.standardOutputIsPipe = (status.st_mode & S_IFMT) == S_IFIFO }
        if terminal.standardOutputIsTTY || terminal.standardErrorIsTTY {
            terminal.width = columns(of: terminal.standardOutputIsTTY ? 1 : 2)
                ?? environment["COLUMNS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        }
        return terminal
    }

    private static func columns(of descriptor: Int32) -> Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Columns for help text: the terminal's (40 to 100) on a terminal, else 80.
    var helpWidth: Int {
        guard standardOutputIsTTY, let width else { return 80 }
        return min(max(width, 40), 100)
    }
}
