import Foundation
import XCTest
import DICOMCore
import DICOMCoding
import DICOMweb
import CMRKit
#if canImport(Glibc)
import Glibc
#endif

/// `cmr query` and `cmr pull` over DICOMweb (QIDO-RS, WADO-RS), the built binary against Orthanc
/// with its DICOMweb plugin and HTTP basic auth on loopback, loaded with synthetic studies by STOW-RS.
final class PullWebTests: XCTestCase {
    nonisolated(unsafe) static var orthanc: OrthancPeer?
    nonisolated(unsafe) static var startError: Error?
    nonisolated(unsafe) static var originals: [String: [String]] = [:]   // study UID → files
    nonisolated(unsafe) static var source = ""

    override class func setUp() {
        super.setUp()
        do {
            let o = try OrthancPeer.start()
            orthanc = o
            source = NSTemporaryDirectory() + "cmr-pull-web-\(getpid())"
            try? FileManager.default.removeItem(atPath: source)
            // Study A: CT and MR, 3 instances each; study B: 3 series of 4 instances, 64×64.
            let c = try DICOMwebClient(base: o.base, options: .init(credentials: .basic(user: OrthancPeer.user, password: OrthancPeer.password)))
            for (seed, series, count, size) in [(81 as UInt64, ["CT", "MR"], 3, 32), (82, ["CT", "MR", "PT"], 4, 64)] {
                var opts = Synthesizer.Options()
                opts.patients = 1
                opts.series = series
                opts.instancesPerSeries = count
                opts.rows = size
                opts.columns = size
                opts.seed = seed
                let dir = source + "/\(seed)"
                let files = try Synthesizer(options: opts).write(to: dir).map { $0.hasPrefix("/") ? $0 : dir + "/" + $0 }
                let instances = try files.map { try STOWInstance(path: $0) }
                let r = try c.store(instances)
                guard r.isComplete else { throw OrthancPeer.Unavailable(description: "STOW of the fixtures failed: \(r.error.map { "\($0)" } ?? "")") }
                originals[instances[0].studyInstanceUID] = files
            }
        } catch {
            startError = error
        }
    }

    override class func tearDown() {
        orthanc?.stop()
        orthanc = nil
        try? FileManager.default.removeItem(atPath: source)
        super.tearDown()
    }

    func peer() throws -> OrthancPeer {
        let o = try OrthancPeer.use(Self.orthanc, Self.startError)
        if !o.process.isRunning { try o.restart() }
        return o
    }

    /// The two studies: A (6 small instances), B (12 instances in 3 series).
    var studyA: String { Self.originals.first { $0.value.count == 6 }!.key }
    var studyB: String { Self.originals.first { $0.value.count == 12 }!.key }

    /// A `--user-file` (mode 0600) with the given password.
    func userFile(_ dir: String, password: String = OrthancPeer.password) throws -> String {
        let path = dir + "/user"
        FileManager.default.createFile(atPath: path, contents: Data("\(OrthancPeer.user):\(password)\n".utf8), attributes: [.posixPermissions: 0o600])
        return path
    }

    func cmr(_ args: [String], audit: String? = nil) throws -> Peers.Result {
        try Peers.run(try Peers.cmrPath(), args, environment: [
            "CMR_AUDIT_LOG": audit ?? NSTemporaryDirectory() + "cmr-pull-web-audit-\(getpid()).log", "CMR_RETRY_BASE_SECONDS": "0.01"])
    }

    func testQueryAtStudySeriesInstanceAndPatientLevels() throws {
        let o = try peer()
        let dir = try Peers.temporaryFolder(self)
        let from = ["--from", o.base.absoluteString, "--user-file", try userFile(dir)]

        let table = try cmr(["query"] + from)
        XCTAssertEqual(table.status, 0, table.err)
        let lines = table.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, table.out)
        XCTAssertTrue(lines[0].hasPrefix("StudyDate"), table.out)
        for s in Self.originals.keys { XCTAssertTrue(table.out.contains(s), table.out) }

