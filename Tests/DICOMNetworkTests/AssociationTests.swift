import Foundation
import XCTest
import DICOMCore
import DICOMCoding
@testable import DICOMNetwork

/// Associations end to end over the in-memory transport: the SCU API against this module's storage SCP.
final class AssociationTests: XCTestCase {
    static let secondaryCapture = "1.2.840.10008.5.1.4.1.1.7"

    /// An implicit VR little endian data set: SOP class and instance, a name, and `pixels` bytes of pixel data.
    static func dataSet(instance: String, pixels: Int) -> [UInt8] {
        var out: [UInt8] = []
        func element(_ group: UInt16, _ element: UInt16, _ value: [UInt8]) {
            var v = value
            if v.count % 2 == 1 { v.append(0) }
            out += [UInt8(group & 0xFF), UInt8(group >> 8), UInt8(element & 0xFF), UInt8(element >> 8)]
            let n = UInt32(v.count)
            out += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
            out += v
        }
        element(0x0008, 0x0016, Array(secondaryCapture.utf8))
        element(0x0008, 0x0018, Array(instance.utf8))
        element(0x0010, 0x0010, Array("Doe^Jane".utf8))
        element(0x7FE0, 0x0010, (0..<pixels).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        return out
    }

    func writeFile(_ dir: String, instance: String, pixels: Int = 5000, syntax: String = TransferSyntax.implicitVRLittleEndianUID) throws -> String {
        let path = dir + "/\(instance).src"
        let bytes = Part10Header.bytes(sopClass: Self.secondaryCapture, sopInstance: instance, transferSyntax: syntax, sourceAETitle: nil)
            + Self.dataSet(instance: instance, pixels: pixels)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "cmr-dimse-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// Runs `scp` on one end of a memory pair in a thread; returns the other end and a wait for the SCP's outcome.
    func serve(_ scp: StorageSCP) -> (MemoryTransport, () -> Error?) {
        let (client, server) = MemoryTransport.pair()
        final class Box: @unchecked Sendable { var error: Error? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            do { try scp.serve(server) } catch { box.error = error }
            done.signal()
        }.start()
        return (client, { done.wait(); return box.error })
    }

    func parameters(called: String = "SCP", maxReceive: UInt32 = 1 << 20, syntaxes: [String] = [TransferSyntax.implicitVRLittleEndianUID]) -> AssociationParameters {
        var p = AssociationParameters(callingAETitle: "CMR", calledAETitle: called, maximumReceiveLength: maxReceive,
                                      timeouts: NetworkTimeouts(connect: 2, association: 2, dimse: 5))
        p.propose(verificationSOPClassUID, transferSyntaxes: [TransferSyntax.implicitVRLittleEndianUID])
        p.propose(Self.secondaryCapture, transferSyntaxes: syntaxes)
        return p
    }

    func testEchoStoreAndReleaseWithSmallPDUs() throws {
        let dir = try folder()
        let out = dir + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let scp = StorageSCP(directory: out, aeTitle: "SCP")
        scp.policy.maximumReceiveLength = 512           // the SCU must fragment to this
        let (client, finished) = serve(scp)
        client.recordsWrites = true
        let association = try Association.request(over: client, parameters: parameters())
        XCTAssertEqual(association.peerMaximumLength, 512)
        XCTAssertEqual(association.acceptedContexts.map(\.id), [1, 3])
        XCTAssertEqual(association.state, .Sta6)

        XCTAssertEqual(try association.echo().status, .success)
        let source = try DICOMFileSource(path: try writeFile(dir, instance: "1.2.3.4"))
        XCTAssertEqual(source.sopClassUID, Self.secondaryCapture)
        let response = try association.store(file: source)
        XCTAssertEqual(response.status, .success)
        XCTAssertEqual(response.command.affectedSOPInstanceUID, "1.2.3.4")
        try association.release()
        XCTAssertEqual(association.state, .Sta1)
        XCTAssertNil(finished())

        // Every P-DATA-TF within the peer's maximum, header and fragment in one write.
        for write in client.writes where write.first == 0x04 {
            let length = Int(write[2]) << 24 | Int(write[3]) << 16 | Int(write[4]) << 8 | Int(write[5])
            XCTAssertLessThanOrEqual(length, 512)
            XCTAssertEqual(length, write.count - 6)
        }
        XCTAssertGreaterThan(client.writes.filter { $0.first == 0x04 }.count, 10)

        let stored = try DICOMFileSource(path: out + "/1.2.3.4.dcm")
        XCTAssertEqual(Array(stored.storage.buffer(stored.dataSetRange)), Array(source.storage.buffer(source.dataSetRange)))
        XCTAssertEqual(stored.transferSyntaxUID, TransferSyntax.implicitVRLittleEndianUID)
        let reread = try DICOMReader.read(stored.storage)
        XCTAssertEqual(reread.dataSet.string(.patientName), "Doe^Jane")
        XCTAssertEqual(scp.received.map(\.sopInstanceUID), ["1.2.3.4"])
        XCTAssertEqual(scp.received.first?.callingAETitle, "CMR")
    }

    func testWrongCalledAETitleIsATypedRejection() throws {
        let scp = StorageSCP(directory: try folder(), aeTitle: "SCP")
        let (client, finished) = serve(scp)
        XCTAssertThrowsError(try Association.request(over: client, parameters: parameters(called: "ELSEWHERE"))) {
            let e = $0 as? DICOMNetworkError
            XCTAssertEqual(e?.kind, .rejected)
            XCTAssertEqual(e?.reject, AAssociateRJ(result: .permanent, source: .serviceUser, reason: 7))
            XCTAssertTrue(e?.message.contains("called AE title not recognized") ?? false, e?.message ?? "")
        }
        XCTAssertEqual((finished() as? DICOMNetworkError)?.kind, .rejected)
    }

    func testCallingAETitleNotAllowedIsRejectedWithReason3() throws {
        let scp = StorageSCP(directory: try folder(), aeTitle: "SCP")
        scp.policy.allowedCallingAETitles = ["MODALITY"]
        let (client, finished) = serve(scp)
        XCTAssertThrowsError(try Association.request(over: client, parameters: parameters())) {
            XCTAssertEqual(($0 as? DICOMNetworkError)?.reject, AAssociateRJ(result: .permanent, source: .serviceUser, reason: 3))
            XCTAssertTrue(($0 as? DICOMNetworkError)?.message.contains("calling AE title not recognized") ?? false)
        }
        XCTAssertEqual((finished() as? DICOMNetworkError)?.kind, .rejected)
    }

    func testFileInARefusedTransferSyntaxIsNotAccepted() throws {
        let dir = try folder()
        let scp = StorageSCP(directory: dir, aeTitle: "SCP", transferSyntaxes: [TransferSyntax.explicitVRLittleEndianUID])
        let (client, finished) = serve(scp)
        let association = try Association.request(over: client, parameters: parameters(syntaxes: [TransferSyntax.implicitVRLittleEndianUID]))
        XCTAssertNil(association.context(for: Self.secondaryCapture))
        XCTAssertEqual(association.acceptance.presentationContexts.last?.result, .transferSyntaxesNotSupported)
        XCTAssertThrowsError(try association.store(file: DICOMFileSource(path: writeFile(dir, instance: "9.9")))) {
            XCTAssertEqual(($0 as? DICOMNetworkError)?.kind, .notAccepted)
        }
        try association.release()
        XCTAssertNil(finished())
    }

    func testPeerAbortIsReportedAsRejection() throws {
        let (client, server) = MemoryTransport.pair()
        Thread {
            var decoder = PDUDecoder()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = (try? buffer.withUnsafeMutableBytes { try server.read(into: $0, timeout: 5) }) ?? 0
                if n == 0 { return }
                decoder.feed(buffer[0..<n])
                if case .associateRQ? = try? decoder.next() {
                    try? server.write(PDU.abort(AAbort(source: .serviceProvider, reason: .unrecognizedPDUParameter)).encoded())
                }
            }
        }.start()
        XCTAssertThrowsError(try Association.request(over: client, parameters: parameters())) {
            XCTAssertEqual(($0 as? DICOMNetworkError)?.kind, .rejected)
        }
    }

    func testMalformedPDUFromThePeerAbortsWithAProtocolError() throws {
        let (client, server) = MemoryTransport.pair()
        final class Box: @unchecked Sendable { var received: [PDU] = [] }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread {
            var decoder = PDUDecoder()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = (try? buffer.withUnsafeMutableBytes { try server.read(into: $0, timeout: 5) }) ?? 0
                if n == 0 { break }
                decoder.feed(buffer[0..<n])
                while let pdu = try? decoder.next() {
                    box.received.append(pdu)
                    if case .associateRQ = pdu { try? server.write([0x02, 0, 0, 0, 0, 3, 1, 2, 3]) }
                }
            }
            done.signal()
        }.start()
        XCTAssertThrowsError(try Association.request(over: client, parameters: parameters())) {
            let e = $0 as? DICOMNetworkError
            XCTAssertEqual(e?.kind, .protocolError)
            XCTAssertTrue(e?.message.contains("A-ASSOCIATE-AC") ?? false, e?.message ?? "")
        }
        done.wait()
        XCTAssertEqual(box.received.last, .abort(AAbort(source: .serviceProvider, reason: .invalidPDUParameterValue)))
    }

    func testSilentPeerTimesOutAndIsAborted() throws {
        let (client, _server) = MemoryTransport.pair()
        var p = parameters()
        p.timeouts.association = 0.2
        let start = Date()
        XCTAssertThrowsError(try Association.request(over: client, parameters: p)) {
            XCTAssertEqual(($0 as? DICOMNetworkError)?.kind, .timeout)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        withExtendedLifetime(_server) {}
    }

    func testRequestWithNoContextsIsRefusedLocally() throws {
        let (client, _) = MemoryTransport.pair()
        XCTAssertThrowsError(try Association.request(over: client, parameters: AssociationParameters())) {
            XCTAssertEqual(($0 as? DICOMNetworkError)?.kind, .notAccepted)
        }
    }
}
