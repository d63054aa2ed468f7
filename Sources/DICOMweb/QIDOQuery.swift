/// A QIDO-RS search (PS3.18 §10.6): the level, the scope (a study, a series), matching keys by
/// keyword or tag (`PatientID`, `00100020`, `StudyDate` with a range `20240101-20241231`),
/// fields to include, fuzzy matching, and paging with `limit`/`offset`.
public struct QIDOQuery: Sendable, Equatable {
    public enum Level: String, Sendable, Equatable {
        case studies, series, instances
    }

    public var level: Level
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var keys: [Key]
    public var includeFields: [String]
    public var fuzzyMatching: Bool
    public var limit: Int?
    public var offset: Int?

    public struct Key: Sendable, Equatable {
        public var attribute: String
        public var value: String
        public init(_ attribute: String, _ value: String) {
            self.attribute = attribute
            self.value = value
        }
    }

    public init(_ level: Level, study: String? = nil, series: String? = nil, keys: [Key] = [],
                includeFields: [String] = [], fuzzyMatching: Bool = false, limit: Int? = nil, offset: Int? = nil) {
        self.level = level
        self.studyInstanceUID = study
        self.seriesInstanceUID = series
        self.keys = keys
        self.includeFields = includeFields
        self.fuzzyMatching = fuzzyMatching
        self.limit = limit
        self.offset = offset
    }

    public var path: String {
        var p = ""
        if let s = studyInstanceUID { p = "studies/\(s)/" }
        if let r = seriesInstanceUID, studyInstanceUID != nil, level == .instances { p += "series/\(r)/" }
        return p + level.rawValue
    }

    public var queryItems: [(String, String)] {
        var q = keys.map { ($0.attribute, $0.value) }
        for f in includeFields { q.append(("includefield", f)) }
        if fuzzyMatching { q.append(("fuzzymatching", "true")) }
        if let l = limit { q.append(("limit", String(l))) }
        if let o = offset { q.append(("offset", String(o))) }
        return q
    }
}