        let json = try cmr(["query", "--json", "--study", studyB] + from)
        XCTAssertEqual(json.status, 0, json.err)
        let studies = try DICOMJSON.decodeList(Array(json.stdout))
        XCTAssertEqual(studies.map { $0.string(.studyInstanceUID) }, [studyB])
        XCTAssertEqual(studies.first?.string(.numberOfStudyRelatedInstances), "12")

        let series = try cmr(["query", "--level", "series", "--study", studyB, "--json"] + from)
        XCTAssertEqual(series.status, 0, series.err)
        let seriesMatches = try DICOMJSON.decodeList(Array(series.stdout))
        XCTAssertEqual(Set(seriesMatches.compactMap { $0.string(.modality) }), ["CT", "MR", "PT"])

        let oneSeries = seriesMatches[0].string(.seriesInstanceUID)!
        let images = try cmr(["query", "--level", "image", "--study", studyB, "--series", oneSeries, "-k", "SOPClassUID"] + from)
        XCTAssertEqual(images.status, 0, images.err)
        let imageLines = images.out.split(separator: "\n")
        XCTAssertEqual(imageLines.count, 5, images.out)
        XCTAssertEqual(imageLines[0].split(separator: " ").first, "InstanceNumber")

        let limited = try cmr(["query", "--level", "image", "--study", studyB, "--series", oneSeries, "--limit", "2", "--json"] + from)
        XCTAssertEqual(try DICOMJSON.decodeList(Array(limited.stdout)).count, 2, limited.err)

