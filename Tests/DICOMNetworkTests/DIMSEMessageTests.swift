import XCTest
@testable import DICOMNetwork

final class DIMSEMessageTests: XCTestCase {
    func testCEchoRQIsEncodedAsPS3_7SaysWithGroupLength() throws {
        let bytes = CommandSet.cEchoRQ(messageID: 7).encoded()
        // (0000,0000) UL 4 = length of what follows.
        XCTAssertEqual(Array(bytes[0..<8]), [0, 0, 0, 0, 4, 0, 0, 0])
        let groupLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        XCTAssertEqual(groupLength, bytes.count - 12)
        // (0000,0002) UI "1.2.840.10008.1.1" padded with NUL to 18 bytes.
        XCTAssertEqual(Array(bytes[12..<20]), [0, 0, 2, 0, 18, 0, 0, 0])
        XCTAssertEqual(bytes[20 + 17], 0)
        let c = try CommandSet.decode(bytes)
        XCTAssertEqual(c.commandField, .cEchoRQ)
        XCTAssertEqual(c.messageID, 7)
        XCTAssertEqual(c.affectedSOPClassUID, verificationSOPClassUID)
        XCTAssertFalse(c.hasDataSet)
    }

    func testEveryRequestAndResponseRoundTrips() throws {
        let requests: [CommandSet] = [
            .cEchoRQ(messageID: 1),
            .cStoreRQ(messageID: 2, sopClass: "1.2.840.10008.5.1.4.1.1.7", sopInstance: "1.2.3", priority: .high,
                      moveOriginator: ("MOVER", 9)),
            .cFindRQ(messageID: 3, sopClass: "1.2.840.10008.5.1.4.1.2.2.1"),
            .cGetRQ(messageID: 4, sopClass: "1.2.840.10008.5.1.4.1.2.2.3", priority: .low),
            .cMoveRQ(messageID: 5, sopClass: "1.2.840.10008.5.1.4.1.2.2.2", destination: "DEST"),
            .cCancelRQ(messageIDBeingRespondedTo: 4),
        ]
        for rq in requests {
            XCTAssertEqual(try CommandSet.decode(rq.encoded()), rq)
            guard rq.commandField != .cCancelRQ else { continue }
            var rsp = CommandSet.response(to: rq, status: .coercionOfDataElements, errorComment: "coerced")
            rsp.setTags(.offendingElement, [(0x0010, 0x0010)])
            let back = try CommandSet.decode(rsp.encoded())
            XCTAssertEqual(back, rsp)
            XCTAssertEqual(back.commandField?.rawValue, rq.commandField!.rawValue | 0x8000)
            XCTAssertEqual(back.messageIDBeingRespondedTo, rq.messageID)
            XCTAssertEqual(back.errorComment, "coerced")
            XCTAssertEqual(back.tags(.offendingElement)?.first?.group, 0x0010)
        }
        let store = try CommandSet.decode(requests[1].encoded())
        XCTAssertEqual(store.string(.moveOriginatorApplicationEntityTitle), "MOVER")
        XCTAssertEqual(store.uint16(.priority), DIMSEPriority.high.rawValue)
        XCTAssertTrue(store.hasDataSet)
        XCTAssertEqual(try CommandSet.decode(requests[4].encoded()).string(.moveDestination), "DEST")
    }

    func testSubOperationCounts() throws {
        var rsp = CommandSet.response(to: .cGetRQ(messageID: 1, sopClass: "1.2"), status: .pending)
        rsp.set(.numberOfRemainingSuboperations, 3)
        rsp.set(.numberOfCompletedSuboperations, 2)
        rsp.set(.numberOfFailedSuboperations, 1)
        rsp.set(.numberOfWarningSuboperations, 0)
        XCTAssertEqual(try CommandSet.decode(rsp.encoded()).subOperations, SubOperationCounts(remaining: 3, completed: 2, failed: 1, warning: 0))
    }

