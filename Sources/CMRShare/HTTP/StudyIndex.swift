import Foundation
import DICOMCore
import DICOMCoding

/// The studies under a folder, as study → series → instances, read once at start: for each DICOM
/// file the identifiers, numbers and frame count (its header up to Pixel Data, nothing more), so
/// requests find a file by UID without touching the disk. Series are sorted by Series Number,
/// instances by Instance Number (then by UID, for a stable order).
public struct StudyIndex: Sendable {
    public struct Instance: Sendable, Equatable, Codable {
        public var uid: String
        public var sopClassUID: String
        public var number: Int?
        public var frames: Int
        public var rows: Int
        public var columns: Int
        public var path: String
    }

    public struct Series: Sendable, Equatable, Codable {
        public var uid: String
        public var number: Int?
        public var modality: String?
        public var description: String?
        public var instances: [Instance]
    }

    public struct Study: Sendable, Equatable, Codable {
        public var uid: String
        public var description: String?
        /// Study Date as written (DA, YYYYMMDD).
        public var date: String?
        public var series: [Series]
    }

    /// A file found and where it sits in the index.
    public struct Location: Sendable, Equatable {
        public var study: String
        public var series: String
        public var instance: Instance
    }

    public private(set) var studies: [String: Study] = [:]
    /// Files under the root that are not DICOM, have no study, series or instance UID, or repeat
    /// an instance UID found before.
    public private(set) var skipped: [String] = []
    private var byInstance: [String: Location] = [:]
    private var seriesStudy: [String: String] = [:]

    /// An index of these studies (sorted as `scan` sorts them).
    public init(studies: [Study], skipped: [String] = []) {
        for var study in studies {
            study.series.sort { Self.order($0.number, $0.uid, $1.number, $1.uid) }
            for i in study.series.indices {
                study.series[i].instances.sort { Self.order($0.number, $0.uid, $1.number, $1.uid) }
                for inst in study.series[i].instances {
                    byInstance[inst.uid] = Location(study: study.uid, series: study.series[i].uid, instance: inst)
                }
                seriesStudy[study.series[i].uid] = study.uid
            }
            self.studies[study.uid] = study
        }
        self.skipped = skipped
    }


    public func study(_ uid: String) -> Study? { studies[uid] }

    public func series(_ uid: String) -> Series? {
        seriesStudy[uid].flatMap { studies[$0] }?.series.first { $0.uid == uid }
    }

    /// The study a series belongs to.
    public func studyUID(ofSeries uid: String) -> String? { seriesStudy[uid] }

    public func instance(_ uid: String) -> Location? { byInstance[uid] }

    public var instanceCount: Int { byInstance.count }

    /// Reads every regular file under `root` (recursively, hidden files and folders skipped) on all
    /// cores. Throws when `root` is not a readable folder.
    public static func scan(root: String) throws(HTTPServerError) -> StudyIndex {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw HTTPServerError("\(root): not a folder")
        }
        guard let walker = FileManager.default.enumerator(atPath: root) else { throw HTTPServerError("\(root): cannot be read") }
        var paths: [String] = []
        let base = root.hasSuffix("/") ? root : root + "/"
        while let relative = walker.nextObject() as? String {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            if let type = walker.fileAttributes?[.type] as? FileAttributeType, type != .typeRegular { continue }
            paths.append(base + relative)
        }
        let files = paths.sorted()
        let found = ScanResults(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { i in found.set(i, Self.read(files[i])) }
        var studies: [String: Study] = [:]
        var skipped: [String] = []
        var seen: Set<String> = []
        for (i, entry) in found.values.enumerated() {
            // A second file of the same SOP Instance UID is not served (the first by path is).
            guard let (header, instance) = entry, seen.insert(instance.uid).inserted else { skipped.append(files[i]); continue }
            var study = studies[header.study] ?? Study(uid: header.study, description: header.studyDescription, date: header.studyDate, series: [])
            if let s = study.series.firstIndex(where: { $0.uid == header.series }) {
                study.series[s].instances.append(instance)
            } else {
                study.series.append(Series(uid: header.series, number: header.seriesNumber, modality: header.modality,
                                           description: header.seriesDescription, instances: [instance]))
            }
            studies[header.study] = study
        }
        return StudyIndex(studies: Array(studies.values), skipped: skipped)
    }

    struct Header: Sendable {
        var study: String
        var series: String
        var studyDescription: String?
        var studyDate: String?
        var seriesNumber: Int?
        var modality: String?
        var seriesDescription: String?
    }

    /// The header of one file up to Pixel Data; nil when it is not DICOM or lacks a UID.
    static func read(_ path: String) -> (Header, Instance)? {
        guard let file = try? DICOMReader.read(contentsOf: path, options: ReadOptions(stopBeforeTag: .pixelData)) else { return nil }
        let ds = file.dataSet
        func text(_ tag: Tag) -> String? {
            guard let s = ds.string(tag)?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
            return s
        }
        guard let study = text(.studyInstanceUID), let series = text(.seriesInstanceUID), let sop = text(.sopInstanceUID) else { return nil }
        let header = Header(study: study, series: series, studyDescription: text(.studyDescription), studyDate: text(.studyDate),
                            seriesNumber: ds.int(.seriesNumber), modality: text(.modality), seriesDescription: text(.seriesDescription))
        let instance = Instance(uid: sop, sopClassUID: text(.sopClassUID) ?? "", number: ds.int(.instanceNumber),
                                frames: max(1, ds.int(.numberOfFrames) ?? 1), rows: ds.int(.rows) ?? 0, columns: ds.int(.columns) ?? 0,
                                path: path)
        return (header, instance)
    }

    /// Numbered before unnumbered, then by number, then by UID.
    static func order(_ n1: Int?, _ u1: String, _ n2: Int?, _ u2: String) -> Bool {
        switch (n1, n2) {
        case let (a?, b?) where a != b: return a < b
        case (.some, nil): return true
        case (nil, .some): return false
        default: return u1 < u2
        }
    }

    final class ScanResults: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [(Header, Instance)?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ v: (Header, Instance)?) { lock.withLock { values[i] = v } }
    }
}