        let patients = try cmr(["query", "--level", "patient"] + from)
        XCTAssertEqual(patients.status, 0, patients.err)
        XCTAssertEqual(patients.out.split(separator: "\n").count, 1 + Set(try Self.originals.values.map { try DICOMReader.read(contentsOf: $0[0]).dataSet.string(.patientID) }).count, patients.out)
    }

    func testPullIsByteIdenticalReportedAuditedAndRerunFindsItAllThere() throws {
        let o = try peer()
        let dir = try Peers.temporaryFolder(self)
        let audit = dir + "/audit.log"
        let from = ["--from", o.base.absoluteString, "--user-file", try userFile(dir)]
        let r = try cmr(["pull", "--study", studyA, "--out", dir + "/out", "--report", dir + "/r1.jsonl", "--print-paths"] + from, audit: audit)
        XCTAssertEqual(r.status, 0, r.err)
        let files = PullCommandTests.dcmFiles(dir + "/out")
        XCTAssertEqual(files.count, 6)
        XCTAssertEqual(Set(r.out.split(separator: "\n").map(String.init)), Set(files))
        for original in Self.originals[studyA]! {
            let ds = try DICOMReader.read(contentsOf: original).dataSet
            let path = "\(dir)/out/\(ds.string(.patientID)!)/\(studyA)/\(ds.string(.seriesInstanceUID)!)/\(ds.string(.sopInstanceUID)!).dcm"
            XCTAssertEqual(FileManager.default.contents(atPath: path), FileManager.default.contents(atPath: original), "\(path) differs from what was stored")
        }
        let report = try PullCommandTests.reportLines(dir + "/r1.jsonl")
        XCTAssertEqual(report.dropLast().filter { $0["status"] as? String == "received" && ($0["sha256"] as? String)?.count == 64 && $0["peerStatus"] as? String == "200" }.count, 6)
        let summary = report.last?["summary"] as? [String: Any]
        XCTAssertEqual(summary?["exitStatus"] as? Int, 0)
        XCTAssertEqual(summary?["peer"] as? String, o.base.absoluteString)
        // The fast path (nothing of the study in the output): QIDO studies, QIDO series with their
        // counts, one WADO-RS of the whole study; the instance listing would make it 4.
        XCTAssertEqual(summary?["associations"] as? Int, 3)
        let log = try String(contentsOfFile: audit, encoding: .utf8)
        XCTAssertTrue(log.contains("\"110112\""))
        XCTAssertTrue(log.contains("\"110104\""))
        XCTAssertTrue(log.contains(o.base.absoluteString))
        XCTAssertFalse(log.contains(OrthancPeer.password))
        XCTAssertEqual(try cmr(["audit", "verify", audit]).status, 0)

        let again = try cmr(["pull", "--study", studyA, "--out", dir + "/out", "--report", dir + "/r2.jsonl"] + from, audit: audit)
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(try PullCommandTests.reportLines(dir + "/r2.jsonl").dropLast().map { $0["status"] as? String }, Array(repeating: "exists", count: 6))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/out").filter { $0.hasPrefix(".") }, [])

        // One file gone: only that instance is asked for again (flat layout works the same way).
        try FileManager.default.removeItem(atPath: files[0])
        let third = try cmr(["pull", "--study", studyA, "--out", dir + "/out", "--report", dir + "/r3.jsonl"] + from, audit: audit)
        XCTAssertEqual(third.status, 0, third.err)
        let statuses = try PullCommandTests.reportLines(dir + "/r3.jsonl").dropLast().compactMap { $0["status"] as? String }
        XCTAssertEqual(statuses.filter { $0 == "received" }.count, 1)
        XCTAssertEqual(statuses.filter { $0 == "exists" }.count, 5)
        XCTAssertEqual(FileManager.default.contents(atPath: files[0]).map { _ in true }, true)
        // Part of the study there: the instance listing, then that one instance.
        let thirdSummary = try PullCommandTests.reportLines(dir + "/r3.jsonl").last?["summary"] as? [String: Any]
        XCTAssertEqual(thirdSummary?["associations"] as? Int, 3)

        // --series: only that series.
        let seriesA = try DICOMReader.read(contentsOf: Self.originals[studyA]![0]).dataSet.string(.seriesInstanceUID)!
        let one = try cmr(["pull", "--study", studyA, "--series", seriesA, "--out", dir + "/one", "--layout", "flat"] + from, audit: audit)
        XCTAssertEqual(one.status, 0, one.err)
        let wanted = try Self.originals[studyA]!.filter { try DICOMReader.read(contentsOf: $0).dataSet.string(.seriesInstanceUID) == seriesA }
        XCTAssertEqual(PullCommandTests.dcmFiles(dir + "/one").count, wanted.count)
    }

    func testWrongPasswordIs77PlainHTTPRefusedClosedPort69Deadline75() throws {
        let o = try peer()
        let dir = try Peers.temporaryFolder(self)
        let wrong = ["--from", o.base.absoluteString, "--user-file", try userFile(dir, password: "wrong")]
        let q = try cmr(["query"] + wrong)
        XCTAssertEqual(q.status, 77, q.err)
        XCTAssertTrue(q.err.contains("401"), q.err)
        let p = try cmr(["pull", "--study", studyA, "--out", dir + "/out"] + wrong)
        XCTAssertEqual(p.status, 77, p.err)

        let insecure = try cmr(["pull", "--from", "http://192.0.2.1/dicom-web", "--study", studyA, "--out", dir + "/out2"])
        XCTAssertEqual(insecure.status, 77, insecure.err)
        XCTAssertTrue(insecure.err.contains("unencrypted") && insecure.err.contains("--allow-insecure"), insecure.err)
        let secrets = try cmr(["query", "--from", "http://cmr:s3cr3t-pw@127.0.0.1:\(o.port)/dicom-web"])
        XCTAssertEqual(secrets.status, 64, secrets.err)
        XCTAssertFalse(secrets.err.contains("s3cr3t-pw"), "the refusal must not echo the password: \(secrets.err)")

        let closed = try cmr(["query", "--from", "http://127.0.0.1:\(try OrthancPeer.freePort())/dicom-web", "--retries", "1"])
        XCTAssertEqual(closed.status, 69, closed.err)

        let late = try cmr(["pull", "--study", studyA, "--out", dir + "/out3", "--deadline", "1ms", "--from", o.base.absoluteString, "--user-file", try userFile(dir)])
        XCTAssertEqual(late.status, 75, late.err)
        XCTAssertTrue(late.err.contains("deadline"), late.err)
    }

    /// kill -9 of Orthanc during a slow pull of a study of three series (each asked for on its
    /// own with --series, so that the kill falls between requests): non-zero, the report names
    /// what arrived, and what did not (by series: the archive is gone before the series could be
    /// listed instance by instance); after a restart the rerun gets only the rest.
    func testServerKilledMidPullThenRerunCompletesTheRest() throws {
        let o = try peer()
        let dir = try Peers.temporaryFolder(self)
        let out = dir + "/out"
        let from = ["--from", o.base.absoluteString, "--user-file", try userFile(dir)]
        let killer = DispatchWorkItem {
            for _ in 0..<400 where PullCommandTests.dcmFiles(out).isEmpty { usleep(25_000) }   // the first file is in place
            o.kill()
        }
        DispatchQueue.global().async(execute: killer)
        let series = Set(try Self.originals[studyB]!.map { try DICOMReader.read(contentsOf: $0).dataSet.string(.seriesInstanceUID)! })
        let r = try cmr(["pull", "--study", studyB, "--out", out, "--max-rate", "20k", "--retries", "1", "--report", dir + "/r1.jsonl"]
                        + series.flatMap { ["--series", $0] } + from)
        killer.wait()
        XCTAssertEqual(r.status, 1, r.err)
        let first = PullCommandTests.dcmFiles(out)
        XCTAssertGreaterThan(first.count, 0, "nothing arrived before the kill: \(r.err)")
        XCTAssertLessThan(first.count, 12)
        let report = try PullCommandTests.reportLines(dir + "/r1.jsonl")
        XCTAssertEqual(report.filter { $0["status"] as? String == "received" }.count, first.count)
        // A failed record per instance, or per series that could not be listed ("N of M instances").
        let failedInstances = report.filter { $0["status"] as? String == "failed" }.map { r -> Int in
            if r["sopInstanceUID"] != nil { return 1 }
            let comment = r["comment"] as? String ?? ""
            return comment.split(separator: " ").dropFirst(2).first.flatMap { Int($0) } ?? -100
        }
        XCTAssertEqual(failedInstances.reduce(0, +), 12 - first.count, "\(report)")
        XCTAssertNotNil((report.last?["summary"] as? [String: Any])?["stoppedBecause"])

        try o.restart()
        let again = try cmr(["pull", "--study", studyB, "--out", out, "--report", dir + "/r2.jsonl"] + from)
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(PullCommandTests.dcmFiles(out).count, 12)
        let report2 = try PullCommandTests.reportLines(dir + "/r2.jsonl")
        XCTAssertEqual(report2.filter { $0["status"] as? String == "exists" }.count, first.count)
        XCTAssertEqual(report2.filter { $0["status"] as? String == "received" }.count, 12 - first.count)
    }
}

