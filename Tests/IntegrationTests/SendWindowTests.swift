import Foundation
import XCTest
import DICOMCore
import DICOMCoding
@testable import DICOMNetwork
@testable import CMRKit

/// `cmr send`'s worker with an asynchronous operations window, over the in-memory transport
/// against a scripted peer: responses out of order, the window never exceeded, and a cut with
/// three requests in flight accounted for exactly (only answered files are done and journaled;
/// the three go back to the queue, or to the next association when a retry is allowed).
final class SendWindowTests: XCTestCase {
    /// What the peer saw, for the assertions.
    final class Log: @unchecked Sendable {
        let lock = NSLock()
        var overflow = false
        var answered: [String] = []
        var inFlightAtCut: [String] = []
    }

    /// Eight small files (scan order = instance order) and their items.
    func scanned(_ dir: String) throws -> [SendItem] {
        let s = try transferScratch()
        _ = try synth(s, dir, ["--patients", "1", "--series", "CT", "--instances", "8", "--rows", "16", "--columns", "16"])
        let items = SendScanner(journal: nil).scan([dir], readStdin: { [] }).items
        XCTAssertEqual(items.count, 8)
        return items
    }

    /// The first association: grants 4, takes 4 requests (then checks no fifth comes while they are
    /// unanswered), answers them last first; takes the next 4, answers the second only, and cuts.
    static func cuttingPeer(_ server: MemoryTransport, _ log: Log) {
        var policy = AcceptancePolicy(abstractSyntaxes: [:], otherAbstractSyntaxes: StorageSCP.defaultTransferSyntaxes)
        policy.operationsWindow = 4
        do {
            let a = try Association.accept(over: server, policy: policy)
            func take(_ n: Int) throws -> [(CommandSet, UInt8)] {
                try (0..<n).map { _ in
                    guard let (command, context, _) = try a.receiveMessage(timeout: 5) else { throw DICOMNetworkError(.unavailable, "released") }
                    return (command, context)
                }
            }
            func answer(_ held: (CommandSet, UInt8)) throws {
                log.lock.withLock { log.answered.append(held.0.affectedSOPInstanceUID ?? "") }
                try a.sendCommand(.response(to: held.0, status: .success), contextID: held.1)
            }
            let first = try take(4)
            usleep(200_000)
            if try a.responseIsWaiting() { log.lock.withLock { log.overflow = true } }
            for held in first.reversed() { try answer(held) }
            let second = try take(4)
            try answer(second[1])
            usleep(100_000)
            log.lock.withLock { log.inFlightAtCut = [second[0], second[2], second[3]].map { $0.0.affectedSOPInstanceUID ?? "" } }
        } catch {
            XCTFail("the scripted peer: \(error)")
        }
        server.close()
    }

    func run(retries: Int, later: StorageSCP?) throws -> (records: [Int: TransferRecord], journal: [String], queue: [String],
                                                         state: RunState, log: Log, items: [SendItem]) {
        let dir = try Peers.temporaryFolder(self)
        let items = try scanned(dir + "/in")
        let log = Log()
        final class Connections: @unchecked Sendable { var count = 0; let lock = NSLock() }
        let connections = Connections()
        let plan = PresentationPlan(pairs: items.map { ($0.source.sopClassUID, $0.source.transferSyntaxUID) })
        var destination = DIMSEDestination(address: DIMSEAddress(aeTitle: "PEER", host: "127.0.0.1", port: 1), callingAETitle: "CMR",
                                           timeouts: NetworkTimeouts(connect: 2, association: 2, dimse: 5), plan: plan,
                                           limiter: nil, transcode: .auto, window: 8)
        destination.connect = { _ in
            let (client, server) = MemoryTransport.pair()
            let n = connections.lock.withLock { connections.count += 1; return connections.count }
            Thread {
                if n == 1 { Self.cuttingPeer(server, log) } else { try? later?.serve(server); server.close() }
            }.start()
            return client
        }
        var request = SendRequest(inputs: [dir + "/in"], destination: .dimse(destination.address), retry: RetryPolicy(retries: retries, base: 0.01))
        request.window = 8
        let journalPath = dir + "/journal.jsonl"
        let journal = try TransferJournal(path: journalPath)
        let queue = WorkQueue(items)
        let state = RunState()
        final class Records: @unchecked Sendable { var byIndex: [Int: TransferRecord] = [:] }
        let records = Records()
        SendWorker(request: request, destination: destination, group: 0, queue: queue, state: state, journal: journal,
                   finished: { r, i in records.byIndex[i] = r }).run()
        journal.sync()
        let lines = try String(contentsOfFile: journalPath, encoding: .utf8).split(separator: "\n")
        let journaled = try lines.map { try JSONDecoder().decode(TransferJournal.Entry.self, from: Data($0.utf8)).sop }
        var left: [String] = []
        while let item = queue.take() { left.append(item.source.sopInstanceUID) }
        return (records.byIndex, journaled, left, state, log, items)
    }

    /// No retry: the five answered files are stored and journaled, in the order answered; the three
    /// in flight are not (they are back in the queue, so the run reports them not sent); the run
    /// stopped on the lost connection.
    func testCutWithThreeInFlightIsAccountedExactly() throws {
        let r = try run(retries: 0, later: nil)
        XCTAssertFalse(r.log.overflow, "a fifth request came while four were unanswered")
        let uids = r.items.map(\.source.sopInstanceUID)
        XCTAssertEqual(r.log.answered, [uids[3], uids[2], uids[1], uids[0], uids[5]], "answered last first, then the second of the next four")
        XCTAssertEqual(Set(r.records.values.map(\.status)), [.stored])
        XCTAssertEqual(Set(r.records.values.compactMap(\.sopInstanceUID)), Set(r.log.answered))
        XCTAssertEqual(Set(r.records.keys), [0, 1, 2, 3, 5])
        XCTAssertEqual(r.journal, r.log.answered, "journaled as answered, nothing else")
        XCTAssertEqual(r.log.inFlightAtCut, [uids[4], uids[6], uids[7]])
        XCTAssertEqual(r.queue, r.log.inFlightAtCut, "the three in flight are left to send, in order")
        XCTAssertEqual(r.state.stopError?.exitStatus, 69, "\(String(describing: r.state.stopError))")
        XCTAssertEqual(r.state.window, 4, "the window granted, within the 8 asked")
        XCTAssertTrue(r.records.values.allSatisfy { $0.sha256?.count == 64 && $0.attempts == 1 })
    }

    /// One retry: a new association (to this module's storage SCP) carries exactly the three that
    /// were in flight; every file ends stored, each journaled once.
    func testCutWithThreeInFlightThenRetrySendsThoseThree() throws {
        let out = try Peers.temporaryFolder(self, "scp")
        let scp = StorageSCP(directory: out)
        let r = try run(retries: 1, later: scp)
        XCTAssertNil(r.state.stopError)
        XCTAssertEqual(r.records.count, 8)
        XCTAssertEqual(Set(r.records.values.map(\.status)), [.stored])
        XCTAssertEqual(Set(scp.received.map(\.sopInstanceUID)), Set(r.log.inFlightAtCut))
        XCTAssertEqual(scp.received.count, 3)
        XCTAssertEqual(Set(r.journal), Set(r.items.map(\.source.sopInstanceUID)))
        XCTAssertEqual(r.journal.count, 8)
        for (i, record) in r.records {
            XCTAssertEqual(record.attempts, [4, 6, 7].contains(i) ? 2 : 1, "file \(i)")
        }
        XCTAssertEqual(r.state.associations, 2)
        XCTAssertTrue(r.queue.isEmpty)
    }
}
