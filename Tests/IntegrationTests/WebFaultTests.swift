import Foundation
import XCTest
import DICOMCoding
import DICOMweb
import CMRKit

/// Fault injection into the DICOMweb transfers (issue 9), as `TransferFaultTests` does for DIMSE:
/// a `FaultProxy` between the built `cmr` and Orthanc (DICOMweb plugin, basic auth; one Orthanc
/// for the class) cuts or stalls the HTTP exchange at a byte offset of the whole exchange (its
/// connections counted together: URLSession may keep one alive between requests). Each case ends
/// with a specific exit status, a report that names exactly what Orthanc holds (QIDO-RS straight
/// to Orthanc) or what is in the output, no temporary or partial file (the scratch `TMPDIR`, the
/// output's hidden staging), `cmr audit verify` 0, and a rerun that moves only what is missing.
/// Stalls land in the first data request (nothing done: the timeout's own 75); cuts in the second
/// (something done: partial, 1).
final class WebFaultTests: OrthancTestCase {
    /// One study of 128 × 128 images (about 33 KB a file), the paths written.
    func synth(_ s: Scratch, _ dir: String, seed: Int, series: String, instances: Int) throws -> [String] {
        let r = try cmr(s, ["synth", "--out", dir, "--print-paths", "--patients", "1", "--series", series, "--instances", String(instances),
                            "--rows", "128", "--columns", "128", "--seed", String(seed)])
        XCTAssertEqual(r.status, 0, r.err)
        return r.out.split(separator: "\n").map { $0.hasPrefix("/") ? String($0) : dir + "/" + $0 }
    }

    func cmr(_ s: Scratch, _ args: [String]) throws -> Peers.Result {
        try Peers.run(try Peers.cmrPath(), args, environment: s.environment)
    }

    func client(_ o: OrthancPeer) throws -> DICOMwebClient {
        try DICOMwebClient(base: o.base, options: .init(credentials: .basic(user: OrthancPeer.user, password: OrthancPeer.password)),
                           transport: URLSessionTransport(idleTimeout: 20))
    }

    /// SOP Instance UIDs Orthanc holds for `study` (QIDO-RS, not through the proxy).
    func held(_ o: OrthancPeer, study: String) throws -> Set<String> {
        Set(try client(o).searchAll(QIDOQuery(.instances, study: study)).compactMap { $0.string(.sopInstanceUID) })
    }

