import Foundation
import XCTest
import DICOMCore
import DICOMCoding
@testable import DICOMNetwork

/// C-GET over the memory transport against a scripted SCP: C-STORE sub-operations arrive on the
/// same association, are written to disk fragment by fragment and answered; the final response's
/// counts come back. Also the acceptor's ARTIM.
final class RetrieveTests: XCTestCase {
    static let getModel = "1.2.840.10008.5.1.4.1.2.2.3"

    func testGetReceivesSubOperationsOnTheSameAssociation() throws {
        let dir = NSTemporaryDirectory() + "cmr-get-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let instances = ["1.2.3.1", "1.2.3.2", "1.2.3.3"]
        let (client, server) = MemoryTransport.pair()
        final class Box: @unchecked Sendable { var error: Error?; var statuses: [DIMSEStatus] = [] }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            defer { done.signal() }
            do {
                let policy = AcceptancePolicy(abstractSyntaxes: [Self.getModel: [TransferSyntax.explicitVRLittleEndianUID],
                                                                 AssociationTests.secondaryCapture: [TransferSyntax.implicitVRLittleEndianUID]],
                                              maximumReceiveLength: 4096)
                let scp = try Association.accept(over: server, policy: policy)
                guard let (rq, getContext, identifier) = try scp.receiveMessage(timeout: 5) else { return }
                XCTAssertEqual(rq.commandField, .cGetRQ)
                XCTAssertFalse(identifier?.isEmpty ?? true)
                let storage = try XCTUnwrap(scp.context(for: AssociationTests.secondaryCapture))
                for (i, uid) in instances.enumerated() {
                    let store = CommandSet.cStoreRQ(messageID: UInt16(100 + i), sopClass: AssociationTests.secondaryCapture, sopInstance: uid)
                    try scp.sendCommand(store, contextID: storage.id)
                    try AssociationTests.dataSet(instance: uid, pixels: 3000).withUnsafeBytes {
                        try scp.sendMessagePart($0, contextID: storage.id, isCommand: false)
                    }
                    guard let (rsp, _, _) = try scp.receiveMessage(timeout: 5) else { return }
                    XCTAssertEqual(rsp.commandField, .cStoreRSP)
                    XCTAssertEqual(rsp.messageIDBeingRespondedTo, UInt16(100 + i))
                    box.statuses.append(rsp.status!)
                    var pending = CommandSet.response(to: rq, status: .pending)
                    pending.set(.numberOfRemainingSuboperations, UInt16(instances.count - i - 1))
                    pending.set(.numberOfCompletedSuboperations, UInt16(i + 1))
                    try scp.sendCommand(pending, contextID: getContext)
                }
                var final = CommandSet.response(to: rq, status: .success)
                final.set(.numberOfCompletedSuboperations, UInt16(instances.count))
                final.set(.numberOfFailedSuboperations, 0)
                final.set(.numberOfWarningSuboperations, 0)
                try scp.sendCommand(final, contextID: getContext)
                _ = try scp.receiveMessage(timeout: 5)   // the release
            } catch {
                box.error = error
            }
        }.start()

        var p = AssociationParameters(callingAETitle: "CMR", calledAETitle: "QR", timeouts: NetworkTimeouts(connect: 2, association: 2, dimse: 5))
        p.propose(Self.getModel, transferSyntaxes: [TransferSyntax.explicitVRLittleEndianUID])
        p.propose(AssociationTests.secondaryCapture, transferSyntaxes: [TransferSyntax.implicitVRLittleEndianUID])
        p.roleSelections = [RoleSelection(sopClassUID: AssociationTests.secondaryCapture, scuRole: false, scpRole: true)]
        let a = try Association.request(over: client, parameters: p)
        XCTAssertEqual(a.peerMaximumLength, 4096)
        var received: [ReceivedInstance] = []
        var pendings = 0
        let key = DataSet([DataElement(.queryRetrieveLevel, .CS, bytes: Array("STUDY ".utf8))])
        let final = try a.get(key, informationModel: Self.getModel, into: dir,
                              onInstance: { instance, status in
                                  XCTAssertEqual(status, .success)
                                  received.append(instance)
                              },
                              onPending: { _ in pendings += 1 })
        try a.release()
        done.wait()
        XCTAssertNil(box.error)
        XCTAssertEqual(final.status, .success)
        XCTAssertEqual(final.command.subOperations, SubOperationCounts(remaining: nil, completed: 3, failed: 0, warning: 0))
        XCTAssertEqual(pendings, 3)
        XCTAssertEqual(box.statuses, [.success, .success, .success])
        XCTAssertEqual(received.map(\.sopInstanceUID), instances)
        for r in received {
            let source = try DICOMFileSource(path: r.path)
            XCTAssertEqual(source.sopInstanceUID, r.sopInstanceUID)
            XCTAssertEqual(Array(source.storage.buffer(source.dataSetRange)), AssociationTests.dataSet(instance: r.sopInstanceUID, pixels: 3000))
        }
    }

    func testAcceptorGivesUpAfterARTIMWhenNoRequestComes() throws {
        let (_client, server) = MemoryTransport.pair()
        let policy = AcceptancePolicy(abstractSyntaxes: [:], timeouts: NetworkTimeouts(association: 0.2))
        let start = Date()
        XCTAssertThrowsError(try Association.accept(over: server, policy: policy)) {
            XCTAssertEqual(($0 as? DICOMNetworkError)?.kind, .timeout)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        withExtendedLifetime(_client) {}
    }
}