/// The retry rules of the DICOMweb forms over a canned server: 503 with `Retry-After` is waited
/// out and asked again; a 401 with --token-command runs the command again once.
final class PullWebRetryTests: XCTestCase {
    final class Canned: HTTPTransport, @unchecked Sendable {
        var answers: [(Int, [String: String], [UInt8])]
        private(set) var requests: [HTTPRequest] = []
        init(_ answers: [(Int, [String: String], [UInt8])]) { self.answers = answers }
        func perform(_ request: HTTPRequest, handler: HTTPResponseHandler) throws -> HTTPResponseHead {
            requests.append(request)
            let (status, headers, body) = answers.count > 1 ? answers.removeFirst() : answers[0]
            let head = HTTPResponseHead(status: status, headers: headers)
            try handler.received(head: head)
            try body.withUnsafeBytes { try handler.received(body: $0) }
            return head
        }
    }

    static let study = Array(#"[{"0020000D":{"vr":"UI","Value":["1.2.3"]},"00100020":{"vr":"LO","Value":["P1"]}}]"#.utf8)

    func testRetryAfterOn503IsHonouredAndTheQueryAskedAgain() throws {
        let t = Canned([(503, ["Retry-After": "1"], []), (200, ["Content-Type": "application/dicom+json"], Self.study)])
        let peer = try WebPeer(url: URL(string: "https://archive.example/dicom-web")!, credentials: nil, transport: { _, _ in t })
        let start = Date()
        let r = try QIDOQueryBackend(peer: peer, retry: RetryPolicy(retries: 2, base: 0.001)).find(QueryRequest(keys: [QueryKey(.patientID, "P1")]))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.95)
        XCTAssertEqual(r.matches.map { $0.string(.studyInstanceUID) }, ["1.2.3"])
        XCTAssertEqual(t.requests.count, 2)
        XCTAssertTrue(t.requests[0].url.absoluteString.hasPrefix("https://archive.example/dicom-web/studies?PatientID=P1&includefield="), t.requests[0].url.absoluteString)
    }