    func testMalformedCommandSetsAreProtocolErrors() {
        var wrongGroup = CommandSet.cEchoRQ(messageID: 1).encoded()
        wrongGroup[12] = 8
        var overrun = CommandSet.cEchoRQ(messageID: 1).encoded()
        overrun[16] = 0xFF
        let truncated = Array(CommandSet.cEchoRQ(messageID: 1).encoded().dropLast(3))
        let outOfOrder = CommandSet.cEchoRQ(messageID: 1).encoded().suffix(from: 12)
        for bytes in [wrongGroup, overrun, truncated, Array(outOfOrder.suffix(10)) + Array(outOfOrder.prefix(26)), []] {
            XCTAssertThrowsError(try CommandSet.decode(bytes)) { XCTAssertEqual(($0 as? DICOMNetworkError)?.kind, .protocolError) }
        }
    }

    func testStatusClasses() {
        XCTAssertEqual(DIMSEStatus(0x0000).category, .success)
        for w: UInt16 in [0xB000, 0xB007, 0xB006, 0x0107, 0x0116, 0x0001] { XCTAssertEqual(DIMSEStatus(w).category, .warning, DIMSEStatus(w).hex) }
        for f: UInt16 in [0xA700, 0xA900, 0xC000, 0xCFFF, 0x0110, 0x0111, 0x0122, 0x0211] { XCTAssertEqual(DIMSEStatus(f).category, .failure, DIMSEStatus(f).hex) }
        XCTAssertEqual(DIMSEStatus(0xFF00).category, .pending)
        XCTAssertEqual(DIMSEStatus(0xFF01).category, .pending)
        XCTAssertEqual(DIMSEStatus(0xFE00).category, .cancel)
        XCTAssertEqual(DIMSEStatus(0xB000).description, "B000H (warning)")
        XCTAssertTrue(DIMSEStatus(0xB007).isSuccessOrWarning)
        XCTAssertFalse(DIMSEStatus(0xA700).isSuccessOrWarning)
    }

    func testFragmentationWithinASmallMaximumPDUAndReassembly() throws {
        let command = CommandSet.cStoreRQ(messageID: 1, sopClass: "1.2.840.10008.5.1.4.1.1.7", sopInstance: "1.2.3.4.5.6.7.8.9")
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let maxPDU: UInt32 = 40
        let pdus = MessageFragmenter.pdus(command.encoded(), presentationContextID: 3, isCommand: true, maximumPDULength: maxPDU)
            + MessageFragmenter.pdus(data, presentationContextID: 3, isCommand: false, maximumPDULength: maxPDU)
        XCTAssertGreaterThan(pdus.count, 25)
        var assembler = MessageAssembler()
        var gotCommand: CommandSet?
        var gotData: [UInt8] = []
        var finished = false
        for pdu in pdus {
            let encoded = PDU.data(pdu).encoded()
            XCTAssertLessThanOrEqual(encoded.count - 6, Int(maxPDU))
            XCTAssertEqual(try PDUDecoder.decode(encoded), .data(pdu))
            for pdv in pdu.values {
                switch try assembler.add(pdv) {
                case .command(let c, let id, let expects)?:
                    XCTAssertEqual(id, 3)
                    XCTAssertTrue(expects)
                    gotCommand = c
                case .dataFragment(let bytes, let last)?:
                    gotData += bytes
                    finished = last
                case nil: break
                }
            }
        }
        XCTAssertEqual(gotCommand, command)
        XCTAssertEqual(gotData, data)
        XCTAssertTrue(finished)
        XCTAssertTrue(assembler.isIdle)
    }

    func testAssemblerRejectsDataBeforeCommandAndMixedContexts() throws {
        var a = MessageAssembler()
        XCTAssertThrowsError(try a.add(PresentationDataValue(presentationContextID: 1, isCommand: false, isLast: true, fragment: [1])))
        a = MessageAssembler()
        let c = CommandSet.cEchoRQ(messageID: 1).encoded()
        _ = try a.add(PresentationDataValue(presentationContextID: 1, isCommand: true, isLast: false, fragment: Array(c.prefix(10))))
        XCTAssertThrowsError(try a.add(PresentationDataValue(presentationContextID: 3, isCommand: true, isLast: true, fragment: Array(c.dropFirst(10)))))
        a = MessageAssembler()
        _ = try a.add(PresentationDataValue(presentationContextID: 1, isCommand: true, isLast: true,
                                            fragment: CommandSet.cStoreRQ(messageID: 1, sopClass: "1.2", sopInstance: "3").encoded()))
        XCTAssertThrowsError(try a.add(PresentationDataValue(presentationContextID: 1, isCommand: true, isLast: true, fragment: c)))
    }
}
