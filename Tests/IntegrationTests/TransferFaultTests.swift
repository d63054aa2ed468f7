import Foundation
import XCTest

/// Fault injection into `cmr send` (issue 9): a proxy between cmr and DCMTK's storescp cuts or
/// stalls the connection during the association, in the middle of a PDU, or on the way back
/// between instances. Each case must end with the specific exit status of docs/transfer.md, a
/// report whose "stored" instances are exactly on the peer (at most the one in flight is on the
/// peer without an acknowledgement), and a rerun (straight to the peer) that sends only the rest.
final class TransferFaultTests: XCTestCase {
    func run(_ fault: FaultProxy.Fault, _ direction: FaultProxy.Direction = .toPeer, after: Int, retries: Int = 0,
             extra: [String] = [], expect: Int32, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let s = try transferScratch()
        let peer = try DIMSEInteropTests.startStorescp()
        defer { DIMSEInteropTests.stop(peer) }
        let files = try synth(s, s.dir + "/in", ["--patients", "2", "--series", "CT,MR", "--instances", "10",
                                                         "--rows", "64", "--columns", "64"])
        XCTAssertEqual(files.count, 40, file: file, line: line)
        let proxy = try FaultProxy(to: peer.port, fault: fault, direction: direction, after: after)
        defer { proxy.stop() }
        let started = Date()
        let r = try cmr(s, ["send", "--to", "dicom://STORESCP@127.0.0.1:\(proxy.port)", "--retries", String(retries),
                                   "--dimse-timeout", "2", "--association-timeout", "2", "--report", s.dir + "/r1.jsonl"] + extra + [s.dir + "/in"])
        XCTAssertTrue(proxy.hasFired, "the fault was injected", file: file, line: line)
        XCTAssertEqual(r.status, expect, r.err, file: file, line: line)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "bounded by the timeouts", file: file, line: line)

        // The report: everything it calls stored is on the peer; at most one more (in flight) is there too.
        let (records, summary) = try transferReport(s.dir + "/r1.jsonl")
        XCTAssertEqual(records.count, 40, file: file, line: line)
        let stored = Set(records.filter { ["stored", "warning"].contains($0["status"] as? String) }.compactMap { $0["sopInstanceUID"] as? String })
        let onPeer = received(peer)
        XCTAssertTrue(stored.isSubset(of: onPeer), "reported stored but not on the peer: \(stored.subtracting(onPeer))", file: file, line: line)
        XCTAssertLessThanOrEqual(onPeer.subtracting(stored).count, 1, "more than the one in flight arrived unreported", file: file, line: line)
        XCTAssertEqual(summary["exitStatus"] as? Int, Int(expect), file: file, line: line)

        // A rerun to the same destination (the journal is per destination; the proxy now passes
        // everything through) sends exactly what was not acknowledged.
        proxy.dropConnections()
        let again = try cmr(s, ["send", "--to", "dicom://STORESCP@127.0.0.1:\(proxy.port)", "--report", s.dir + "/r2.jsonl", s.dir + "/in"])
        XCTAssertEqual(again.status, 0, again.err, file: file, line: line)
        let (records2, _) = try transferReport(s.dir + "/r2.jsonl")
        XCTAssertEqual(records2.filter { $0["status"] as? String == "skipped" }.count, stored.count, file: file, line: line)
        XCTAssertEqual(records2.filter { $0["status"] as? String == "stored" }.count, 40 - stored.count, file: file, line: line)
        XCTAssertEqual(received(peer).count, 40, file: file, line: line)
        XCTAssertEqual(try cmr(s, ["audit", "verify", s.audit]).status, 0, file: file, line: line)
        return summary
    }

    /// Cut while the A-ASSOCIATE-RQ is on its way: nothing stored, peer unavailable (69).
    func testCutDuringAssociation() throws {
        let summary = try run(.cut, after: 40, expect: 69)
        XCTAssertEqual(summary["stored"] as? Int, 0)
    }

    /// The same cut with retries: the next association goes through and everything is stored (0).
    func testCutDuringAssociationThenRetrySucceeds() throws {
        let s = try transferScratch()
        let peer = try DIMSEInteropTests.startStorescp()
        defer { DIMSEInteropTests.stop(peer) }
        _ = try synth(s, s.dir + "/in", ["--patients", "1", "--series", "CT", "--instances", "5", "--rows", "16", "--columns", "16"])
        let proxy = try FaultProxy(to: peer.port, fault: .cut, after: 40)
        defer { proxy.stop() }
        let r = try cmr(s, ["send", "--to", "dicom://STORESCP@127.0.0.1:\(proxy.port)", "--retries", "2", "--report", s.dir + "/r.jsonl", s.dir + "/in"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(proxy.hasFired)
        let (records, _) = try transferReport(s.dir + "/r.jsonl")
        XCTAssertEqual(records.filter { $0["status"] as? String == "stored" }.count, 5)
    }

    /// Cut in the middle of a P-DATA-TF, after some files were stored: partial (1).
    func testCutMidPDU() throws {
        let summary = try run(.cut, after: 150_000 + 777, expect: 1)
        XCTAssertGreaterThan(summary["stored"] as? Int ?? 0, 0)
        XCTAssertNotNil(summary["stoppedBecause"])
    }

    /// Cut on the way back, between instances (a response lost): partial (1).
    func testCutBetweenInstancesOnTheWayBack() throws {
        _ = try run(.cut, .toClient, after: 2_000, expect: 1)
    }

    /// The peer hangs in the middle of a PDU: the DIMSE timeout ends the run; partial (1), the
    /// reason is the timeout.
    func testStallMidPDU() throws {
        let summary = try run(.stall, after: 150_000 + 777, expect: 1)
        XCTAssertTrue((summary["stoppedBecause"] as? String ?? "").contains("no data within 2"), "\(summary)")
    }
}