    func testTransientFailuresUseTheRetriesThen75() throws {
        let t = Canned([(503, [:], [])])
        let peer = try WebPeer(url: URL(string: "https://archive.example/dicom-web")!, credentials: nil, transport: { _, _ in t })
        XCTAssertThrowsError(try QIDOQueryBackend(peer: peer, retry: RetryPolicy(retries: 2, base: 0.001)).find(QueryRequest())) {
            XCTAssertEqual(($0 as? CMRError)?.exitStatus, 75)
        }
        XCTAssertEqual(t.requests.count, 3)
    }

    func testA401RunsTheTokenCommandAgainOnce() throws {
        let dir = try Peers.temporaryFolder(self)
        let counter = dir + "/n"
        let source = try WebCredentialSource(tokenFile: nil, tokenCommand: "echo x >> \(counter); echo token-$(wc -l < \(counter))", userFile: nil, environment: [:])
        let t = Canned([(401, [:], []), (200, ["Content-Type": "application/dicom+json"], Self.study)])
        let peer = try WebPeer(url: URL(string: "https://archive.example/dicom-web")!, credentials: source, transport: { _, _ in t })
        let r = try QIDOQueryBackend(peer: peer, retry: RetryPolicy(retries: 0)).find(QueryRequest())
        XCTAssertEqual(r.matches.count, 1)
        XCTAssertEqual(t.requests.map { $0.header("Authorization") }, ["Bearer token-1", "Bearer token-2"])

        let denied = Canned([(401, [:], [])])
        let peer2 = try WebPeer(url: URL(string: "https://archive.example/dicom-web")!, credentials: source, transport: { _, _ in denied })
        XCTAssertThrowsError(try QIDOQueryBackend(peer: peer2, retry: RetryPolicy(retries: 3)).find(QueryRequest())) {
            XCTAssertEqual(($0 as? CMRError)?.exitStatus, 77)
        }
        XCTAssertEqual(denied.requests.count, 2)
    }

    func testQIDOParametersForEachLevel() {
        func items(_ r: QueryRequest) -> String {
            let q = QIDOQueryBackend.qido(r)
            return q.path + "?" + q.queryItems.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        }
        XCTAssertEqual(items(QueryRequest(level: .series, keys: [QueryKey(.studyInstanceUID, "1.2"), QueryKey(.modality, "CT")])),
                       "studies/1.2/series?Modality=CT&includefield=SeriesNumber&includefield=SeriesDescription&includefield=NumberOfSeriesRelatedInstances&includefield=SeriesInstanceUID&includefield=StudyInstanceUID")
        XCTAssertEqual(items(QueryRequest(level: .image, keys: [QueryKey(.studyInstanceUID, "1.2"), QueryKey(.seriesInstanceUID, "1.2.3"), QueryKey(.sopClassUID)])),
                       "studies/1.2/series/1.2.3/instances?includefield=SOPClassUID&includefield=InstanceNumber&includefield=SOPInstanceUID&includefield=StudyInstanceUID&includefield=SeriesInstanceUID")
        XCTAssertTrue(items(QueryRequest(level: .patient, model: .patient, keys: [QueryKey(.patientName, "DOE^*")])).hasPrefix("studies?PatientName=DOE^*&includefield=PatientID"))
        let list = items(QueryRequest(keys: [QueryKey(.studyInstanceUID, "1.2\\1.3"), QueryKey(Tag(0x0009_0010), "X")]))
        XCTAssertTrue(list.hasPrefix("studies?StudyInstanceUID=1.2\\1.3&00090010=X&"), list)
    }
}
