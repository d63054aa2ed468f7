import Foundation
import XCTest
import DICOMCore
import DICOMCoding
import DICOMNetwork

/// The built `cmr send` and `cmr echo` against DCMTK's storescp on 127.0.0.1 (TCP_NODELAY=1,
/// free ports): data sets arrive unchanged, refused syntaxes are transcoded, the journal makes
/// reruns send only the rest, a killed peer gives an exact report, the lock and the deadline give 75.
final class SendCommandTests: XCTestCase {
    typealias Peer = DIMSEInteropTests.Peer

    typealias Scratch = TransferScratch

    func testSendStoresEveryFileUnchangedThenRerunSkipsAll() throws {
        let s = try transferScratch()
        let peer = try DIMSEInteropTests.startStorescp()
        defer { DIMSEInteropTests.stop(peer) }
        let files = try synth(s, s.dir + "/in", ["--patients", "2", "--series", "CT,MR", "--instances", "3", "--rows", "32", "--columns", "32"])
        let r = try cmr(s, ["send", "--to", url(peer), "--report", s.dir + "/report.jsonl", "--associations", "2", s.dir + "/in"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.err, "", "quiet by default")
        let (records, summary) = try transferReport(s.dir + "/report.jsonl")
        XCTAssertEqual(records.count, files.count)
        XCTAssertEqual(summary["stored"] as? Int, files.count)
        XCTAssertEqual(summary["exitStatus"] as? Int, 0)
        XCTAssertEqual(summary["associations"] as? Int, 2)
        for record in records {
            XCTAssertEqual(record["status"] as? String, "stored")
            XCTAssertEqual(record["peerStatus"] as? String, "0000")
            XCTAssertEqual((record["sha256"] as? String)?.count, 64)
            XCTAssertNotNil(record["ms"])
        }
        // The data sets storescp wrote are the ones sent.
        let written = try FileManager.default.contentsOfDirectory(atPath: peer.directory)
        XCTAssertEqual(written.count, files.count)
        for path in files {
            let a = try DICOMReader.read(contentsOf: path)
            let uid = a.dataSet.string(Tag(0x0008_0018)) ?? "?"
            guard let name = written.first(where: { $0.hasSuffix("." + uid) }) else { XCTFail("\(uid) not received"); continue }
            let b = try DICOMReader.read(contentsOf: peer.directory + "/" + name)
            DIMSEInteropTests.assertSameLines(DIMSEInteropTests.describe(b.dataSet), DIMSEInteropTests.describe(a.dataSet), path)
        }
        // The audit record: 110104 to the peer, one object per study with its count; the chain verifies.
        let log = try String(contentsOfFile: s.audit, encoding: .utf8)
        let send = try XCTUnwrap(log.split(separator: "\n").last { $0.contains("\"110104\"") })
        XCTAssertTrue(send.contains("\"destination\":\"\(url(peer))\""), String(send))
        XCTAssertEqual(send.components(separatedBy: "\"count\":6").count - 1, 2, String(send))  // two studies of CT + MR
        let begin = try XCTUnwrap(log.split(separator: "\n").last { $0.contains("\"110102\"") }, "begin-transfer record")
        XCTAssertTrue(begin.contains("\"files\":\"\(files.count)\""), String(begin))
        XCTAssertEqual(try cmr(s, ["audit", "verify", s.audit]).status, 0)

        // The rerun sends nothing: all skipped by the journal.
        let again = try cmr(s, ["send", "--to", url(peer), "--json", s.dir + "/in"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(again.out.components(separatedBy: "\"status\":\"skipped\"").count - 1, files.count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: peer.directory).count, files.count)
        // --no-resume sends everything again.
        let all = try cmr(s, ["send", "--to", url(peer), "--no-resume", "--json", s.dir + "/in"])
        XCTAssertEqual(all.out.components(separatedBy: "\"status\":\"stored\"").count - 1, files.count, all.err)
    }

    /// A file over 1 MiB is hashed while it is sent: the report and the journal still have its
    /// digest (the one sha256sum gives), so the rerun skips it.
    func testLargeFileHashedDuringTransferIsJournaled() throws {
        let s = try transferScratch()
        let peer = try DIMSEInteropTests.startStorescp()
        defer { DIMSEInteropTests.stop(peer) }
        let file = try synth(s, s.dir + "/in", ["--patients", "1", "--instances", "1", "--rows", "512", "--columns", "512", "--frames", "3"])[0]
        let r = try cmr(s, ["send", "--to", url(peer), "--json", file])
        XCTAssertEqual(r.status, 0, r.err)
        let sum = try Peers.run("/usr/bin/sha256sum", [file]).out.prefix(64)
        XCTAssertTrue(r.out.contains("\"sha256\":\"\(sum)\""), r.out)
        let again = try cmr(s, ["send", "--to", url(peer), "--json", file])
        XCTAssertTrue(again.out.contains("\"status\":\"skipped\""), again.out)
    }

    func testEchoAnswersAndUnreachableIs69() throws {
        let s = try transferScratch()
        let peer = try DIMSEInteropTests.startStorescp()
        defer { DIMSEInteropTests.stop(peer) }
        let ok = try cmr(s, ["echo", "--count", "2", "--interval", "0.05", url(peer)])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertTrue(ok.out.contains("seq=2 status=0000"), ok.out)
        XCTAssertTrue(ok.out.contains("2 sent, 2 answered"), ok.out)
        let json = try cmr(s, ["echo", "--json", url(peer)])
        XCTAssertTrue(json.out.contains("\"status\":\"0000\""), json.out)
        let down = try cmr(s, ["echo", "--connect-timeout", "2", "dicom://X@127.0.0.1:\(try DIMSEInteropTests.freePort())"])
        XCTAssertEqual(down.status, 69, down.err)
        let sendDown = try cmr(s, ["send", "--to", "dicom://X@127.0.0.1:\(try DIMSEInteropTests.freePort())", "--retries", "1",
                                   try synth(s, s.dir + "/one", ["--patients", "1", "--instances", "1"])[0]])
        XCTAssertEqual(sendDown.status, 69, sendDown.err)
        // DICOMweb is SendWebTests' subject; plain http to another host is refused before any network.
        XCTAssertEqual(try cmr(s, ["send", "--to", "http://192.0.2.1/dicom-web", s.dir + "/one"]).status, 77)
    }

    /// storescp does not check the called AE title: cmr's own storage SCP does, in process.
    func testWrongCalledAETitleIs77WithTheReason() throws {
        let s = try transferScratch()
        let file = try synth(s, s.dir + "/in", ["--patients", "1", "--instances", "1"])[0]
        let scp = StorageSCP(directory: s.dir + "/scp", aeTitle: "RIGHT")
        let listener = try SocketListener(host: "127.0.0.1", port: 0)
        scp.start(listener)
        defer { scp.stop() }
        let echo = try cmr(s, ["echo", "dicom://WRONG@127.0.0.1:\(listener.port)"])
        XCTAssertEqual(echo.status, 77, echo.err)
        XCTAssertTrue(echo.err.contains("called AE title not recognized"), echo.err)
        let send = try cmr(s, ["send", "--to", "dicom://WRONG@127.0.0.1:\(listener.port)", "--report", s.dir + "/r.jsonl", file])
        XCTAssertEqual(send.status, 77, send.err)
        XCTAssertTrue(send.err.contains("called AE title not recognized"), send.err)
        let (records, summary) = try transferReport(s.dir + "/r.jsonl")
        XCTAssertEqual(records.first?["status"] as? String, "failed")
        XCTAssertEqual(summary["exitStatus"] as? Int, 77)
    }

    /// storescp +xi accepts implicit VR little endian only: explicit, deflated and RLE files are transcoded.
    func testRefusedSyntaxIsTranscoded() throws {
        let s = try transferScratch()
        let peer = try DIMSEInteropTests.startStorescp(["+xi"])
        defer { DIMSEInteropTests.stop(peer) }
        let explicit = try synth(s, s.dir + "/in/explicit", ["--patients", "1", "--instances", "1", "--rows", "32", "--columns", "32"])[0]
        let deflated = try synth(s, s.dir + "/in/deflated", ["--patients", "1", "--instances", "1", "--rows", "32", "--columns", "32",
                                                             "--transfer-syntax", "deflated", "--seed", "2"])[0]
        let rleSource = try synth(s, s.dir + "/src", ["--patients", "1", "--instances", "1", "--rows", "32", "--columns", "32", "--seed", "3"])[0]
        let rle = s.dir + "/in/rle.dcm"
        XCTAssertEqual(try Peers.run(try Peers.tool("/usr/bin/dcmcrle"), [rleSource, rle]).status, 0)
        let r = try cmr(s, ["send", "--to", url(peer), "--report", s.dir + "/r.jsonl", explicit, deflated, rle])
        XCTAssertEqual(r.status, 0, r.err)
        let (records, _) = try transferReport(s.dir + "/r.jsonl")
        XCTAssertEqual(records.map { $0["transcodedFrom"] as? String },
                       ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.5"])
        XCTAssertEqual(Set(records.map { $0["transferSyntax"] as? String }), ["1.2.840.10008.1.2"])
        let written = try FileManager.default.contentsOfDirectory(atPath: peer.directory)
        for (sent, original) in [(explicit, explicit), (deflated, deflated), (rle, rleSource)] {
            let a = try DICOMReader.read(contentsOf: original)
            let uid = a.dataSet.string(Tag(0x0008_0018)) ?? "?"
            guard let name = written.first(where: { $0.hasSuffix("." + uid) }) else { XCTFail("\(sent): not received"); continue }
            let b = try DICOMReader.read(contentsOf: peer.directory + "/" + name)
            XCTAssertEqual(b.transferSyntax.uid, TransferSyntax.implicitVRLittleEndianUID)
            XCTAssertEqual(b.dataSet[.pixelData]?.value.bytes, a.dataSet[.pixelData]?.value.bytes, sent)
            XCTAssertEqual(b.dataSet.string(Tag(0x0010_0010)), a.dataSet.string(Tag(0x0010_0010)))
        }
        let never = try cmr(s, ["send", "--to", url(peer), "--transcode", "never", "--no-resume", explicit])
        XCTAssertEqual(never.status, 77, never.err)
    }

    func start(_ args: [String], _ s: Scratch) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Peers.cmrPath())
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(s.environment) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func testPeerKilledMidTransferThenRerunSendsOnlyTheRest() throws {
        let s = try transferScratch()
        let files = try synth(s, s.dir + "/in", ["--patients", "1", "--series", "CT", "--instances", "100", "--rows", "64", "--columns", "64"])
        var peer = try DIMSEInteropTests.startStorescp()
        defer { DIMSEInteropTests.stop(peer) }
        let journal = s.dir + "/send.journal"
        let run = try start(["send", "--to", url(peer), "--journal", journal, "--max-rate", "150k", "--retries", "1",
                             "--connect-timeout", "2", "--report", s.dir + "/r1.jsonl", s.dir + "/in"], s)
        let until = Date(timeIntervalSinceNow: 20)
        while received(peer).count < 15 && Date() < until { usleep(20_000) }
        kill(peer.process.processIdentifier, SIGKILL)
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 1, "partial: some stored, then the peer went away")
        let (records, summary) = try transferReport(s.dir + "/r1.jsonl")
        XCTAssertEqual(records.count, files.count)
        let stored = Set(records.filter { $0["status"] as? String == "stored" }.compactMap { $0["sopInstanceUID"] as? String })
        let failed = records.filter { $0["status"] as? String == "failed" }
        let onDisk = received(peer)
        XCTAssertGreaterThanOrEqual(stored.count, 10)
        XCTAssertEqual(stored.count + failed.count, files.count)
        XCTAssertTrue(stored.isSubset(of: onDisk), "every acknowledged file is on the peer's disk")
        XCTAssertLessThanOrEqual(onDisk.subtracting(stored).count, 1, "at most the file in flight was written but not acknowledged")
        XCTAssertNotNil(summary["stoppedBecause"])
        XCTAssertEqual(summary["exitStatus"] as? Int, 1)

        // Peer back (another port, the same journal): only the rest goes.
        DIMSEInteropTests.stop(peer)
        peer = try DIMSEInteropTests.startStorescp()
        let rerun = try cmr(s, ["send", "--to", url(peer), "--journal", journal, "--report", s.dir + "/r2.jsonl", s.dir + "/in"])
        XCTAssertEqual(rerun.status, 0, rerun.err)
        let (_, summary2) = try transferReport(s.dir + "/r2.jsonl")
        XCTAssertEqual(summary2["skipped"] as? Int, stored.count)
        XCTAssertEqual(summary2["stored"] as? Int, failed.count)
        XCTAssertEqual(received(peer).count, failed.count)
    }

    func testSecondRunOnTheSameJournalIs75() throws {
        let s = try transferScratch()
        let peer = try DIMSEInteropTests.startStorescp()
        defer { DIMSEInteropTests.stop(peer) }
        _ = try synth(s, s.dir + "/in", ["--patients", "1", "--series", "CT", "--instances", "20", "--rows", "64", "--columns", "64"])
        let journal = s.dir + "/j.jsonl"
        let first = try start(["send", "--to", url(peer), "--journal", journal, "--max-rate", "20k", s.dir + "/in"], s)
        defer { if first.isRunning { first.terminate(); first.waitUntilExit() } }
        let until = Date(timeIntervalSinceNow: 10)
        while !FileManager.default.fileExists(atPath: journal + ".lock") && Date() < until { usleep(20_000) }
        usleep(200_000)
        let second = try cmr(s, ["send", "--to", url(peer), "--journal", journal, s.dir + "/in"])
        XCTAssertEqual(second.status, 75, second.err)
        XCTAssertTrue(second.err.contains("holds"), second.err)
    }

    func testDeadlineAgainstASlowPeerIs75() throws {
        let s = try transferScratch()
        let peer = try DIMSEInteropTests.startStorescp(["--sleep-during", "3"])
        defer { DIMSEInteropTests.stop(peer) }
        _ = try synth(s, s.dir + "/in", ["--patients", "1", "--series", "CT", "--instances", "2", "--rows", "32", "--columns", "32"])
        let t0 = Date()
        let r = try cmr(s, ["send", "--to", url(peer), "--deadline", "1s", "--report", s.dir + "/r.jsonl", s.dir + "/in"])
        XCTAssertEqual(r.status, 75, r.err)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 2.5)
        let (records, summary) = try transferReport(s.dir + "/r.jsonl")
        XCTAssertEqual(records.filter { $0["status"] as? String == "failed" }.count, 2)
        XCTAssertTrue((summary["stoppedBecause"] as? String)?.contains("deadline") == true, "\(summary)")
    }
}
