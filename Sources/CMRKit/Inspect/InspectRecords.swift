import Foundation
import DICOMCore

/// The JSON Lines records of `cmr inspect --json` with `--summary`, `--tag` or `--validate`
/// (docs/json-output.md): one object per file, with cmr's version keys.
public enum InspectRecords {
    public static let schemaVersion = 1

    struct Summary: Encodable {
        let cmrVersion: String
        let schemaVersion: Int
        let summary: FileSummary

        func encode(to encoder: Encoder) throws {
            try summary.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(cmrVersion, forKey: .cmrVersion)
            try c.encode(schemaVersion, forKey: .schemaVersion)
        }
    }

    struct Values: Encodable {
        let cmrVersion: String
        let schemaVersion: Int
        let path: String
        /// Keyed by the attribute's keyword, or GGGGEEEE for tags without one.
        let values: [String: [String]]
    }

    struct Validation: Encodable {
        let cmrVersion: String
        let schemaVersion: Int
        let path: String
        let valid: Bool
        let problems: [Inspector.Problem]
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        static let cmrVersion = Key(stringValue: "cmrVersion")
        static let schemaVersion = Key(stringValue: "schemaVersion")
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// The record of `report` for `mode`, as one line of compact JSON (no newline).
    public static func line(_ report: Inspector.Report, mode: Inspector.Mode, version: String) throws -> String {
        let data: Data
        switch mode {
        case .summary:
            guard let s = report.summary else { return "{}" }
            data = try encoder.encode(Summary(cmrVersion: version, schemaVersion: schemaVersion, summary: s))
        case .tags(let tags):
            var values: [String: [String]] = [:]
            for (tag, v) in zip(tags, report.tagValues) {
                let key = DataDictionary.entry(for: tag.rawValue).map(\.keyword).flatMap { $0.isEmpty ? nil : $0 } ?? tag.jsonKey
                values[key] = v
            }
            data = try encoder.encode(Values(cmrVersion: version, schemaVersion: schemaVersion, path: report.path, values: values))
        case .validate:
            let problems = report.problems
            data = try encoder.encode(Validation(cmrVersion: version, schemaVersion: schemaVersion, path: report.path,
                                                 valid: problems.isEmpty, problems: problems))
        case .tree, .json:
            return report.text
        }
        return String(decoding: data, as: UTF8.self)
    }
}
