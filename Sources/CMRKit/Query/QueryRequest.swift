import Foundation
import DICOMCore
import DICOMDictionary

/// The Query/Retrieve level of a C-FIND (PS3.4 C.3): which entity each match is.
public enum QueryLevel: String, Sendable, CaseIterable, Codable {
    case patient, study, series, image

    /// The value of Query/Retrieve Level (0008,0052).
    public var dicomValue: String { self == .image ? "IMAGE" : rawValue.uppercased() }
}

/// The information model (PS3.4 C.6): Study Root (the default) or Patient Root.
public enum QueryModel: String, Sendable, CaseIterable, Codable {
    case study, patient

    public var findUID: String { self == .study ? UID.studyRootQueryRetrieveInformationModelFind : UID.patientRootQueryRetrieveInformationModelFind }
    public var getUID: String { self == .study ? UID.studyRootQueryRetrieveInformationModelGet : UID.patientRootQueryRetrieveInformationModelGet }
    public var moveUID: String { self == .study ? UID.studyRootQueryRetrieveInformationModelMove : UID.patientRootQueryRetrieveInformationModelMove }
}

/// One key of a query: a matching key (with a value) or a return key (no value: "send me this").
public struct QueryKey: Sendable, Equatable, CustomStringConvertible {
    public var tag: Tag
    public var value: String?

    public init(_ tag: Tag, _ value: String? = nil) {
        self.tag = tag
        self.value = value
    }

    /// The dictionary keyword of the tag, else `(GGGG,EEEE)`.
    public var name: String {
        let keyword = DataDictionary.entry(for: tag.rawValue)?.keyword ?? ""
        return keyword.isEmpty ? tag.description : keyword
    }

    public var description: String { value.map { "\(name)=\($0)" } ?? name }

    /// `-k Keyword=Value`, `-k 0010,0020=Value`, `-k (0010,0020)=Value`, or `-k Keyword` (a return key).
    public static func parse(_ text: String) throws(CMRError) -> QueryKey {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0]).trimmingCharacters(in: .whitespaces)
        guard let tag = Tag(parsing: name) else {
            throw CMRError(.usage, "-k '\(text)': '\(name)' is neither a DICOM keyword nor a tag",
                           hint: "e.g. -k PatientID=123, -k 0010,0020=123, or -k StudyDescription to ask for it")
        }
        guard let entry = DataDictionary.entry(for: tag.rawValue), entry.vr != .SQ else {
            throw CMRError(.usage, "-k '\(text)': \(tag) is not an attribute cmr can query by (unknown, or a sequence)")
        }
        return QueryKey(tag, parts.count == 2 ? String(parts[1]) : nil)
    }

    /// `--date-range`: `20260101-20260131`, `2026-01-01..2026-01-31`, one date, or an open end
    /// (`20260101-`, `..2026-01-31`), as a DICOM DA range matching value.
    public static func dateRange(_ text: String) throws(CMRError) -> String {
        let hint = "e.g. --date-range 20260101-20260131 or 2026-01-01..2026-01-31 (either end may be left open)"
        let t = text.trimmingCharacters(in: .whitespaces)
        let ends: [Substring]
        let chars = Array(t)
        if t.contains("..") {
            ends = t.components(separatedBy: "..").map { Substring($0) }
        } else if chars.count == 10 && chars[4] == "-" && chars[7] == "-" {
            ends = [Substring(t)]            // one ISO date
        } else {
            ends = t.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)   // DICOM: A-B, A-, -B, A
        }
        guard ends.count <= 2 else { throw CMRError(.usage, "--date-range '\(text)' is not a date range", hint: hint) }
        var dates: [String] = []
        for end in ends {
            let digits = end.replacingOccurrences(of: "-", with: "")
            if digits.isEmpty && ends.count == 2 { dates.append(""); continue }
            guard digits.count == 8, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                  let month = Int(digits.dropFirst(4).prefix(2)), (1...12).contains(month),
                  let day = Int(digits.suffix(2)), (1...31).contains(day) else {
                throw CMRError(.usage, "--date-range '\(text)': '\(end)' is not a date (YYYYMMDD or YYYY-MM-DD)", hint: hint)
            }
            dates.append(digits)
        }
        if dates.count == 2 && dates[0].isEmpty && dates[1].isEmpty {
            throw CMRError(.usage, "--date-range '\(text)' names no date", hint: hint)
        }
        if dates.count == 2, !dates[0].isEmpty, !dates[1].isEmpty, dates[0] > dates[1] {
            throw CMRError(.usage, "--date-range '\(text)' ends before it starts", hint: hint)
        }
        return dates.joined(separator: "-")
    }
}

