import Foundation
import XCTest
import DICOMCore
import DICOMCoding
import DICOMweb
import CMRKit

/// The fast path of `cmr pull` over DICOMweb (a study none of which is in the output: series
/// listing with counts, the study asked for whole, counts checked) against a canned archive that
/// answers by path from real synthetic files, so that it can disagree with itself: a count that
/// does not match what the study response holds, a series without a count, a failed response.
final class PullWebFastPathTests: XCTestCase {
    struct Instance {
        var study, series, sop, patient: String
        var bytes: [UInt8]
    }

    /// Answers QIDO-RS and WADO-RS for `instances`; the whole-study response leaves out
    /// `omitFromStudy`, the series listing gives `counts` (nil: no count), a request whose
    /// path is in `failing` is answered 503 once, and one in `gone` 404 always.
    final class Archive: HTTPTransport, @unchecked Sendable {
        let instances: [Instance]
        var omitFromStudy: Set<String> = []
        var counts: [String: Int?] = [:]
        var failing: Set<String> = []
        var gone: Set<String> = []
        private let lock = NSLock()
        private(set) var paths: [String] = []

        init(_ instances: [Instance]) { self.instances = instances }

        func perform(_ request: HTTPRequest, handler: HTTPResponseHandler) throws -> HTTPResponseHead {
            let path = String(request.url.path.dropFirst("/dicom-web/".count))
            let failNow: Bool = lock.withLock {
                paths.append(path)
                return failing.remove(path) != nil
            }
            let (status, headers, body) = failNow ? (503, [:], []) : gone.contains(path) ? (404, [:], []) : try answer(path)
            let head = HTTPResponseHead(status: status, headers: headers)
            try handler.received(head: head)
            try body.withUnsafeBytes { try handler.received(body: $0) }
            return head
        }

        private func answer(_ path: String) throws -> (Int, [String: String], [UInt8]) {
            let p = path.split(separator: "/").map(String.init)
            let study = instances[0].study
            func json(_ items: [[String: Any]]) throws -> (Int, [String: String], [UInt8]) {
                (200, ["Content-Type": "application/dicom+json"], Array(try JSONSerialization.data(withJSONObject: items)))
            }
            func ui(_ v: String) -> [String: Any] { ["vr": "UI", "Value": [v]] }
            func multipart(_ items: [Instance]) throws -> (Int, [String: String], [UInt8]) {
                var w = MultipartWriter()
                for i in items { try w.writePart(headers: [.init("Content-Type", "application/dicom")], body: i.bytes) }
                let body = try w.close().bytes
                return (200, ["Content-Type": w.contentType()], body)
            }
            switch p.count {
            case 1:   // studies
                return try json([["0020000D": ui(study), "00100020": ["vr": "LO", "Value": [instances[0].patient]]]])
            case 2:   // studies/{s}
                return try multipart(instances.filter { !omitFromStudy.contains($0.sop) })
            case 3 where p[2] == "series":
                let series = instances.reduce(into: [String]()) { if !$0.contains($1.series) { $0.append($1.series) } }
                return try json(series.map { s in
                    var m: [String: Any] = ["0020000E": ui(s)]
                    let count = counts[s] ?? instances.filter { $0.series == s }.count
                    if let count { m["00201209"] = ["vr": "IS", "Value": [count]] }
                    return m
                })
            case 3:   // studies/{s}/instances
                return try json(instances.map { ["0020000E": ui($0.series), "00080018": ui($0.sop)] })
            case 4:   // studies/{s}/series/{r}
                return try multipart(instances.filter { $0.series == p[3] })
            case 5:   // studies/{s}/series/{r}/instances
                return try json(instances.filter { $0.series == p[3] }.map { ["0020000E": ui($0.series), "00080018": ui($0.sop)] })
            case 6:   // studies/{s}/series/{r}/instances/{i}
                return try multipart(instances.filter { $0.sop == p[5] })
            default:
                return (404, [:], [])
            }
        }
    }

    /// Two series of three synthetic instances (one study).
    func instances(_ dir: String) throws -> [Instance] {
        var o = Synthesizer.Options()
        o.patients = 1
        o.series = ["CT", "MR"]
        o.instancesPerSeries = 3
        o.rows = 16
        o.columns = 16
        o.seed = 91
        return try Synthesizer(options: o).write(to: dir + "/src").map { path in
            let full = path.hasPrefix("/") ? path : dir + "/src/" + path
            let ds = try DICOMReader.read(contentsOf: full).dataSet
            return Instance(study: ds.string(.studyInstanceUID)!, series: ds.string(.seriesInstanceUID)!, sop: ds.string(.sopInstanceUID)!,
                            patient: ds.string(.patientID)!, bytes: Array(FileManager.default.contents(atPath: full)!))
        }
    }

