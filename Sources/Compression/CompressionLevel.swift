/// How hard ``Deflater`` looks for repeated strings: 0 stores, 1 is fastest, 9 compresses most.
///
/// The levels follow zlib's table of match-search parameters, so sizes and speeds are comparable
/// with `zlib.compress(data, level)`.
public struct CompressionLevel: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The level, 0 through 9.
    public let rawValue: Int

    /// A level; values outside 0...9 are clamped into that range.
    public init(_ level: Int) {
        rawValue = min(max(level, 0), 9)
    }

    /// Level 0: stored blocks only, no compression.
    public static let store = CompressionLevel(0)
    /// Level 1: greedy matching with short hash chains.
    public static let fastest = CompressionLevel(1)
    /// Level 6: lazy matching, zlib's default balance.
    public static let `default` = CompressionLevel(6)
    /// Level 9: lazy matching with long hash chains.
    public static let best = CompressionLevel(9)

    public static func < (lhs: CompressionLevel, rhs: CompressionLevel) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { "level \(rawValue)" }
}