    func size(_ path: String) throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int }

    /// Nothing left in the scratch TMPDIR (STOW bodies, WADO spool files).
    func assertNoTemporaries(_ s: Scratch, file: StaticString = #filePath, line: UInt = #line) {
        let left = (try? FileManager.default.contentsOfDirectory(atPath: s.tmp)) ?? []
        XCTAssertEqual(left, [], "temporary files left in TMPDIR", file: file, line: line)
    }

    // MARK: - STOW-RS

    /// `cmr send` of 6 files in batches of 2 through a proxy with `fault` at byte `after` toward
    /// Orthanc; checks the run, Orthanc, the report, the audit log, and a rerun. Returns the
    /// first run's summary and standard error.
    func send(_ fault: FaultProxy.Fault, after: (_ fileSize: Int) -> Int, thenEach: Int? = nil, retries: Int, expect: Int32, seed: Int,
              file: StaticString = #filePath, line: UInt = #line) throws -> (summary: [String: Any], err: String) {
        let o = try peer()
        let s = try scratch()
        let files = try synth(s, s.dir + "/in", seed: seed, series: "CT", instances: 6)
        XCTAssertEqual(files.count, 6, file: file, line: line)
        let instances = try files.map { try STOWInstance(path: $0) }
        let study = instances[0].studyInstanceUID
        let proxy = try FaultProxy(to: UInt16(o.port), fault: fault, after: after(try size(files[0])), acrossConnections: true, thenEach: thenEach)
        defer { proxy.stop() }
        let to = "http://127.0.0.1:\(proxy.port)/dicom-web"
        let started = Date()
        let r = try cmr(s, ["send", "--to", to, "--user-file", s.userFile, "--batch-count", "2", "--retries", String(retries),
                            "--dimse-timeout", "2", "--report", s.dir + "/r1.jsonl", s.dir + "/in"])
        XCTAssertTrue(proxy.hasFired, "the fault was injected", file: file, line: line)
        XCTAssertEqual(r.status, expect, r.err, file: file, line: line)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "bounded by the timeout", file: file, line: line)

        // The report names exactly what Orthanc holds; every other file is failed with a reason.
        let (records, summary) = try transferReport(s.dir + "/r1.jsonl")
        XCTAssertEqual(records.count, 6, file: file, line: line)
        let stored = Set(records.filter { $0["status"] as? String == "stored" }.compactMap { $0["sopInstanceUID"] as? String })
        XCTAssertEqual(try held(o, study: study), stored, "reported stored ≠ held by Orthanc", file: file, line: line)
        for r in records where r["status"] as? String != "stored" {
            XCTAssertEqual(r["status"] as? String, "failed", file: file, line: line)
            XCTAssertFalse((r["comment"] as? String ?? "").isEmpty, "a failed file without its reason", file: file, line: line)
        }
        XCTAssertEqual(summary["exitStatus"] as? Int, Int(expect), file: file, line: line)
        assertNoTemporaries(s, file: file, line: line)
        XCTAssertEqual(try cmr(s, ["audit", "verify", s.audit]).status, 0, file: file, line: line)

        // The rerun (the proxy now passes everything) stores exactly what was not acknowledged.
        proxy.disarm()
        proxy.dropConnections()
        let again = try cmr(s, ["send", "--to", to, "--user-file", s.userFile, "--batch-count", "2", "--report", s.dir + "/r2.jsonl", s.dir + "/in"])
        XCTAssertEqual(again.status, 0, again.err, file: file, line: line)
        let (records2, _) = try transferReport(s.dir + "/r2.jsonl")
        XCTAssertEqual(Set(records2.filter { $0["status"] as? String == "skipped" }.compactMap { $0["sopInstanceUID"] as? String }), stored,
                       file: file, line: line)
        XCTAssertEqual(records2.filter { $0["status"] as? String == "stored" }.count, 6 - stored.count, file: file, line: line)
        XCTAssertEqual(try held(o, study: study), Set(instances.map(\.sopInstanceUID)), file: file, line: line)
        assertNoTemporaries(s, file: file, line: line)
        XCTAssertEqual(try cmr(s, ["audit", "verify", s.audit]).status, 0, file: file, line: line)
        return (summary, r.err)
    }

    /// Where the middle of the second batch's body is: the first request (headers and two files),
    /// the second's headers, one file (the request headers are a few hundred bytes; a file 33 KB).
    static func midSecondBatch(_ fileSize: Int) -> Int { 3 * fileSize + 1_000 }

    /// Cut toward Orthanc in the middle of the second request's body, no retries: the first batch
    /// is stored, the rest failed with the reason; partial (1). libcurl sends a request cut on a
    /// kept-alive connection once more by itself on a new connection (with the body from its
    /// start: a new stream; the old one would go on mid-body); the proxy cuts that one early too.
    func testSTOWCutMidBodyInTheSecondBatch() throws {
        let (summary, err) = try send(.cut, after: Self.midSecondBatch, thenEach: 1_000, retries: 0, expect: 1, seed: 91)
        XCTAssertEqual(summary["stored"] as? Int, 2)
        XCTAssertEqual(summary["failed"] as? Int, 4)
        XCTAssertNotNil(summary["stoppedBecause"] as? String, "\(summary)")
        XCTAssertTrue(err.contains("not sent"), err)
    }

    /// The same cut with retries: the batch is sent again on a new connection; everything stored (0).
    func testSTOWCutMidBodyThenRetrySucceeds() throws {
        let (summary, _) = try send(.cut, after: Self.midSecondBatch, retries: 2, expect: 0, seed: 92)
        XCTAssertEqual(summary["stored"] as? Int, 6)
        XCTAssertNil(summary["stoppedBecause"])
    }

    /// Orthanc stops reading in the middle of the first request's body: the timeout (2 s) ends
    /// the run, nothing stored; 75, the reason is the timeout.
    func testSTOWStallMidBodyTimesOut() throws {
        let (summary, err) = try send(.stall, after: { 33_000 + $0 / 2 }, retries: 0, expect: 75, seed: 93)
        XCTAssertEqual(summary["stored"] as? Int, 0)
        XCTAssertTrue((summary["stoppedBecause"] as? String ?? "").contains("timed out"), "\(summary)")
        XCTAssertTrue(err.contains("timed out"), err)
    }

    // MARK: - WADO-RS

    /// Stores a study of three series of three files straight into Orthanc; its files and UID.
    func loadStudy(_ o: OrthancPeer, _ s: Scratch, seed: Int) throws -> (files: [String], study: String) {
        let files = try synth(s, s.dir + "/source", seed: seed, series: "CT,MR,CT", instances: 3)
        let instances = try files.map { try STOWInstance(path: $0) }
        let result = try client(o).store(instances)
        XCTAssertTrue(result.isComplete, "\(result.error.map { "\($0)" } ?? "")")
        return (files, instances[0].studyInstanceUID)
    }

    /// `cmr pull` of a loaded study through a proxy with `fault` at byte `after` toward cmr (the
    /// QIDO answers come first: a few KB); checks the run, the output, the report, the audit log,
    /// and a rerun that completes the study byte for byte. Returns the first run's summary.
    func pull(_ fault: FaultProxy.Fault, after: (_ fileSize: Int) -> Int, retries: Int = 0, expect: Int32, seed: Int,
              file: StaticString = #filePath, line: UInt = #line) throws -> (summary: [String: Any], received: Int, err: String) {
        let o = try peer()
        let s = try scratch()
        let (originals, study) = try loadStudy(o, s, seed: seed)
        let proxy = try FaultProxy(to: UInt16(o.port), fault: fault, direction: .toClient, after: after(try size(originals[0])), acrossConnections: true)
        defer { proxy.stop() }
        let out = s.dir + "/out"
        let from = ["--from", "http://127.0.0.1:\(proxy.port)/dicom-web", "--user-file", s.userFile]
        let started = Date()
        let r = try cmr(s, ["pull", "--study", study, "--out", out, "--retries", String(retries), "--dimse-timeout", "2", "--report", s.dir + "/r1.jsonl"] + from)
        XCTAssertTrue(proxy.hasFired, "the fault was injected", file: file, line: line)
        XCTAssertEqual(r.status, expect, r.err, file: file, line: line)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "bounded by the timeout", file: file, line: line)

        // The report's received files are exactly the output's; each is whole; the rest failed.
        let report = try PullCommandTests.reportLines(s.dir + "/r1.jsonl")
        let records = report.dropLast()
        XCTAssertEqual(records.count, 9, file: file, line: line)
        let received = Set(records.filter { $0["status"] as? String == "received" }.compactMap { $0["path"] as? String })
        XCTAssertEqual(Set(PullCommandTests.dcmFiles(out)), received, "reported received ≠ in the output", file: file, line: line)
        for r in records where r["status"] as? String != "received" {
            XCTAssertEqual(r["status"] as? String, "failed", file: file, line: line)
            XCTAssertTrue((r["comment"] as? String ?? "").hasPrefix("not received"), "\(r)", file: file, line: line)
        }
        try assertIdentical(received, originals, file: file, line: line)
        XCTAssertEqual(allFiles(out).filter { !$0.hasSuffix(".dcm") }, [], "partial or staging files in the output", file: file, line: line)
        let summary = report.last?["summary"] as? [String: Any] ?? [:]
        XCTAssertEqual(summary["exitStatus"] as? Int, Int(expect), file: file, line: line)
        XCTAssertEqual(summary["stoppedBecause"] == nil, expect == 0, "\(summary)", file: file, line: line)
        assertNoTemporaries(s, file: file, line: line)
        XCTAssertEqual(try cmr(s, ["audit", "verify", s.audit]).status, 0, file: file, line: line)

        // The rerun asks only for what is missing and completes the study, byte for byte.
        proxy.dropConnections()
        let again = try cmr(s, ["pull", "--study", study, "--out", out, "--report", s.dir + "/r2.jsonl"] + from)
        XCTAssertEqual(again.status, 0, again.err, file: file, line: line)
        let records2 = try PullCommandTests.reportLines(s.dir + "/r2.jsonl").dropLast()
        XCTAssertEqual(Set(records2.filter { $0["status"] as? String == "exists" }.compactMap { $0["path"] as? String }), received, file: file, line: line)
        XCTAssertEqual(records2.filter { $0["status"] as? String == "received" }.count, 9 - received.count, file: file, line: line)
        let all = PullCommandTests.dcmFiles(out)
        XCTAssertEqual(all.count, 9, file: file, line: line)
        try assertIdentical(Set(all), originals, file: file, line: line)
        assertNoTemporaries(s, file: file, line: line)
        XCTAssertEqual(try cmr(s, ["audit", "verify", s.audit]).status, 0, file: file, line: line)
        return (summary, received.count, r.err)
    }

    /// Every file of `paths` (named `<SOP Instance UID>.dcm`) has the bytes of the original of that UID.
    func assertIdentical(_ paths: Set<String>, _ originals: [String], file: StaticString, line: UInt) throws {
        var byUID: [String: String] = [:]
        for o in originals { byUID[try STOWInstance(path: o).sopInstanceUID] = o }
        for p in paths {
            let uid = String(FilePath.name(of: p).dropLast(4))
            let original = try XCTUnwrap(byUID[uid], "\(p) is no original", file: file, line: line)
            XCTAssertEqual(FileManager.default.contents(atPath: p), FileManager.default.contents(atPath: original), "\(p) differs", file: file, line: line)
        }
    }

    /// Every regular file and folder entry under `dir`, hidden ones included.
    func allFiles(_ dir: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + p, isDirectory: &isDir), !isDir.boolValue { out.append(dir + "/" + p) }
            else if FilePath.name(of: p).hasPrefix(".") { out.append(dir + "/" + p) }
        }
        return out
    }

    /// In the middle of the second part of the second series' response (the QIDO answers are
    /// under 5 KB; a file 33 KB).
    static func midSecondSeries(_ fileSize: Int) -> Int { 5_000 + 4 * fileSize + fileSize / 2 }

    /// Cut toward cmr in the middle of the second series' multipart response, no retries: the
    /// first series and the complete first part of the second are in the output, whole; the rest
    /// failed; partial (1). (Orthanc ends such a response by closing the connection, so the cut
    /// shows as a body without its close delimiter: a connection lost, not a broken protocol.)
    func testWADOCutMidResponse() throws {
        let (summary, received, _) = try pull(.cut, after: Self.midSecondSeries, expect: 1, seed: 94)
        XCTAssertEqual(received, 4)
        XCTAssertEqual(summary["stored"] as? Int, 4, "\(summary)")
        XCTAssertTrue((summary["stoppedBecause"] as? String ?? "").contains("broke off"), "\(summary)")
    }

    /// Regression: the same cut with retries. It was taken for a broken protocol (76, never
    /// retried); it is a connection lost: the missing instances are asked for again (0).
    func testWADOCutMidResponseThenRetrySucceeds() throws {
        let (summary, received, _) = try pull(.cut, after: Self.midSecondSeries, retries: 2, expect: 0, seed: 96)
        XCTAssertEqual(received, 9)
        XCTAssertEqual(summary["stored"] as? Int, 9, "\(summary)")
    }

    /// The server stops sending in the middle of the first part of the first series' response:
    /// the timeout (2 s) ends the run, nothing in the output; 75, the reason is the timeout.
    func testWADOStallMidResponseTimesOut() throws {
        let (summary, received, err) = try pull(.stall, after: { 5_000 + $0 / 2 }, expect: 75, seed: 95)
        XCTAssertEqual(received, 0)
        XCTAssertTrue((summary["stoppedBecause"] as? String ?? "").contains("timed out"), "\(summary)")
        XCTAssertTrue(err.contains("timed out"), err)
    }
}
