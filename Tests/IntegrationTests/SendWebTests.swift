import Foundation
import XCTest
import DICOMCore
import DICOMweb
#if canImport(Glibc)
import Glibc
#endif

/// The built `cmr send --to http://127.0.0.1:PORT/dicom-web` against Orthanc with its DICOMweb
/// plugin and basic auth (one Orthanc for the class; the stopped-server test starts its own):
/// store and rerun (0), a corrupt instance in a batch (1), a wrong password (77), plain http to
/// another host (77, no server), a server stopped mid-run (1) and the rerun that sends the rest.
final class SendWebTests: OrthancTestCase {
    func synth(_ s: Scratch, _ dir: String, seed: Int, instances: Int = 3) throws -> [String] {
        let r = try Peers.run(try Peers.cmrPath(), ["synth", "--out", dir, "--print-paths", "--patients", "1", "--series", "CT,MR",
                                                   "--instances", String(instances), "--rows", "32", "--columns", "32", "--seed", String(seed)],
                              environment: s.environment)
        XCTAssertEqual(r.status, 0, r.err)
        return r.out.split(separator: "\n").map { $0.hasPrefix("/") ? String($0) : dir + "/" + $0 }
    }

    func cmr(_ s: Scratch, _ args: [String]) throws -> Peers.Result {
        try Peers.run(try Peers.cmrPath(), args, environment: s.environment)
    }

    func report(_ path: String) throws -> (records: [[String: Any]], summary: [String: Any]) {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        return (objects.dropLast().map { $0 }, objects.last?["summary"] as? [String: Any] ?? [:])
    }

    /// SOP Instance UIDs Orthanc has for `study` (QIDO-RS).
    func stored(_ o: OrthancPeer, study: String) throws -> Set<String> {
        let c = try DICOMwebClient(base: o.base, options: .init(credentials: .basic(user: OrthancPeer.user, password: OrthancPeer.password)),
                                   transport: URLSessionTransport(idleTimeout: 20))
        return Set(try c.searchAll(QIDOQuery(.instances, study: study)).compactMap { $0.string(.sopInstanceUID) })
    }

    func uids(_ files: [String]) throws -> (study: String, instances: Set<String>) {
        let i = try files.map { try STOWInstance(path: $0) }
        return (i[0].studyInstanceUID, Set(i.map(\.sopInstanceUID)))
    }

