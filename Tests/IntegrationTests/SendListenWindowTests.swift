import Foundation
import XCTest
import DICOMNetwork

/// `cmr send` to `cmr listen`: the listener grants the asynchronous operations window the sender
/// proposes, so C-STOREs go several at a time on one association. Everything arrives with the
/// same data set bytes; the report says the window; a connection cut with requests in flight
/// loses nothing the report calls stored, and a rerun sends only the rest.
final class SendListenWindowTests: XCTestCase {
    struct Listener {
        var process: Process
        var port: UInt16
        var out: String
    }

    func startListen(_ s: TransferScratch, _ name: String, _ extra: [String] = []) throws -> Listener {
        let port = try DIMSEInteropTests.freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Peers.cmrPath())
        p.arguments = ["listen", "--out", s.dir + "/" + name, "--port", String(port), "--exec-idle", "0.2"] + extra
        p.environment = ProcessInfo.processInfo.environment.merging(s.environment) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        XCTAssertTrue(Peers.waitForPort(port), "cmr listen did not listen")
        let listener = Listener(process: p, port: port, out: s.dir + "/" + name)
        addTeardownBlock { if p.isRunning { kill(p.processIdentifier, SIGTERM); p.waitUntilExit() } }
        return listener
    }

    /// Every instance the listener holds (placed, or answered and still staged), by SOP Instance UID.
    func held(_ l: Listener) -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(atPath: l.out)
        while let name = e?.nextObject() as? String {
            let file = String(name.split(separator: "/").last ?? "")
            guard file.hasSuffix(".dcm"), !file.hasPrefix(".") else { continue }
            out[String(file.dropLast(4))] = l.out + "/" + name
        }
        return out
    }

    func synthesized(_ s: TransferScratch) throws -> [String: String] {
        let files = try synth(s, s.dir + "/in", ["--patients", "2", "--series", "CT,MR", "--instances", "10", "--rows", "64", "--columns", "64"])
        XCTAssertEqual(files.count, 40)
        var bySOP: [String: String] = [:]
        for f in files { bySOP[try DICOMFileSource(path: f).sopInstanceUID] = f }
        return bySOP
    }

    func testSendToListenUsesTheWindowAndEverythingArrivesUnchanged() throws {
        let s = try transferScratch()
        let originals = try synthesized(s)
        let l = try startListen(s, "out", ["--report", s.dir + "/listen.jsonl"])
        let r = try cmr(s, ["send", "--to", "dicom://CMR@127.0.0.1:\(l.port)", "--report", s.dir + "/r.jsonl", "--verbose", s.dir + "/in"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("over 1 association (window 8)"), r.err)
        let (records, summary) = try transferReport(s.dir + "/r.jsonl")
        XCTAssertEqual(summary["window"] as? Int, 8, "the default window, granted by cmr listen")
        XCTAssertEqual(summary["associations"] as? Int, 1)
        XCTAssertEqual(records.filter { $0["status"] as? String == "stored" }.count, 40)
        for _ in 0..<50 where held(l).count < 40 { usleep(100_000) }
        let arrived = held(l)
        XCTAssertEqual(Set(arrived.keys), Set(originals.keys))
        for (sop, path) in arrived {
            let a = try DICOMFileSource(path: path), b = try DICOMFileSource(path: originals[sop]!)
            XCTAssertEqual(Array(a.storage.buffer(a.dataSetRange)), Array(b.storage.buffer(b.dataSetRange)), "\(sop): data set changed")
            XCTAssertEqual(a.transferSyntaxUID, b.transferSyntaxUID)
        }

        // --window 1 proposes none: one at a time, and the report says so.
        let one = try cmr(s, ["send", "--to", "dicom://CMR@127.0.0.1:\(l.port)", "--window", "1", "--no-resume", "--report", s.dir + "/r1.jsonl", s.dir + "/in"])
        XCTAssertEqual(one.status, 0, one.err)
        XCTAssertEqual(try transferReport(s.dir + "/r1.jsonl").summary["window"] as? Int, 1)
        // A window wider than cmr listen grants (16) is cut down to it.
        let wide = try cmr(s, ["send", "--to", "dicom://CMR@127.0.0.1:\(l.port)", "--window", "64", "--no-resume", "--json", s.dir + "/in"])
        XCTAssertEqual(wide.status, 0, wide.err)
        XCTAssertTrue(wide.out.contains("\"window\":16"), wide.out)

        // cmr listen --report: written when it stops, one record per instance received, then the summary.
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/listen.jsonl"), "only when stopped")
        kill(l.process.processIdentifier, SIGTERM)
        l.process.waitUntilExit()
        XCTAssertEqual(l.process.terminationStatus, 0)
        let (received, listenSummary) = try transferReport(s.dir + "/listen.jsonl")
        XCTAssertEqual(received.count, 120)
        XCTAssertEqual(Set(received.filter { $0["status"] as? String == "received" }.compactMap { $0["sopInstanceUID"] as? String }), Set(originals.keys))
        XCTAssertEqual(received.filter { $0["status"] as? String == "exists" }.count, 80, "the two later sends found every file in place")
        for record in received where record["status"] as? String == "received" {
            let path = try XCTUnwrap(record["path"] as? String)
            XCTAssertEqual(record["sha256"] as? String, try Peers.run("/usr/bin/sha256sum", [path]).out.split(separator: " ").first.map(String.init))
        }
        XCTAssertEqual(listenSummary["command"] as? String, "listen")
        XCTAssertEqual(listenSummary["stored"] as? Int, 40)
        XCTAssertEqual(listenSummary["skipped"] as? Int, 80)
        XCTAssertGreaterThanOrEqual(listenSummary["associations"] as? Int ?? 0, 3, "connections accepted (the test's port probe is one too)")
        XCTAssertEqual(listenSummary["exitStatus"] as? Int, 0)
        XCTAssertEqual(try cmr(s, ["audit", "verify", s.audit]).status, 0)
    }

    /// Cut with requests in flight (on the way back: responses lost while the listener stored the
    /// files; on the way out: in the middle of a PDU). What the report calls stored is on the
    /// listener; at most a window's worth more arrived unreported; a rerun sends exactly the rest.
    func testCutWithRequestsInFlightThenRerunSendsOnlyTheRest() throws {
        for (direction, after) in [(FaultProxy.Direction.toClient, 2_000), (.toPeer, 150_000 + 777)] {
            let s = try transferScratch()
            let originals = try synthesized(s)
            let l = try startListen(s, "out")
            let proxy = try FaultProxy(to: l.port, fault: .cut, direction: direction, after: after)
            defer { proxy.stop() }
            let to = "dicom://CMR@127.0.0.1:\(proxy.port)"
            let r = try cmr(s, ["send", "--to", to, "--retries", "0", "--dimse-timeout", "2", "--report", s.dir + "/r1.jsonl", s.dir + "/in"])
            XCTAssertTrue(proxy.hasFired)
            XCTAssertEqual(r.status, 1, "\(direction): \(r.err)")
            let (records, summary) = try transferReport(s.dir + "/r1.jsonl")
            XCTAssertEqual(summary["window"] as? Int, 8)
            let stored = Set(records.filter { $0["status"] as? String == "stored" }.compactMap { $0["sopInstanceUID"] as? String })
            XCTAssertGreaterThan(stored.count, 0, "\(direction)")
            XCTAssertLessThan(stored.count, 40, "\(direction)")
            usleep(300_000)
            let onPeer = Set(held(l).keys)
            XCTAssertTrue(stored.isSubset(of: onPeer), "\(direction): reported stored but not there: \(stored.subtracting(onPeer))")
            XCTAssertLessThanOrEqual(onPeer.subtracting(stored).count, 8, "\(direction): more than the window arrived unreported")
            let notSent = records.filter { ($0["comment"] as? String)?.hasPrefix("not sent: ") == true }.count
            XCTAssertEqual(notSent, 40 - stored.count, "\(direction): every file not acknowledged is reported not sent")

            proxy.dropConnections()
            let again = try cmr(s, ["send", "--to", to, "--report", s.dir + "/r2.jsonl", s.dir + "/in"])
            XCTAssertEqual(again.status, 0, "\(direction): \(again.err)")
            let (records2, _) = try transferReport(s.dir + "/r2.jsonl")
            XCTAssertEqual(records2.filter { $0["status"] as? String == "skipped" }.count, stored.count, "\(direction)")
            let sentAgain = Set(records2.filter { $0["status"] as? String == "stored" }.compactMap { $0["sopInstanceUID"] as? String })
            XCTAssertEqual(sentAgain, Set(originals.keys).subtracting(stored), "\(direction): the rerun sends exactly the rest")
            for _ in 0..<50 where held(l).count < 40 { usleep(100_000) }
            XCTAssertEqual(Set(held(l).keys), Set(originals.keys), "\(direction)")
            XCTAssertEqual(try cmr(s, ["audit", "verify", s.audit]).status, 0)
        }
    }
}
