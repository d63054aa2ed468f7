import Foundation
import DICOMCore
import DICOMDictionary
import DICOMweb

/// QIDO-RS against a DICOMweb service root, the same `QueryRequest` as C-FIND:
/// - each key with a value is a matching parameter `Keyword=value` (the same wildcard, range
///   and UID-list forms as C-FIND); each key without one, and each column of the level's
///   table, is asked for with `includefield`;
/// - levels study → `/studies`, series → `/series`, image → `/instances`, scoped by the study
///   (and series) in the path when one UID is given;
/// - QIDO has no patient level: a patient query asks `/studies` with the patient keys and the
///   patient attributes, and folds the studies into one match per Patient ID (Number of
///   Patient Related Studies = the studies that matched);
/// - pages of `pageSize` with limit/offset (`searchAll`, which reads `Warning: 299`), up to `--limit`.
public struct QIDOQueryBackend: QueryBackend {
    public var peer: WebPeer
    public var retry: RetryPolicy
    public var pageSize: Int

    public init(peer: WebPeer, retry: RetryPolicy = RetryPolicy(), pageSize: Int = 100) {
        self.peer = peer
        self.retry = retry
        self.pageSize = pageSize
    }

    /// The QIDO-RS search for `request`.
    public static func qido(_ request: QueryRequest) -> QIDOQuery {
        let level: QIDOQuery.Level = switch request.level {
        case .patient, .study: .studies
        case .series: .series
        case .image: .instances
        }
        func single(_ tag: Tag) -> String? {
            guard let v = request.keys.last(where: { $0.tag == tag })?.value, !v.isEmpty,
                  !v.contains("\\"), !v.contains(","), !v.contains("*"), !v.contains("?") else { return nil }
            return v
        }
        var q = QIDOQuery(level)
        if level != .studies, let study = single(.studyInstanceUID) {
            q.studyInstanceUID = study
            if level == .instances, let series = single(.seriesInstanceUID) { q.seriesInstanceUID = series }
        }
        var include: [String] = []
        var matching: [String: String] = [:]
        var order: [String] = []
        for key in request.keys {
            let name = qidoName(key.tag)
            if let v = key.value, !v.isEmpty {
                if key.tag == .studyInstanceUID && q.studyInstanceUID != nil { continue }
                if key.tag == .seriesInstanceUID && q.seriesInstanceUID != nil { continue }
                if matching[name] == nil { order.append(name) }
                matching[name] = v
            } else if !include.contains(name) {
                include.append(name)
            }
        }
        var columns = QueryRequest.columns(for: request.level)
        if request.level == .patient { columns.append(.studyInstanceUID) } else { columns.removeAll { $0 == .numberOfPatientRelatedStudies } }
        if level != .studies { columns += [.studyInstanceUID, .seriesInstanceUID] }
        for tag in columns where tag != .numberOfPatientRelatedStudies {
            let name = qidoName(tag)
            if matching[name] == nil && !include.contains(name) { include.append(name) }
        }
        q.keys = order.map { QIDOQuery.Key($0, matching[$0]!) }
        q.includeFields = include
        return q
    }

    /// The attribute's keyword, else (no keyword, or a private tag) its tag as eight hex digits (PS3.18 §8.3.4.1).
    static func qidoName(_ tag: Tag) -> String {
        let keyword = tag.group % 2 == 1 ? "" : DataDictionary.entry(for: tag.rawValue)?.keyword ?? ""
        return keyword.isEmpty ? String(format: "%08X", tag.rawValue) : keyword
    }

    public func find(_ request: QueryRequest, onMatch: (DataSet) -> Void = { _ in }) throws(CMRError) -> QueryResult {
        let start = Date()
        let q = Self.qido(request)
        let patients = request.level == .patient
        let maximum = patients ? Int.max : (request.limit.map { $0 + 1 } ?? Int.max)
        let found: [DataSet] = try peer.retrying(retry) { client, _ in
            try client.searchAll(q, pageSize: request.limit.map { min(pageSize, $0 + 1) } ?? pageSize, maximum: maximum)
        }
        var matches = patients ? Self.foldPatients(found) : found
        let limited = request.limit.map { matches.count > $0 } ?? false
        if let limit = request.limit { matches = Array(matches.prefix(limit)) }
        matches.forEach(onMatch)
        return QueryResult(request: request, matches: matches, finalStatus: "200", limited: limited,
                           seconds: Date().timeIntervalSince(start), peer: peer.description)
    }

    /// One match per Patient ID (in order of first appearance): the patient attributes of its
    /// first study, and the number of its studies that matched.
    static func foldPatients(_ studies: [DataSet]) -> [DataSet] {
        var order: [String] = []
        var byID: [String: (DataSet, Int)] = [:]
        for s in studies {
            let id = s.string(.patientID) ?? ""
            if let (p, n) = byID[id] { byID[id] = (p, n + 1); continue }
            var p = DataSet(characterSet: s.characterSet)
            for tag in [Tag.specificCharacterSet, .patientID, .issuerOfPatientID, .patientName, .patientBirthDate, .patientSex] {
                if let e = s[tag] { p.insert(e) }
            }
            byID[id] = (p, 1)
            order.append(id)
        }
        return order.map { id in
            var (p, n) = byID[id]!
            _ = p.setString(.numberOfPatientRelatedStudies, String(n), vr: .IS)
            return p
        }
    }
}
