import Foundation
import XCTest
import DICOMCore
import DICOMCoding
import DICOMNetwork
import CMRKit

/// `cmr query`, `cmr pull` and `cmr listen`, the built binary against DCMTK on 127.0.0.1:
/// `dcmqrscp` (TCP_NODELAY=1; it forks a child per association) holding two synthetic studies, loaded by `storescu`.
final class PullCommandTests: XCTestCase {
    final class QR: @unchecked Sendable {
        var process: Process?
        let dir: String
        let port: UInt16
        let movePort: UInt16
        init(dir: String, port: UInt16, movePort: UInt16) {
            self.dir = dir
            self.port = port
            self.movePort = movePort
        }
        var from: String { "dicom://QRSCP@127.0.0.1:\(port)" }
    }

    nonisolated(unsafe) static var qr: QR?
    nonisolated(unsafe) static var originals: [String: [String]] = [:]   // study UID → files

    override class func tearDown() {
        if let p = qr?.process, p.isRunning { p.terminate(); p.waitUntilExit() }
        if let dir = qr?.dir { try? FileManager.default.removeItem(atPath: dir) }
        qr = nil
        super.tearDown()
    }

    static func freePort() throws -> UInt16 {
        let l = try SocketListener(host: "127.0.0.1", port: 0)
        defer { l.close() }
        return l.port
    }

    /// dcmqrscp with its database, started (again, after a test killed it) when not running.
    func peer() throws -> QR {
        let tool = try Peers.tool("/usr/bin/dcmqrscp")
        let storescu = try Peers.tool("/usr/bin/storescu")
        if let qr = Self.qr, qr.process?.isRunning == true { return qr }
        let qr: QR
        var load = false
        if let existing = Self.qr {
            qr = existing
        } else {
            let dir = NSTemporaryDirectory() + "cmr-pull-it-\(getpid())"
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir + "/db", withIntermediateDirectories: true)
            qr = QR(dir: dir, port: try Self.freePort(), movePort: try Self.freePort())
            try Peers.dcmqrscpConfig(port: qr.port, database: dir + "/db", moveDestinations: [("CMRMOVE", qr.movePort)])
                .write(toFile: dir + "/qr.cfg", atomically: true, encoding: .utf8)
            Self.qr = qr
            load = true
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-c", qr.dir + "/qr.cfg", String(qr.port)]
        p.environment = ProcessInfo.processInfo.environment.merging(["TCP_NODELAY": "1"]) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        qr.process = p
        XCTAssertTrue(Peers.waitForPort(qr.port), "dcmqrscp did not listen")
        if load {
            var o = Synthesizer.Options()
            o.patients = 2
            o.series = ["CT", "MR"]
            o.instancesPerSeries = 3
            o.rows = 32
            o.columns = 32
            let files = try Synthesizer(options: o).write(to: qr.dir + "/src").sorted()
            Self.originals = Dictionary(grouping: files) { try! DICOMReader.read(contentsOf: $0).dataSet.string(.studyInstanceUID) ?? "" }
            let r = try Peers.run(storescu, ["-aec", "QRSCP"] + ["127.0.0.1", String(qr.port)] + files)
            XCTAssertEqual(r.status, 0, r.err)
        }
        return qr
    }

    /// Runs the built cmr with a test audit log and fast retries.
    func cmr(_ args: [String], audit: String? = nil) throws -> Peers.Result {
        try Peers.run(try Peers.cmrPath(), args, environment: [
            "CMR_AUDIT_LOG": audit ?? NSTemporaryDirectory() + "cmr-pull-it-audit-\(getpid()).log", "CMR_RETRY_BASE_SECONDS": "0.01"])
    }