    func testSendStoresEveryInstanceThenRerunSkipsAll() throws {
        let o = try peer()
        let s = try scratch()
        let files = try synth(s, s.dir + "/in", seed: 31)
        let to = o.base.absoluteString
        let r = try cmr(s, ["send", "--to", to, "--user-file", s.userFile, "--batch-count", "4", "--report", s.dir + "/report.jsonl", s.dir + "/in"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.err, "", "quiet by default")
        let (records, summary) = try report(s.dir + "/report.jsonl")
        XCTAssertEqual(records.count, files.count)
        XCTAssertEqual(summary["stored"] as? Int, files.count)
        XCTAssertEqual(summary["peer"] as? String, to)
        for record in records {
            XCTAssertEqual(record["status"] as? String, "stored")
            XCTAssertEqual(record["peerStatus"] as? String, "200")
            XCTAssertEqual((record["sha256"] as? String)?.count, 64)
        }
        let (study, instances) = try uids(files)
        XCTAssertEqual(try stored(o, study: study), instances)
        // Audit: begin and end records name the URL; the chain verifies.
        let log = try String(contentsOfFile: s.audit, encoding: .utf8)
        let send = try XCTUnwrap(log.split(separator: "\n").last { $0.contains("\"110104\"") })
        XCTAssertTrue(send.contains("\"destination\":\"\(to.replacingOccurrences(of: "/", with: "\\/"))\"") || send.contains("\"destination\":\"\(to)\""), String(send))
        XCTAssertTrue(log.contains("\"110102\""))
        XCTAssertEqual(try cmr(s, ["audit", "verify", s.audit]).status, 0)
        // The journal (one per destination) has every instance: the rerun sends nothing.
        let journals = try FileManager.default.contentsOfDirectory(atPath: s.dir + "/journal").filter { !$0.hasSuffix(".lock") }
        XCTAssertEqual(journals.count, 1)
        let lines = try String(contentsOfFile: s.dir + "/journal/" + journals[0], encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, files.count)
        let again = try cmr(s, ["send", "--to", to, "--user-file", s.userFile, "--json", s.dir + "/in"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(again.out.components(separatedBy: "\"status\":\"skipped\"").count - 1, files.count)
    }

    func testCorruptInstanceInABatchFailsAndTheOthersAreStored() throws {
        let o = try peer()
        let s = try scratch()
        let files = try synth(s, s.dir + "/in", seed: 32)
        let (study, instances) = try uids(files)
        // The last file keeps its meta header (so its UIDs are known) and gets garbage for a data set.
        let bad = files.last!
        let original = try Data(contentsOf: URL(fileURLWithPath: bad))
        let groupLength = original[140..<144].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var corrupt = original.prefix(144 + groupLength)
        corrupt.append(Data((0..<400).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }))
        try corrupt.write(to: URL(fileURLWithPath: bad))
        let badUID = try STOWInstance(path: files.last!).sopInstanceUID

        let r = try cmr(s, ["send", "--to", o.base.absoluteString, "--user-file", s.userFile, "--report", s.dir + "/report.jsonl", s.dir + "/in"])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains(bad), r.err)
        let (records, summary) = try report(s.dir + "/report.jsonl")
        XCTAssertEqual(summary["stored"] as? Int, files.count - 1)
        XCTAssertEqual(summary["failed"] as? Int, 1)
        let failed = try XCTUnwrap(records.first { $0["status"] as? String == "failed" })
        XCTAssertEqual(failed["path"] as? String, bad)
        XCTAssertEqual(try stored(o, study: study), instances.subtracting([badUID]))
    }

    func testWrongPasswordIs77AndPlainHTTPToAnotherHostIsRefused() throws {
        let o = try peer()
        let s = try scratch(password: "wrong")
        _ = try synth(s, s.dir + "/in", seed: 34, instances: 1)
        let r = try cmr(s, ["send", "--to", o.base.absoluteString, "--user-file", s.userFile, s.dir + "/in"])
        XCTAssertEqual(r.status, 77, r.err)
        XCTAssertTrue(r.err.contains("401"), r.err)
        // No server needed: refused before anything is read.
        let plain = try cmr(s, ["send", "--to", "http://192.0.2.1/dicom-web", "--user-file", s.userFile, s.dir + "/in"])
        XCTAssertEqual(plain.status, 77, plain.err)
        XCTAssertTrue(plain.err.contains("unencrypted") && plain.err.contains("--allow-insecure"), plain.err)
        let inURL = try cmr(s, ["send", "--to", "https://u:p@192.0.2.1/dicom-web", s.dir + "/in"])
        XCTAssertEqual(inURL.status, 64, inURL.err)
        let mixed = try cmr(s, ["send", "--to", "dicom://PACS@192.0.2.1:104", "--user-file", s.userFile, s.dir + "/in"])
        XCTAssertEqual(mixed.status, 64, mixed.err)
        XCTAssertTrue(mixed.err.contains("--user-file applies to DICOMweb"), mixed.err)
    }

    /// Orthanc stopped after the first batches: the report names what was stored and what not
    /// (1); the rerun with the same journal stores only the rest (into a new Orthanc, since the
    /// test peer removes its storage when stopped).
    func testServerStoppedMidRunThenRerunStoresTheRest() throws {
        _ = try peer()
        let first = try OrthancPeer.start()
        defer { first.stop() }
        let s = try scratch()
        let files = try synth(s, s.dir + "/in", seed: 33, instances: 6)
        let journal = s.dir + "/send.journal"
        let size = try FileManager.default.attributesOfItem(atPath: files[0])[.size] as! Int
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Peers.cmrPath())
        p.arguments = ["send", "--to", first.base.absoluteString, "--user-file", s.userFile, "--journal", journal, "--batch-count", "2",
                       "--max-rate", String(size * 4), "--retries", "2", "--report", s.dir + "/report.jsonl", s.dir + "/in"]
        p.environment = ProcessInfo.processInfo.environment.merging(s.environment) { $1 }
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let err = Pipe()
        p.standardError = err
        try p.run()
        let until = Date().addingTimeInterval(30)
        while Date() < until, ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n").count < 2 { usleep(20_000) }
        first.stop()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("not sent"), stderr)
        let (records, summary) = try report(s.dir + "/report.jsonl")
        let stored = records.filter { $0["status"] as? String == "stored" }.count
        XCTAssertGreaterThanOrEqual(stored, 2)
        XCTAssertLessThan(stored, files.count)
        XCTAssertEqual(summary["failed"] as? Int, files.count - stored)
        XCTAssertNotNil(summary["stoppedBecause"] as? String)

        let second = try OrthancPeer.start()
        defer { second.stop() }
        let again = try cmr(s, ["send", "--to", second.base.absoluteString, "--user-file", s.userFile, "--journal", journal,
                                "--report", s.dir + "/again.jsonl", s.dir + "/in"])
        XCTAssertEqual(again.status, 0, again.err)
        let (_, summary2) = try report(s.dir + "/again.jsonl")
        XCTAssertEqual(summary2["skipped"] as? Int, stored)
        XCTAssertEqual(summary2["stored"] as? Int, files.count - stored)
        let study = try uids(files).study
        XCTAssertEqual(try self.stored(second, study: study).count, files.count - stored)
    }
}
