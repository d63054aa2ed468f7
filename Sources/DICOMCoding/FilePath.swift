/// The folder and name parts of a path, on bytes. Foundation's `NSString.deletingLastPathComponent`
/// crashes on Linux for a path without a slash (swift-corelibs-foundation 6.3), so cmr does not use it.
public enum FilePath {
    /// "a/b/c" → "a/b"; "c" → ""; "/c" → "/"; trailing slashes are ignored ("a/b/" → "a").
    public static func directory(of path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        return trimmingTrailingSlashes(String(trimmed[..<slash]))
    }

    /// "a/b/c" → "c"; "c" → "c"; "/" → "/"; trailing slashes are ignored ("a/b/" → "b").
    public static func name(of path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        if trimmed == "/" { return "/" }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    static func trimmingTrailingSlashes(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }
}