/// What to ask a peer for: a level, an information model, matching keys and return keys.
public struct QueryRequest: Sendable, Equatable {
    public var level: QueryLevel
    public var model: QueryModel
    /// Matching and return keys, in the order given (later keys replace earlier ones of the same tag).
    public var keys: [QueryKey]
    /// Stop after this many matches (C-CANCEL the rest); nil: all.
    public var limit: Int?

    public init(level: QueryLevel = .study, model: QueryModel = .study, keys: [QueryKey] = [], limit: Int? = nil) {
        self.level = level
        self.model = model
        self.keys = keys
        self.limit = limit
    }

    /// The attributes shown for a level (the table's columns), each asked for as a return key.
    public static func columns(for level: QueryLevel) -> [Tag] {
        switch level {
        case .patient: [.patientID, .patientName, .patientBirthDate, .patientSex, .numberOfPatientRelatedStudies]
        case .study: [.studyDate, .patientID, .patientName, .accessionNumber, .modalitiesInStudy, .studyDescription,
                      .numberOfStudyRelatedSeries, .numberOfStudyRelatedInstances, .studyInstanceUID]
        case .series: [.seriesNumber, .modality, .seriesDescription, .numberOfSeriesRelatedInstances, .seriesInstanceUID]
        case .image: [.instanceNumber, .sopClassUID, .sopInstanceUID]
        }
    }

    /// The unique keys of the levels above `level` that a hierarchical peer needs (PS3.4 C.4.1.2.1).
    public func missingHigherKeys() -> [Tag] {
        let given = Set(keys.filter { !($0.value ?? "").isEmpty }.map(\.tag))
        var needed: [Tag] = []
        if model == .patient && level != .patient { needed.append(.patientID) }
        if level == .series || level == .image { needed.append(.studyInstanceUID) }
        if level == .image { needed.append(.seriesInstanceUID) }
        return needed.filter { !given.contains($0) }
    }

    /// The C-FIND identifier: Query/Retrieve Level, the matching keys, and empty return keys for
    /// the level's columns and for every key given without a value. Values beyond ASCII switch
    /// the identifier to UTF-8 (ISO_IR 192).
    public func identifier() throws(CMRError) -> DataSet {
        let needsUTF8 = keys.contains { !($0.value ?? "").allSatisfy(\.isASCII) }
        var ds = DataSet(characterSet: needsUTF8 ? .utf8 : .default)
        if needsUTF8 { ds.setString(.specificCharacterSet, "ISO_IR 192") }
        ds.setString(.queryRetrieveLevel, level.dicomValue)
        var columns = Self.columns(for: level)
        if level == .study || level == .series || level == .image { columns.append(.studyInstanceUID) }
        if level == .series || level == .image { columns.append(.seriesInstanceUID) }
        if model == .patient { columns.append(.patientID) }
        for tag in columns where ds[tag] == nil {
            ds.insert(DataElement(tag, DataDictionary.entry(for: tag.rawValue)?.vr ?? .UN, bytes: []))
        }
        for key in keys {
            let vr = DataDictionary.entry(for: key.tag.rawValue)?.vr ?? .UN
            guard let value = key.value, !value.isEmpty else {
                if ds[key.tag] == nil { ds.insert(DataElement(key.tag, vr, bytes: [])) }
                continue
            }
            guard ds.setString(key.tag, value, vr: vr) else {
                throw CMRError(.usage, "\(key.name) '\(value)' cannot be encoded in a query")
            }
        }
        return ds
    }

    /// The keys as the audit record's details: `{"level": "study", "PatientID": "123", …}`.
    public var details: [String: String] {
        var d = ["level": level.rawValue, "model": model.rawValue]
        for key in keys { d[key.name] = key.value ?? "" }
        return d
    }
}