    func pull(_ archive: Archive, _ dir: String, series: [String] = [], layout: OutputLayout = .tree) throws -> PullResult {
        let peer = try WebPeer(url: URL(string: "https://archive.example/dicom-web")!, credentials: nil, transport: { _, _ in archive })
        var request = PullRequest(query: QueryRequest(keys: [QueryKey(.studyInstanceUID, archive.instances[0].study)]), output: dir + "/out",
                                  layout: layout, retry: RetryPolicy(retries: 2, base: 0.001))
        request.series = series
        return try WebPullOperation(request: request, peer: peer, audit: nil).run()
    }

    func path(_ dir: String, _ i: Instance) -> String { "\(dir)/out/\(i.patient)/\(i.study)/\(i.series)/\(i.sop).dcm" }

    func statuses(_ r: PullResult) -> [String: Int] {
        Dictionary(grouping: r.records, by: \.status.rawValue).mapValues(\.count)
    }

    func testFreshPullAsksForTheStudyWholeAndCountsMatch() throws {
        let dir = try Peers.temporaryFolder(self)
        let all = try instances(dir)
        let archive = Archive(all)
        let r = try pull(archive, dir)
        XCTAssertEqual(r.exitStatus, 0)
        let s = all[0].study
        XCTAssertEqual(archive.paths, ["studies", "studies/\(s)/series", "studies/\(s)"])
        XCTAssertEqual(r.summary.associations, 3)
        XCTAssertEqual(statuses(r), ["received": 6])
        XCTAssertEqual(r.studies.first?.expected, 6)
        XCTAssertEqual(r.studies.first?.notes, [])
        for i in all { XCTAssertEqual(FileManager.default.contents(atPath: path(dir, i)).map(Array.init), i.bytes, path(dir, i)) }
        // Each digest (hashed early, from the staged file) is the placed file's, by sha256sum.
        let sums = Process()
        sums.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sums.arguments = r.records.map(\.path)
        let pipe = Pipe()
        sums.standardOutput = pipe
        try sums.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sums.waitUntilExit()
        let expected = Dictionary(uniqueKeysWithValues: text.split(separator: "\n").map { line in
            (String(line.split(separator: " ", maxSplits: 1)[1].drop { $0 == " " || $0 == "*" }), String(line.prefix(64)))
        })
        XCTAssertEqual(expected.count, 6)
        for rec in r.records { XCTAssertEqual(rec.sha256, expected[rec.path], rec.path) }
    }

    /// The archive counts 3 in the first series but the study response holds 2 of them, and it
    /// gives no count for the second: both are listed; only the one left out is asked for again.
    func testASeriesWhoseCountDisagreesIsListedAndOnlyTheRestAskedFor() throws {
        let dir = try Peers.temporaryFolder(self)
        let all = try instances(dir)
        let archive = Archive(all)
        let (s, first, second) = (all[0].study, all[0].series, all[3].series)
        let left = all[1]
        archive.omitFromStudy = [left.sop]
        archive.counts = [second: Int?.none]
        let r = try pull(archive, dir)
        XCTAssertEqual(r.exitStatus, 0, "\(r.records)")
        XCTAssertEqual(archive.paths, ["studies", "studies/\(s)/series", "studies/\(s)",
                                       "studies/\(s)/series/\(first)/instances", "studies/\(s)/series/\(second)/instances",
                                       "studies/\(s)/series/\(first)/instances/\(left.sop)"])
        XCTAssertEqual(statuses(r), ["received": 6])
        XCTAssertEqual(Set(r.records.compactMap(\.sopInstanceUID)), Set(all.map(\.sop)))
        XCTAssertEqual(r.studies.first?.expected, 6)
        XCTAssertEqual(r.studies.first?.notes, ["study \(s): series \(first): the archive counted 3 instances, 2 arrived; listed the series (3 instances)"])
        for i in all { XCTAssertEqual(FileManager.default.contents(atPath: path(dir, i)).map(Array.init), i.bytes, path(dir, i)) }
    }

