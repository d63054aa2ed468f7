import DICOMCore
import DICOMCoding
import Foundation

/// What a study folder holds, as far as sharing needs: its Study Instance UID, series, and the
/// data mode the files say they are in (docs/share.md "Data mode").
public struct StudySource: Sendable, Encodable {
    public var path: String
    public var studyUID: String
    public var seriesUIDs: [String]
    public var files: Int
    /// The least protected mode of any file of the study.
    public var mode: String

    /// The data modes from least to most protected.
    static let modeOrder = ["identified", "pseudonymous", "deidentified", "anonymous"]

    /// Reads the headers of every file under `path` (recursively; files that are not DICOM are
    /// skipped) and keeps those of `studyUID`, or of the one study the folder holds.
    public static func read(_ path: String, studyUID wanted: String?) throws(CMRError) -> StudySource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CMRError(.inputMissing, "\(path): no such file or folder")
        }
        var files: [String] = []
        if isDirectory.boolValue { InputPaths.walk(path) { files.append($0) } } else { files = [path] }
        var byStudy: [String: (series: Set<String>, files: Int, mode: Int)] = [:]
        let options = ReadOptions(stopBeforeTag: .pixelData)
        for file in files {
            guard let dicom = try? DICOMReader.read(contentsOf: file, options: options),
                  let study = dicom.dataSet.string(.studyInstanceUID), !study.isEmpty else { continue }
            var entry = byStudy[study] ?? ([], 0, modeOrder.count - 1)
            if let series = dicom.dataSet.string(.seriesInstanceUID) { entry.series.insert(series) }
            entry.files += 1
            entry.mode = min(entry.mode, modeOrder.firstIndex(of: mode(of: dicom.dataSet)) ?? 0)
            byStudy[study] = entry
        }
        guard !byStudy.isEmpty else {
            throw CMRError(.invalidData, "\(path): no DICOM file with a Study Instance UID", hint: "name a folder of one study's DICOM files")
        }
        let studyUID: String
        if let wanted {
            guard byStudy[wanted] != nil else {
                throw CMRError(.invalidData, "\(path): no file of study \(wanted)",
                               hint: "it holds \(byStudy.keys.sorted().prefix(5).joined(separator: ", "))")
            }
            studyUID = wanted
        } else {
            guard byStudy.count == 1, let only = byStudy.keys.first else {
                throw CMRError(.usage, "\(path): holds \(byStudy.count) studies; a grant is for one",
                               hint: "pick one with --study UID: \(byStudy.keys.sorted().prefix(5).joined(separator: ", "))")
            }
            studyUID = only
        }
        let entry = byStudy[studyUID]!
        return StudySource(path: path, studyUID: studyUID, seriesUIDs: entry.series.sorted(), files: entry.files,
                           mode: modeOrder[entry.mode])
    }

    /// The data mode a data set declares: with Patient Identity Removed (0012,0062) `YES` and a
    /// De-identification Method (0012,0063) or Method Code Sequence (0012,0064), the mode cmr's
    /// deidentify names in the method (`cmr pseudonymous`, …), else `deidentified`; anything
    /// else is `identified`.
    public static func mode(of dataSet: DataSet) -> String {
        guard dataSet.string(.patientIdentityRemoved)?.uppercased() == "YES" else { return "identified" }
        let method = dataSet.strings(.deidentificationMethod)
        guard !method.isEmpty || !dataSet.items(.deidentificationMethodCodeSequence).isEmpty else { return "identified" }
        let words = method.first?.split(separator: " ").map(String.init) ?? []
        for mode in ["anonymous", "pseudonymous", "deidentified"] where words.contains(mode) { return mode }
        return "deidentified"
    }
}
