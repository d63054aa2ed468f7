import Foundation

/// Messages for people, on standard error: `cmr inspect: error: MESSAGE` and `hint: HINT`.
///
/// Coloured only when standard error is a terminal, `NO_COLOR` is unset or empty, `TERM` is
/// not `dumb`, and `--no-color` was not given. Warnings and notes are dropped with `--quiet`;
/// `verbose` messages are printed only with `--verbose`. With `--log-format json` (the transfer
/// commands, for log collectors) each message is one JSON line instead:
/// `{"command":"send","hint":"…","level":"error","message":"…","time":"2026-11-29T11:52:01.120Z"}`.
/// Safe to call from any thread.
public final class Diagnostics: Sendable {
    public enum Verbosity: Sendable {
        case quiet, normal, verbose
    }

    /// `cmr inspect`.
    public let commandName: String
    public let verbosity: Verbosity
    public let usesColor: Bool
    /// One JSON object per message (`--log-format json`).
    public let jsonLines: Bool
    private let stream: ErrorStream

    init(commandName: String, stream: ErrorStream, verbosity: Verbosity, usesColor: Bool, jsonLines: Bool = false) {
        self.commandName = commandName
        self.stream = stream
        self.verbosity = verbosity
        self.usesColor = usesColor && !jsonLines
        self.jsonLines = jsonLines
    }

    public func error(_ message: String, hint: String? = nil) {
        emit("error", color: "1;31", message, hint: hint)
    }

    public func warning(_ message: String, hint: String? = nil) {
        guard verbosity != .quiet else { return }
        emit("warning", color: "1;33", message, hint: hint)
    }

    public func note(_ message: String, hint: String? = nil) {
        guard verbosity != .quiet else { return }
        emit("note", color: "1;36", message, hint: hint)
    }

    /// A step-by-step message, shown only with `--verbose`.
    public func verbose(_ message: String) {
        guard verbosity == .verbose else { return }
        emit("note", color: "1;36", message, hint: nil)
    }

    private func emit(_ severity: String, color: String, _ message: String, hint: String?) {
        if jsonLines {
            var fields = ["command": commandName, "level": severity, "message": message,
                          "time": Self.timestamp()]
            if let hint { fields["hint"] = hint }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            stream.write(((try? encoder.encode(fields)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n")
            return
        }
        var text = "\(commandName): " + paint(severity + ":", color) + " " + message + "\n"
        if let hint { text += paint("hint:", "1") + " " + hint + "\n" }
        stream.write(text)
    }

    private func paint(_ text: String, _ code: String) -> String {
        usesColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }

    /// Whether colour suits standard error given the terminal, the environment and the flag.
    static func colorAllowed(terminal: Terminal, environment: [String: String], noColorFlag: Bool) -> Bool {
        guard terminal.standardErrorIsTTY, !noColorFlag else { return false }
        if let value = environment["NO_COLOR"], !value.isEmpty { return false }
        return environment["TERM"] != "dumb"
    }
}