    /// The instance left out of the study response is asked for again (a 503 on the way is
    /// retried); when it cannot be had at all (404), exactly it is the failed record.
    func testAnInstanceTheArchiveCountsButNeverSendsIsTheOneFailedRecord() throws {
        let dir = try Peers.temporaryFolder(self)
        let all = try instances(dir)
        let archive = Archive(all)
        let s = all[0].study
        let left = all[4]
        archive.omitFromStudy = [left.sop]
        archive.failing = ["studies/\(s)/series/\(left.series)/instances/\(left.sop)"]
        let r = try pull(archive, dir)
        XCTAssertEqual(r.exitStatus, 0, "a 503 once is retried: \(r.records)")
        XCTAssertEqual(statuses(r), ["received": 6])

        let dir2 = try Peers.temporaryFolder(self, "second")
        let archive2 = Archive(all)
        archive2.omitFromStudy = [left.sop]
        archive2.gone = ["studies/\(s)/series/\(left.series)/instances/\(left.sop)"]
        let r2 = try pull(archive2, dir2, layout: .flat)
        XCTAssertEqual(r2.exitStatus, 1)
        XCTAssertEqual(statuses(r2), ["received": 5, "failed": 1])
        let failed = r2.records.filter { $0.status == .failed }
        XCTAssertEqual(failed.map(\.sopInstanceUID), [left.sop])
        XCTAssertEqual(failed.first?.path, dir2 + "/out/" + left.sop + ".dcm")
        XCTAssertEqual(r2.studies.first?.expected, 6)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir2 + "/out").filter { !$0.hasPrefix(".") }),
                       Set(all.filter { $0.sop != left.sop }.map { $0.sop + ".dcm" }))
    }

    /// The study response fails (503): the retry lists each series (nothing of it counted) and
    /// asks for each whole again; the report has each instance once.
    func testAFailedStudyResponseIsRetriedThroughTheListing() throws {
        let dir = try Peers.temporaryFolder(self)
        let all = try instances(dir)
        let archive = Archive(all)
        let s = all[0].study
        archive.failing = ["studies/\(s)"]
        let r = try pull(archive, dir)
        XCTAssertEqual(r.exitStatus, 0, "\(r.records)")
        XCTAssertEqual(archive.paths.filter { $0.hasSuffix("/instances") }.count, 2)
        XCTAssertEqual(Set(archive.paths.suffix(2)), ["studies/\(s)/series/\(all[0].series)", "studies/\(s)/series/\(all[3].series)"])
        XCTAssertEqual(statuses(r), ["received": 6])
        XCTAssertEqual(r.studies.first?.expected, 6)
    }

    /// The study cannot be retrieved (404): what did not arrive is failed instance by instance
    /// when the series can still be listed, else one record per series says how many.
    func testAStudyThatCannotBeRetrievedIsReportedByInstanceOrElseBySeries() throws {
        let dir = try Peers.temporaryFolder(self)
        let all = try instances(dir)
        let s = all[0].study
        let archive = Archive(all)
        archive.gone = ["studies/\(s)"]
        let r = try pull(archive, dir)
        XCTAssertNotEqual(r.exitStatus, 0)
        XCTAssertEqual(statuses(r), ["failed": 6])
        XCTAssertEqual(Set(r.records.compactMap(\.sopInstanceUID)), Set(all.map(\.sop)))
        XCTAssertEqual(Set(r.records.map(\.path)), Set(all.map { path(dir, $0) }))

        let archive2 = Archive(all)
        archive2.gone = ["studies/\(s)", "studies/\(s)/series/\(all[0].series)/instances", "studies/\(s)/series/\(all[3].series)/instances"]
        let r2 = try pull(archive2, dir)
        XCTAssertNotEqual(r2.exitStatus, 0)
        XCTAssertEqual(statuses(r2), ["failed": 2])
        XCTAssertEqual(Set(r2.records.map(\.path)), Set([all[0], all[3]].map { "\(dir)/out/\($0.patient)/\(s)/\($0.series)" }))
        XCTAssertTrue(r2.records.allSatisfy { $0.comment?.contains("3 of 3 instances not received") == true }, "\(r2.records.map(\.comment))")
        XCTAssertEqual(r2.studies.first?.expected, 6)
    }

    /// Part of the study in place: the instance-level listing of today's path, not the fast path;
    /// the rerun asks only for what is missing.
    func testAPartlyPresentStudyIsListedInstanceByInstance() throws {
        let dir = try Peers.temporaryFolder(self)
        let all = try instances(dir)
        let s = all[0].study
        XCTAssertEqual(try pull(Archive(all), dir).exitStatus, 0)
        try FileManager.default.removeItem(atPath: path(dir, all[2]))
        let archive = Archive(all)
        let r = try pull(archive, dir)
        XCTAssertEqual(r.exitStatus, 0)
        XCTAssertEqual(archive.paths, ["studies", "studies/\(s)/instances", "studies/\(s)/series/\(all[2].series)/instances/\(all[2].sop)"])
        XCTAssertEqual(statuses(r), ["received": 1, "exists": 5])
    }

    /// `--series`: the fast path asks for that series only, at series level.
    func testSeriesOptionAsksForThatSeriesOnly() throws {
        let dir = try Peers.temporaryFolder(self)
        let all = try instances(dir)
        let archive = Archive(all)
        let s = all[0].study
        let r = try pull(archive, dir, series: [all[3].series])
        XCTAssertEqual(r.exitStatus, 0)
        XCTAssertEqual(archive.paths, ["studies", "studies/\(s)/series", "studies/\(s)/series/\(all[3].series)"])
        XCTAssertEqual(statuses(r), ["received": 3])
    }
}
