import Foundation
import DICOMCore
import DICOMCoding

/// `cmr inspect`: what is inside DICOM files, as a tree, DICOM JSON, chosen values, an
/// inventory line, or a validation report.
public enum Inspector {
    public enum Mode: Sendable, Equatable {
        case tree
        case json
        case tags([Tag])
        case summary
        case validate
    }

    public struct Options: Sendable {
        public var mode: Mode = .tree
        public var maximumValueLength = 64
        /// JSON: binary values longer than this become BulkDataURI (file URI + offset); 0 inlines all.
        public var bulkDataThreshold = 1024
        public var charsetFallback: SpecificCharacterSet?
        /// Worker threads; 0 means one per core.
        public var jobs = 0

        public init() {}
    }

    /// What inspecting one file gave.
    public enum Outcome: Sendable {
        case inspected(Report)
        /// Found in a folder and not DICOM: noted, not a failure.
        case skipped(path: String, reason: String)
        case failed(path: String, error: CMRError)
    }

    public struct Report: Sendable {
        public var path: String
        /// Tree text, JSON document, or tab-separated tag values, per the mode (no final newline).
        public var text: String
        public var summary: FileSummary?
        /// With `.tags`: each requested tag's values, in the order asked (empty when absent).
        public var tagValues: [[String]] = []
        /// Problems of `--validate` (and read issues in every mode).
        public var problems: [Problem]
        /// The reader had to stop early: the output shows only what could be read.
        public var incomplete: Bool
        /// The file's identifiers, for the audit record.
        public var identity = Identity()
    }

    /// Who and what a file is about, for the audit record (the patient ID is hashed there).
    public struct Identity: Sendable, Equatable {
        public var patientID: String?
        public var studyUID: String?
        public var seriesUID: String?
        public var instanceUID: String?
        public var sopClassUID: String?

        public init() {}

        init(_ file: DICOMFile) {
            let ds = file.dataSet
            patientID = ds.string(.patientID)
            studyUID = ds.string(.studyInstanceUID)
            seriesUID = ds.string(.seriesInstanceUID)
            instanceUID = ds.string(.sopInstanceUID) ?? file.meta.string(.mediaStorageSOPInstanceUID)
            sopClassUID = ds.string(.sopClassUID) ?? file.meta.string(.mediaStorageSOPClassUID)
        }
    }

    public struct Problem: Sendable, Encodable {
        public var severity: String
        public var code: String
        public var path: String
        public var message: String
    }

    /// Inspects `entries`, calling `deliver` for each in input order, working on `jobs` threads.
    public static func run(_ entries: [InputPaths.Entry], options: Options, deliver: (Outcome) -> Void) {
        let jobs = options.jobs > 0 ? options.jobs : ProcessInfo.processInfo.activeProcessorCount
        if jobs <= 1 || entries.count <= 1 {
            for e in entries { deliver(inspect(e, options: options)) }
            return
        }
        let batch = max(jobs * 8, 32)
        var start = 0
        while start < entries.count {
            let end = min(start + batch, entries.count)
            let slice = Array(entries[start..<end])
            let results = ResultBox<Outcome>(count: slice.count)
            DispatchQueue.concurrentPerform(iterations: slice.count) { i in
                results.set(i, inspect(slice[i], options: options))
            }
            for r in results.values { deliver(r!) }
            start = end
        }
    }

    /// Inspects one file.
    public static func inspect(_ entry: InputPaths.Entry, options: Options) -> Outcome {
        var readOptions = ReadOptions()
        if options.mode == .summary { readOptions.stopBeforeTag = .pixelData }
        let file: DICOMFile
        do {
            file = try DICOMReader.read(contentsOf: entry.path, options: readOptions)
        } catch let e as DICOMReadError where !entry.named {
            if case .notDICOM = e { return .skipped(path: entry.path, reason: "not DICOM") }
            if case .empty = e { return .skipped(path: entry.path, reason: "empty file") }
            return .failed(path: entry.path, error: .reading(entry.path, e))
        } catch {
            return .failed(path: entry.path, error: .reading(entry.path, error))
        }
        var f = file
        if let fallback = options.charsetFallback {
            f.dataSet = f.dataSet.assumingCharacterSet(fallback)
        }
        var problems = f.issues.map {
            Problem(severity: $0.severity.rawValue, code: "read", path: $0.tag?.description ?? "", message: $0.description)
        }
        let text: String
        var summary: FileSummary? = nil
        var tagValues: [[String]] = []
        switch options.mode {
        case .tree:
            text = DumpFormatter(maximumValueLength: options.maximumValueLength).format(f)
        case .summary:
            let s = FileSummary(path: entry.path, file: f)
            summary = s
            text = s.tabSeparated
        case .tags(let tags):
            tagValues = tags.map { tag -> [String] in
                let ds = tag.isMeta ? f.meta : f.dataSet
                guard let e = ds[tag] else { return [] }
                return ds.strings(of: e)
            }
            text = tagValues.map { $0.joined(separator: "\\") }.joined(separator: "\t")
        case .json:
            text = jsonText(f, path: entry.path, options: options)
        case .validate:
            let found = validationProblems(f)
            problems += found
            text = ""
        }
        return .inspected(Report(path: entry.path, text: text, summary: summary, tagValues: tagValues,
                                 problems: problems, incomplete: f.isIncomplete, identity: Identity(f)))
    }
}

