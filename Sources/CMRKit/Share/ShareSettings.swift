import Foundation

/// Where a site's share state lives and the policy it is issued under, from options and the
/// environment (docs/share.md "Configuration").
public struct ShareSettings: Sendable {
    /// The share state folder: `--share-dir`, else `CMR_SHARE_DIR`, else
    /// `$XDG_STATE_HOME/cmr/share`, else `~/.local/state/cmr/share`.
    public var directory: String
    /// The longest validity a grant may have: `CMR_SHARE_MAX_EXPIRY` (a duration), default 30 days.
    public var maxExpiry: TimeInterval

    public static let defaultMaxExpiry: TimeInterval = 30 * 86_400

    public init(directory: String, maxExpiry: TimeInterval = ShareSettings.defaultMaxExpiry) {
        self.directory = directory
        self.maxExpiry = maxExpiry
    }

    public static func resolve(shareDir: String?, environment: [String: String]) throws(CMRError) -> ShareSettings {
        guard let directory = directory(option: shareDir, environment: environment) else {
            throw CMRError(.configuration, "no share folder: neither --share-dir, CMR_SHARE_DIR, XDG_STATE_HOME nor HOME is set",
                           hint: "set CMR_SHARE_DIR=/path/to/share or pass --share-dir DIR")
        }
        var settings = ShareSettings(directory: directory)
        if let text = environment["CMR_SHARE_MAX_EXPIRY"], !text.isEmpty {
            guard let cap = parseDuration(text) else {
                throw CMRError(.configuration, "CMR_SHARE_MAX_EXPIRY must be a duration such as 30d or 72h, not '\(text)'")
            }
            settings.maxExpiry = cap
        }
        return settings
    }

    static func directory(option: String?, environment: [String: String]) -> String? {
        if let option, !option.isEmpty { return option }
        if let dir = environment["CMR_SHARE_DIR"], !dir.isEmpty { return dir }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/cmr/share" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.local/state/cmr/share" }
        return nil
    }

    /// Seconds in a duration: a positive whole number and a unit, `s`, `m`, `h`, `d` or `w`
    /// (`90s`, `30m`, `72h`, `7d`, `2w`); nil otherwise.
    public static func parseDuration(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let number = Int(text.dropLast()), number > 0, number < 1_000_000 else { return nil }
        let seconds: Int
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        case "w": seconds = 7 * 86_400
        default: return nil
        }
        return TimeInterval(number * seconds)
    }

    /// A duration as the shortest exact text (`30d`, `72h`).
    public static func formatDuration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds)
        for (unit, size) in [("w", 7 * 86_400), ("d", 86_400), ("h", 3600), ("m", 60)] where s % size == 0 {
            return "\(s / size)\(unit)"
        }
        return "\(s)s"
    }

    /// The link base from `--gateway` or `CMR_SHARE_GATEWAY`: `https://HOST[:PORT][/PATH]`
    /// (a bare host gains `https://`; `http://` is kept for a test set-up without TLS).
    public static func gateway(option: String?, environment: [String: String]) throws(CMRError) -> String {
        guard let raw = option ?? environment["CMR_SHARE_GATEWAY"], !raw.isEmpty else {
            throw CMRError(.configuration, "no share gateway: the link needs the address recipients open",
                           hint: "pass --gateway share.example.org or set CMR_SHARE_GATEWAY (the host of the reverse proxy in front of 'cmr share serve')")
        }
        var base = raw
        if !base.hasPrefix("https://") && !base.hasPrefix("http://") { base = "https://" + base }
        while base.hasSuffix("/") { base.removeLast() }
        let host = base.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first ?? ""
        guard !host.isEmpty, !base.contains("#"), !base.contains("?"), !base.contains(where: \.isWhitespace) else {
            throw CMRError(.configuration, "share gateway '\(raw)' is not a host or an https URL", hint: "for example: --gateway share.example.org")
        }
        return base
    }
}
