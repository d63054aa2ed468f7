import Foundation
import XCTest
import DICOMCore
import DICOMCoding
@testable import DICOMNetwork

/// The asynchronous operations window (PS3.7 D.3.3.3) over the in-memory transport: what is
/// granted, several C-STORE requests in flight, responses matched by Message ID in any order.
extension AssociationTests {
    func parameters(window: UInt16?) -> AssociationParameters {
        var p = parameters()
        p.asynchronousOperationsWindow = window.map { AsynchronousOperationsWindow(maximumInvoked: $0, maximumPerformed: 1) }
        return p
    }

    /// A peer run by `script` on its own thread; returns the client end and a wait for the script's error.
    func peer(_ policy: AcceptancePolicy, _ script: @escaping @Sendable (Association) throws -> Void) -> (MemoryTransport, () -> Error?) {
        let (client, server) = MemoryTransport.pair()
        final class Box: @unchecked Sendable { var error: Error? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            do { try script(try Association.accept(over: server, policy: policy)) } catch { box.error = error }
            server.close()
            done.signal()
        }.start()
        return (client, { done.wait(); return box.error })
    }

    func policy(window: UInt16) -> AcceptancePolicy {
        var p = AcceptancePolicy(aeTitle: "SCP", abstractSyntaxes: [Self.secondaryCapture: [TransferSyntax.implicitVRLittleEndianUID],
                                                                   verificationSOPClassUID: [TransferSyntax.implicitVRLittleEndianUID]])
        p.operationsWindow = window
        return p
    }

    func testWindowArithmetic() {
        func w(_ a: UInt16, _ b: UInt16) -> AsynchronousOperationsWindow { AsynchronousOperationsWindow(maximumInvoked: a, maximumPerformed: b) }
        XCTAssertEqual(Association.window(proposed: nil, granted: w(4, 1), isRequestor: true), 1)
        XCTAssertEqual(Association.window(proposed: w(8, 1), granted: nil, isRequestor: true), 1, "no item in the AC: one at a time")
        XCTAssertEqual(Association.window(proposed: w(8, 1), granted: w(4, 1), isRequestor: true), 4)
        XCTAssertEqual(Association.window(proposed: w(8, 1), granted: w(20, 1), isRequestor: true), 8, "never more than proposed")
        XCTAssertEqual(Association.window(proposed: w(8, 1), granted: w(0, 1), isRequestor: true), 8, "0 granted: unlimited, so what was proposed")
        XCTAssertEqual(Association.window(proposed: w(0, 1), granted: w(5, 1), isRequestor: true), 5)
        XCTAssertEqual(Association.window(proposed: w(8, 3), granted: w(4, 2), isRequestor: false), 2, "the acceptor performs")
        var p = policy(window: 16)
        XCTAssertNil(p.window(for: nil))
        XCTAssertEqual(p.window(for: w(8, 8)), w(8, 1))
        XCTAssertEqual(p.window(for: w(64, 1)), w(16, 1))
        XCTAssertEqual(p.window(for: w(0, 0)), w(16, 1))
        p.operationsWindow = 1
        XCTAssertEqual(p.window(for: w(8, 1)), w(1, 1))
    }

    /// The storage SCP grants min(proposed, 16), performed 1; nothing proposed, nothing answered.
    func testStorageSCPGrantsTheWindowAndStoresEverySentRequest() throws {
        let dir = try folder()
        let out = dir + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (proposed, granted) in [(UInt16?.none, 1), (8, 8), (64, 16)] {
            let scp = StorageSCP(directory: out, aeTitle: "SCP")
            let (client, finished) = serve(scp)
            let a = try Association.request(over: client, parameters: parameters(window: proposed))
            XCTAssertEqual(a.operationsWindow, granted)
            XCTAssertEqual(a.acceptance.userInformation.asynchronousOperationsWindow,
                           proposed.map { _ in AsynchronousOperationsWindow(maximumInvoked: UInt16(granted), maximumPerformed: 1) })
            // The whole window goes out before the first response is read.
            var sent: [UInt16] = []
            for i in 0..<a.operationsWindow {
                let path = try writeFile(dir, instance: "1.2.3.\(granted).\(i)", pixels: 3000 + i)
                sent.append(try a.sendStore(file: DICOMFileSource(path: path)))
            }
            var answered: [UInt16] = []
            while answered.count < sent.count {
                let (id, response) = try a.receiveResponse(among: Set(sent).subtracting(answered), expecting: .cStoreRSP)
                XCTAssertEqual(response.status, .success)
                answered.append(id)
            }
            XCTAssertEqual(answered, sent, "this SCP answers in order")
            try a.release()
            XCTAssertNil(finished())
            XCTAssertEqual(scp.received.count, granted)
            for r in scp.received {
                let original = try DICOMFileSource(path: dir + "/\(r.sopInstanceUID).src")
                let stored = try DICOMFileSource(path: r.path)
                XCTAssertEqual(Array(stored.storage.buffer(stored.dataSetRange)), Array(original.storage.buffer(original.dataSetRange)))
            }
        }
    }