    /// kill -9 of a process and its children (dcmqrscp serves each association in a child).
    static func killTree(_ pid: Int32) {
        kill(pid, SIGSTOP)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == pid { kill(child, SIGKILL) }
        }
        kill(pid, SIGKILL)
    }

    static func dcmFiles(_ dir: String) -> [String] {
        (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".dcm") && !$0.contains(".cmr-incoming-") }.map { dir + "/" + $0 }.sorted()
    }

    static func reportLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    func testQueryAtEveryLevelAsTableAndJSON() throws {
        let qr = try peer()
        let studies = Self.originals.keys.sorted()
        let table = try cmr(["query", "--from", qr.from])
        XCTAssertEqual(table.status, 0, table.err)
        let lines = table.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].hasPrefix("StudyDate"))
        for s in studies { XCTAssertTrue(table.out.contains(s)) }

        let json = try cmr(["query", "--from", qr.from, "--json", "-k", "StudyDescription"])
        XCTAssertEqual(json.status, 0, json.err)
        let matches = try XCTUnwrap(JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]])
        XCTAssertEqual(Set(matches.compactMap { (($0["0020000D"] as? [String: Any])?["Value"] as? [String])?.first }), Set(studies))

        let series = try cmr(["query", "--from", qr.from, "--level", "series", "--study", studies[0], "--json"])
        XCTAssertEqual(series.status, 0, series.err)
        let seriesMatches = try XCTUnwrap(JSONSerialization.jsonObject(with: series.stdout) as? [[String: Any]])
        XCTAssertEqual(seriesMatches.count, 2)
        let seriesUID = try XCTUnwrap(((seriesMatches[0]["0020000E"] as? [String: Any])?["Value"] as? [String])?.first)
        let images = try cmr(["query", "--from", qr.from, "--level", "image", "--study", studies[0], "--series", seriesUID])
        XCTAssertEqual(images.status, 0, images.err)
        XCTAssertEqual(images.out.split(separator: "\n").count, 4)   // header + 3 instances

        let limited = try cmr(["query", "--from", qr.from, "--limit", "1", "--json"])
        XCTAssertEqual(limited.status, 0, limited.err)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: limited.stdout) as? [Any])?.count, 1)
        XCTAssertEqual(try cmr(["query", "--from", qr.from, "--level", "series"]).status, 64)   // needs --study
    }

    /// C-GET of one study: every file, data sets identical to the originals, report, audit
    /// records the verifier accepts; a rerun finds everything present and writes nothing.
    func testPullByGetThenRerunWritesNothing() throws {
        let qr = try peer()
        let dir = try Peers.temporaryFolder(self)
        let audit = dir + "/audit.log"
        let study = Self.originals.keys.sorted()[0]
        let r = try cmr(["pull", "--from", qr.from, "--study", study, "--out", dir + "/out", "--report", dir + "/r1.jsonl", "--print-paths"], audit: audit)
        XCTAssertEqual(r.status, 0, r.err)
        let files = Self.dcmFiles(dir + "/out")
        XCTAssertEqual(files.count, Self.originals[study]!.count)
        XCTAssertEqual(Set(r.out.split(separator: "\n").map(String.init)), Set(files))
        for original in Self.originals[study]! {
            let ds = try DICOMReader.read(contentsOf: original).dataSet
            let sop = ds.string(.sopInstanceUID)!, series = ds.string(.seriesInstanceUID)!, patient = ds.string(.patientID)!
            let path = "\(dir)/out/\(patient)/\(study)/\(series)/\(sop).dcm"
            XCTAssertTrue(files.contains(path), path)
            DIMSEInteropTests.assertSameLines(DIMSEInteropTests.describe(try DICOMReader.read(contentsOf: path).dataSet),
                                              DIMSEInteropTests.describe(ds), path)
        }
        let report = try Self.reportLines(dir + "/r1.jsonl")
        XCTAssertEqual(report.dropLast().filter { $0["status"] as? String == "received" && ($0["sha256"] as? String)?.count == 64 }.count, files.count)
        XCTAssertEqual((report.last?["summary"] as? [String: Any])?["exitStatus"] as? Int, 0)
        let log = try String(contentsOfFile: audit, encoding: .utf8)
        XCTAssertTrue(log.contains("\"110112\""))
        XCTAssertTrue(log.contains("\"110104\""))
        XCTAssertEqual(try cmr(["audit", "verify", audit]).status, 0)

        let mtimes = try files.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as! Date }
        let again = try cmr(["pull", "--from", qr.from, "--study", study, "--out", dir + "/out", "--report", dir + "/r2.jsonl"], audit: audit)
        XCTAssertEqual(again.status, 0, again.err)
        let report2 = try Self.reportLines(dir + "/r2.jsonl")
        XCTAssertEqual(report2.dropLast().map { $0["status"] as? String }, Array(repeating: "exists", count: files.count))
        XCTAssertEqual(try files.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as! Date }, mtimes)
        XCTAssertEqual(Self.dcmFiles(dir + "/out").count, files.count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/out").filter { $0.hasPrefix(".") }, [])
    }

    /// A disk that fills up during a pull: non-zero, the report names exactly what arrived, no
    /// partial or staging file left; with room, a rerun fetches only the rest.
    func testPullIntoAFullDiskThenRerunWithRoom() throws {
        let qr = try peer()
        let dir = try Peers.temporaryFolder(self)
        let study = Self.originals.keys.sorted()[1]
        let disk = try DiskFullTests.smallDisk(self, dir, "disk", size: "16k")
        let first = try cmr(["pull", "--from", qr.from, "--study", study, "--out", disk + "/out", "--report", dir + "/r1.jsonl"])
        XCTAssertNotEqual(first.status, 0, first.err)
        XCTAssertTrue(first.err.contains("No space left on device") || first.err.contains("out of resources"), first.err)
        let arrived = Self.dcmFiles(disk + "/out")
        XCTAssertLessThan(arrived.count, Self.originals[study]!.count)
        let allFiles = (FileManager.default.enumerator(atPath: disk + "/out")?.allObjects as? [String] ?? [])
        XCTAssertFalse(allFiles.contains { $0.contains(".cmr-") }, "staging or temporary files left: \(allFiles)")
        for f in arrived { XCTAssertNoThrow(try DICOMReader.read(contentsOf: f), f) }
        let report = try Self.reportLines(dir + "/r1.jsonl")
        let received = report.dropLast().filter { $0["status"] as? String == "received" }.count
        XCTAssertEqual(received, arrived.count, "the report names exactly what arrived")
        XCTAssertEqual((report.last?["summary"] as? [String: Any])?["exitStatus"] as? Int, Int(first.status))

        XCTAssertEqual(try Peers.run("/bin/mount", ["-o", "remount,size=4m", disk]).status, 0)
        let again = try cmr(["pull", "--from", qr.from, "--study", study, "--out", disk + "/out", "--report", dir + "/r2.jsonl"])
        XCTAssertEqual(again.status, 0, again.err)
        let report2 = try Self.reportLines(dir + "/r2.jsonl").dropLast()
        XCTAssertEqual(report2.filter { $0["status"] as? String == "exists" }.count, arrived.count)
        XCTAssertEqual(report2.filter { $0["status"] as? String == "received" }.count, Self.originals[study]!.count - arrived.count)
        XCTAssertEqual(Self.dcmFiles(disk + "/out").count, Self.originals[study]!.count)
    }

    /// The connection cut in the middle of a C-GET sub-operation (inside a C-STORE coming back):
    /// non-zero, the report names exactly the files on disk, nothing partial; a rerun completes.
    func testCutDuringCGetSubOperation() throws {
        let qr = try peer()
        let dir = try Peers.temporaryFolder(self)
        let study = Self.originals.keys.sorted()[0]
        let proxy = try FaultProxy(to: qr.port, fault: .cut, direction: .toClient, after: 20_000)
        defer { proxy.stop() }
        let from = "dicom://QRSCP@127.0.0.1:\(proxy.port)"
        let first = try cmr(["pull", "--from", from, "--study", study, "--out", dir + "/out", "--retries", "0", "--report", dir + "/r1.jsonl"])
        XCTAssertTrue(proxy.hasFired)
        XCTAssertNotEqual(first.status, 0, first.err)
        let arrived = Self.dcmFiles(dir + "/out")
        let all = (FileManager.default.enumerator(atPath: dir + "/out")?.allObjects as? [String] ?? [])
        XCTAssertFalse(all.contains { $0.contains(".cmr-") }, "staging or temporary files left: \(all)")
        for f in arrived { XCTAssertNoThrow(try DICOMReader.read(contentsOf: f), f) }
        let report = try Self.reportLines(dir + "/r1.jsonl")
        XCTAssertEqual(report.dropLast().filter { $0["status"] as? String == "received" }.count, arrived.count)
        XCTAssertLessThan(arrived.count, Self.originals[study]!.count)
        proxy.dropConnections()
        let again = try cmr(["pull", "--from", from, "--study", study, "--out", dir + "/out", "--report", dir + "/r2.jsonl"])
        XCTAssertEqual(again.status, 0, again.err)
        let report2 = try Self.reportLines(dir + "/r2.jsonl").dropLast()
        XCTAssertEqual(report2.filter { $0["status"] as? String == "exists" }.count, arrived.count)
        XCTAssertEqual(Self.dcmFiles(dir + "/out").count, Self.originals[study]!.count)
    }

    /// `--series`: only that series of the study, asked for at series level; `--series` alone is 64.
    func testPullOneSeries() throws {
        let qr = try peer()
        let dir = try Peers.temporaryFolder(self)
        let study = Self.originals.keys.sorted()[0]
        let bySeries = Dictionary(grouping: Self.originals[study]!) { try! DICOMReader.read(contentsOf: $0).dataSet.string(.seriesInstanceUID)! }
        let series = try XCTUnwrap(bySeries.keys.sorted().first)
        let r = try cmr(["pull", "--from", qr.from, "--study", study, "--series", series, "--out", dir + "/out", "--layout", "flat"])
        XCTAssertEqual(r.status, 0, r.err)
        let got = Set(Self.dcmFiles(dir + "/out").map { FilePath.name(of: $0) })
        let want = Set(bySeries[series]!.map { try! DICOMReader.read(contentsOf: $0).dataSet.string(.sopInstanceUID)! + ".dcm" })
        XCTAssertEqual(got, want)
        XCTAssertEqual(try cmr(["pull", "--from", qr.from, "--series", series, "--out", dir + "/out"]).status, 64)
    }

    func testPullViaMoveToOwnStorageSCP() throws {
        let qr = try peer()
        let dir = try Peers.temporaryFolder(self)
        let study = Self.originals.keys.sorted()[1]
        let r = try cmr(["pull", "--from", qr.from, "--study", study, "--out", dir, "--layout", "flat",
                         "--via", "move", "--listen", "CMRMOVE@127.0.0.1:\(qr.movePort)"])
        XCTAssertEqual(r.status, 0, r.err)
        let expected = try Set(Self.originals[study]!.map { try DICOMFileSource(path: $0).sopInstanceUID + ".dcm" })
        XCTAssertEqual(Set(Self.dcmFiles(dir).map { ($0 as NSString).lastPathComponent }), expected)
    }

    /// An AE title dcmqrscp does not know: rejected permanently, 77 with the reason; no match: 1.
    func testRejectedIs77AndNoMatchIs1() throws {
        let qr = try peer()
        let dir = try Peers.temporaryFolder(self)
        let rejected = try cmr(["pull", "--from", "dicom://NOSUCHAE@127.0.0.1:\(qr.port)", "--out", dir])
        XCTAssertEqual(rejected.status, 77, rejected.err)
        XCTAssertTrue(rejected.err.contains("rejected"), rejected.err)
        let none = try cmr(["pull", "--from", qr.from, "--study", "1.2.3.4.5.6.7", "--out", dir])
        XCTAssertEqual(none.status, 1, none.err)
        XCTAssertTrue(none.err.contains("no study matched"), none.err)
    }

    func testUnreachablePeerIs69() throws {
        let dir = try Peers.temporaryFolder(self)
        let r = try cmr(["pull", "--from", "dicom://QRSCP@127.0.0.1:\(try Self.freePort())", "--out", dir, "--retries", "1"])
        XCTAssertEqual(r.status, 69, r.err)
        XCTAssertTrue(r.err.contains("cannot connect"), r.err)
    }

    /// kill -9 of the peer in the middle of a slow pull: non-zero exit, a report naming what was
    /// and was not received; after a restart, the rerun completes only the rest.
    func testPeerKilledMidPullThenRerunCompletesTheRest() throws {
        let qr = try peer()
        let dir = try Peers.temporaryFolder(self)
        let total = Self.originals.values.map(\.count).reduce(0, +)
        let out = dir + "/out"
        let killer = DispatchWorkItem {
            for _ in 0..<200 where Self.dcmFiles(out).isEmpty { usleep(50_000) }   // the first file is in place
            Self.killTree(qr.process!.processIdentifier)
        }
        DispatchQueue.global().async(execute: killer)
        let r = try cmr(["pull", "--from", qr.from, "--out", dir + "/out", "--max-rate", "6k", "--retries", "1", "--report", dir + "/r1.jsonl"])
        qr.process!.waitUntilExit()
        XCTAssertNotEqual(r.status, 0, r.err)
        let first = Self.dcmFiles(dir + "/out")
        XCTAssertGreaterThan(first.count, 0, "nothing arrived before the kill: \(r.err)")
        XCTAssertLessThan(first.count, total)
        let report = try Self.reportLines(dir + "/r1.jsonl")
        XCTAssertEqual(report.filter { $0["status"] as? String == "received" }.count, first.count)
        XCTAssertGreaterThan(report.filter { $0["status"] as? String == "failed" }.count, 0)
        XCTAssertNotNil((report.last?["summary"] as? [String: Any])?["stoppedBecause"])

        _ = try peer()   // restarted, same database
        let again = try cmr(["pull", "--from", qr.from, "--out", dir + "/out", "--report", dir + "/r2.jsonl"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(Self.dcmFiles(dir + "/out").count, total)
        let report2 = try Self.reportLines(dir + "/r2.jsonl")
        XCTAssertEqual(report2.filter { $0["status"] as? String == "exists" }.count, first.count)
        XCTAssertEqual(report2.filter { $0["status"] as? String == "received" }.count, total - first.count)
    }

    /// cmr listen receiving from storescu: the tree, --exec once per study with the study in its
    /// environment, SIGTERM → 0 with no staging files left.
    func testListenReceivesRunsExecAndStopsOnSIGTERM() throws {
        _ = try peer()   // the originals
        let storescu = try Peers.tool("/usr/bin/storescu")
        let dir = try Peers.temporaryFolder(self)
        let port = try Self.freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Peers.cmrPath())
        p.arguments = ["listen", "--out", dir + "/in", "--port", String(port), "--exec-idle", "0.3", "--print-paths",
                       "--exec", "echo \"$CMR_STUDY_UID $CMR_STUDY_FILES $CMR_STUDY_DIR\" >> '\(dir)/marks'"]
        var env = ProcessInfo.processInfo.environment
        env["CMR_AUDIT_LOG"] = dir + "/audit.log"
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        XCTAssertTrue(Peers.waitForPort(port), "cmr listen did not listen")
        let files = Self.originals.values.flatMap { $0 }
        let send = try Peers.run(storescu, ["-aec", "CMR", "127.0.0.1", String(port)] + files)
        XCTAssertEqual(send.status, 0, send.err)
        for _ in 0..<60 where ((try? String(contentsOfFile: dir + "/marks", encoding: .utf8)) ?? "").split(separator: "\n").count < 2 { usleep(100_000) }
        kill(p.processIdentifier, SIGTERM)
        let printed = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(Self.dcmFiles(dir + "/in").count, files.count)
        XCTAssertEqual(String(decoding: printed, as: UTF8.self).split(separator: "\n").count, files.count)
        let marks = try String(contentsOfFile: dir + "/marks", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(Set(marks.map { String($0.split(separator: " ")[0]) }), Set(Self.originals.keys))
        for m in marks { XCTAssertEqual(m.split(separator: " ")[1], "6") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/in").filter { $0.hasPrefix(".") }, [])
        XCTAssertEqual(try cmr(["audit", "verify", dir + "/audit.log"]).status, 0)
    }

    /// A storage SCP killed after answering a C-STORE but before placing the file leaves it in
    /// staging; the sender was told it was stored. The next `cmr listen` places it (and drops a
    /// temporary cut short) instead of deleting it.
    func testListenRecoversWhatAKilledRunAcknowledged() throws {
        _ = try peer()
        let dir = try Peers.temporaryFolder(self)
        let original = try XCTUnwrap(Self.originals.values.first?.first)
        let stale = dir + "/in/.cmr-incoming-999999-42"
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: true)
        let ds = try DICOMReader.read(contentsOf: original).dataSet
        let sop = try XCTUnwrap(ds.string(.sopInstanceUID))
        try FileManager.default.copyItem(atPath: original, toPath: stale + "/" + sop + ".dcm")
        try Data("half a file".utf8).write(to: URL(fileURLWithPath: stale + "/.x.dcm.cmr-1.tmp"))
        try Data(repeating: 0, count: 40).write(to: URL(fileURLWithPath: stale + "/2.25.1.dcm"))
        let port = try Self.freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Peers.cmrPath())
        p.arguments = ["listen", "--out", dir + "/in", "--port", String(port), "--exec-idle", "0.2"]
        p.environment = ProcessInfo.processInfo.environment.merging(["CMR_AUDIT_LOG": dir + "/audit.log"]) { $1 }
        let err = Pipe()
        p.standardError = err
        try p.run()
        XCTAssertTrue(Peers.waitForPort(port), "cmr listen did not listen")
        kill(p.processIdentifier, SIGTERM)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, stderr)
        let placed = "\(dir)/in/\(ds.string(.patientID)!)/\(ds.string(.studyInstanceUID)!)/\(ds.string(.seriesInstanceUID)!)/\(sop).dcm"
        XCTAssertEqual(FileManager.default.contents(atPath: placed), FileManager.default.contents(atPath: original), "recovered byte for byte")
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale), "the stale staging folder is gone")
        XCTAssertTrue(stderr.contains("recovered 1 instance"), stderr)
        XCTAssertTrue(stderr.contains("2.25.1.dcm: incomplete"), stderr)
        let log = try String(contentsOfFile: dir + "/audit.log", encoding: .utf8)
        XCTAssertTrue(log.contains(sop), "the recovered instance is audited")
        XCTAssertEqual(try cmr(["audit", "verify", dir + "/audit.log"]).status, 0)
    }
}
