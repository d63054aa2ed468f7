import Foundation
import CMRKit
import DICOMNetwork

/// The options `send`, `pull`, `query`, `echo` and `listen` share: this side's AE title, the named
/// timeouts, retries and the run's deadline (docs/transfer.md).
extension OptionSpec {
    static let aeTitle = OptionSpec.value("ae-title", valueName: "AE",
                                          help: "This side's AE title (the calling AE title; default $CMR_AE_TITLE, else CMR).")

    static let timeoutOptions: [OptionSpec] = [
        .value("connect-timeout", valueName: "SECONDS", help: "Wait this long for a TCP connection (default 10)."),
        .value("association-timeout", valueName: "SECONDS", help: "Wait this long for the peer to accept or release an association (default 30)."),
        .value("dimse-timeout", valueName: "SECONDS", help: "Wait this long for each DIMSE response or PDU from the peer (default 60; 0: forever)."),
    ]

    static let retryOptions: [OptionSpec] = [
        .value("retries", valueName: "N", help: "Retries of a failed association or transient failure, with exponential backoff and jitter (default 3).",
               type: .integer(minimum: 0)),
        .value("deadline", valueName: "DURATION", help: "End the whole run after DURATION (90s, 15m, 2h): what is not done by then is reported as not done."),
    ]
}

extension Invocation {
    /// The calling AE title: `--ae-title`, else `$CMR_AE_TITLE`, else CMR.
    func callingAETitle() throws(CMRError) -> String {
        let title = value("ae-title") ?? environment["CMR_AE_TITLE"].flatMap { $0.isEmpty ? nil : $0 } ?? "CMR"
        try DIMSEAddress.validateAETitle(title, what: value("ae-title") != nil ? "--ae-title" : "CMR_AE_TITLE")
        return title
    }

    /// The timeouts of `timeoutOptions`.
    func networkTimeouts() throws(CMRError) -> NetworkTimeouts {
        var t = NetworkTimeouts()
        if let s = try seconds("connect-timeout") { t.connect = s }
        if let s = try seconds("association-timeout") { t.association = s }
        if let s = try seconds("dimse-timeout") { t.dimse = s == 0 ? nil : s }
        return t
    }

    /// `--retries` and `--deadline`.
    func retryPolicy() -> RetryPolicy {
        var policy = RetryPolicy()
        if let n = integer("retries") { policy.retries = n }
        if let base = environment["CMR_RETRY_BASE_SECONDS"].flatMap(Double.init), base >= 0 { policy.base = base }
        return policy
    }

    func deadline() throws(CMRError) -> Deadline {
        Deadline(seconds: try seconds("deadline"))
    }

    /// A number of seconds or a duration with a unit (500ms, 90s, 15m, 2h, 1d).
    func seconds(_ name: String) throws(CMRError) -> Double? {
        guard let text = value(name) else { return nil }
        guard let s = Self.parseDuration(text), s >= 0 else {
            throw CMRError(.usage, "--\(name) '\(text)' is not a duration", hint: "seconds, or a number with ms, s, m, h or d: 30, 90s, 15m, 2h")
        }
        return s
    }

    static func parseDuration(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        for (suffix, factor) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0), ("d", 86400.0)] where t.hasSuffix(suffix) {
            return Double(t.dropLast(suffix.count)).map { $0 * factor }.flatMap { $0.isFinite ? $0 : nil }
        }
        return Double(t).flatMap { $0.isFinite ? $0 : nil }
    }
}

/// The options of the DICOMweb forms of `send`, `pull` and `query` (docs/transfer.md).
extension OptionSpec {
    static let webOptions: [OptionSpec] = [
        .value("token-file", valueName: "FILE", help: "DICOMweb: a bearer token, the first line of FILE (mode 0600). Else $CMR_TOKEN.", completion: .file),
        .value("token-command", valueName: "CMD", help: "DICOMweb: a command whose output is a bearer token, run again when the server answers 401."),
        .value("user-file", valueName: "FILE", help: "DICOMweb: HTTP basic credentials, user:password on the first line of FILE (mode 0600).", completion: .file),
        .flag("allow-insecure", help: "DICOMweb: allow plain http:// to a host that is not loopback (data and credentials unencrypted)."),
    ]
}

extension Invocation {
    /// Where the DICOMweb credentials come from (`webOptions`, else $CMR_TOKEN).
    func webCredentialSource() throws(CMRError) -> WebCredentialSource {
        try WebCredentialSource(tokenFile: value("token-file"), tokenCommand: value("token-command"), userFile: value("user-file"),
                                environment: environment)
    }
}

extension OptionSpec {
    /// `--log-format text|json`: diagnostics as JSON lines on standard error, for log collectors
    /// (read by `CMRCLI.run` when it makes the command's `Diagnostics`).
    static let logFormat = OptionSpec.value("log-format", valueName: "FORMAT",
                                            help: "Diagnostics on standard error as text (default) or json (one JSON object per line).",
                                            completion: .choices(["text", "json"]), default: "text")
}