    /// A peer that holds three requests, checks that no fourth comes while the window is full, and
    /// answers them last first: the requestor matches each response to its request.
    func testResponsesOutOfOrderAreMatchedAndTheWindowIsNeverExceeded() throws {
        let dir = try folder()
        final class Seen: @unchecked Sendable { var overflow = false; var instances: [String] = [] }
        let seen = Seen()
        let (client, finished) = peer(policy(window: 3)) { a in
            for _ in 0..<2 {
                var held: [(CommandSet, UInt8)] = []
                for _ in 0..<3 {
                    guard let (command, context, data) = try a.receiveMessage(timeout: 5) else { return }
                    XCTAssertNotNil(data)
                    held.append((command, context))
                }
                usleep(200_000)
                if try a.responseIsWaiting() { seen.overflow = true }
                for (command, context) in held.reversed() {
                    seen.instances.append(command.affectedSOPInstanceUID ?? "")
                    try a.sendCommand(.response(to: command, status: .success), contextID: context)
                }
            }
            XCTAssertNil(try a.receiveMessage(timeout: 5), "then the release")
        }
        let a = try Association.request(over: client, parameters: parameters(window: 8))
        XCTAssertEqual(a.operationsWindow, 3)
        var sent: [UInt16: String] = [:]
        var answered: [String] = []
        func answer() throws {
            let (id, response) = try a.receiveResponse(among: Set(sent.keys), expecting: .cStoreRSP)
            XCTAssertEqual(response.command.affectedSOPInstanceUID, sent[id])
            answered.append(sent.removeValue(forKey: id)!)
        }
        for i in 0..<6 {
            if sent.count == a.operationsWindow { try answer() }
            let instance = "1.2.3.9.\(i)"
            sent[try a.sendStore(file: DICOMFileSource(path: try writeFile(dir, instance: instance)))] = instance
        }
        while !sent.isEmpty { try answer() }
        try a.release()
        XCTAssertNil(finished())
        XCTAssertFalse(seen.overflow, "a fourth request came while three were unanswered")
        XCTAssertEqual(answered, ["1.2.3.9.2", "1.2.3.9.1", "1.2.3.9.0", "1.2.3.9.5", "1.2.3.9.4", "1.2.3.9.3"])
        XCTAssertEqual(answered, seen.instances)
    }

    /// A response to a Message ID that is not outstanding is a protocol error, and the association is aborted.
    func testResponseToAnUnknownMessageIDAbortsTheAssociation() throws {
        let dir = try folder()
        let (client, finished) = peer(policy(window: 2)) { a in
            guard let (command, context, _) = try a.receiveMessage(timeout: 5) else { return }
            var wrong = CommandSet.response(to: command, status: .success)
            wrong.set(.messageIDBeingRespondedTo, UInt16(999))
            try a.sendCommand(wrong, contextID: context)
            _ = try? a.receiveMessage(timeout: 5)
        }
        let a = try Association.request(over: client, parameters: parameters(window: 2))
        let id = try a.sendStore(file: DICOMFileSource(path: try writeFile(dir, instance: "1.2.3.8")))
        XCTAssertThrowsError(try a.receiveResponse(among: [id], expecting: .cStoreRSP)) { error in
            XCTAssertEqual((error as? DICOMNetworkError)?.kind, .protocolError)
            XCTAssertTrue("\(error)".contains("to 999"), "\(error)")
        }
        XCTAssertEqual(a.state, .Sta1)
        _ = finished()
    }
}
