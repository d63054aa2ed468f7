import Foundation
import DICOMCoding

/// The JSON Lines of `--report` and `--json`: one object per file, then `{"summary": …}`.
public enum DeidentifyReportWriter {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    public static func line(_ report: DeidentifyFileReport) -> String? {
        (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) }
    }

    public static func summaryLine(_ summary: DeidentifySummary) -> String? {
        (try? encoder.encode(["summary": summary])).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes the report atomically (never over an existing file unless `overwrite`).
    public static func write(_ reports: [DeidentifyFileReport], summary: DeidentifySummary, to path: String, overwrite: Bool) throws(CMRError) {
        var text = ""
        for r in reports { if let l = line(r) { text += l + "\n" } }
        if let l = summaryLine(summary) { text += l + "\n" }
        do {
            try AtomicFileWriter.write(to: path, overwrite: overwrite) { w in try w.write(Array(text.utf8)) }
        } catch {
            throw CMRError.writing(path, error)
        }
    }
}

extension DeidentifyFileReport {
    /// The re-identification table entry for this file's patient (pseudonymous mode).
    public func reidentificationEntry(key: String) -> ReidentificationTable.Entry? {
        guard status == .written || status == .exists, let patient, let pseudonym else { return nil }
        return ReidentificationTable.Entry(
            pseudonym: pseudonym, key: key,
            patientID: patient.patientID.isEmpty ? nil : patient.patientID,
            issuer: patient.issuer.isEmpty ? nil : patient.issuer,
            studyUID: patient.fallbackStudyUID, dateShiftDays: dateShiftDays)
    }
}
