import XCTest
@testable import DICOMNetwork

final class PDUTests: XCTestCase {
    static let rq = AAssociateRQ(
        calledAETitle: "STORESCP", callingAETitle: "CMR",
        presentationContexts: [
            PresentationContextProposal(id: 1, abstractSyntax: "1.2.840.10008.1.1", transferSyntaxes: ["1.2.840.10008.1.2"]),
            PresentationContextProposal(id: 3, abstractSyntax: "1.2.840.10008.5.1.4.1.1.7", transferSyntaxes: ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"]),
        ],
        userInformation: UserInformation(maximumLength: 16384, implementationClassUID: "1.2.3.4", implementationVersionName: "CMR_0.1.0",
                                         asynchronousOperationsWindow: AsynchronousOperationsWindow(maximumInvoked: 4, maximumPerformed: 1),
                                         roleSelections: [RoleSelection(sopClassUID: "1.2.840.10008.5.1.4.1.1.7", scuRole: false, scpRole: true)],
                                         userIdentityRequest: UserIdentityRequest(type: .usernameAndPasscode, positiveResponseRequested: true,
                                                                                  primaryField: Array("alice".utf8), secondaryField: Array("secret".utf8)),
                                         otherItems: [RawItem(type: 0x56, value: [0, 3, 0x31, 0x2E, 0x32, 1])]))

    static let ac = AAssociateAC(
        calledAETitle: "STORESCP", callingAETitle: "CMR",
        presentationContexts: [
            PresentationContextResult(id: 1, result: .acceptance, transferSyntax: "1.2.840.10008.1.2"),
            PresentationContextResult(id: 3, result: .transferSyntaxesNotSupported, transferSyntax: "1.2.840.10008.1.2.1"),
        ],
        userInformation: UserInformation(maximumLength: 0, implementationClassUID: "1.2.3.4.5", userIdentityResponse: Array("token".utf8)))

    static let all: [PDU] = [
        .associateRQ(rq), .associateAC(ac),
        .associateRJ(AAssociateRJ(result: .transient, source: .serviceProviderPresentation, reason: 1)),
        .data(PDataTF([PresentationDataValue(presentationContextID: 1, isCommand: true, isLast: true, fragment: [1, 2, 3]),
                       PresentationDataValue(presentationContextID: 3, isCommand: false, isLast: false, fragment: [])])),
        .releaseRQ, .releaseRP,
        .abort(AAbort(source: .serviceProvider, reason: .unexpectedPDU)),
    ]

    func testEveryPDURoundTrips() throws {
        for pdu in Self.all {
            XCTAssertEqual(try PDUDecoder.decode(pdu.encoded()), pdu, "\(pdu.type.name)")
        }
    }

    func testHeaderLayoutOfAssociateRQ() {
        let bytes = PDU.associateRQ(Self.rq).encoded()
        XCTAssertEqual(bytes[0], 0x01)
        XCTAssertEqual(Int(bytes[2]) << 24 | Int(bytes[3]) << 16 | Int(bytes[4]) << 8 | Int(bytes[5]), bytes.count - 6)
        XCTAssertEqual(Array(bytes[6..<8]), [0, 1], "protocol version")
        XCTAssertEqual(String(decoding: bytes[10..<26], as: UTF8.self), "STORESCP        ")
        XCTAssertEqual(String(decoding: bytes[26..<42], as: UTF8.self), "CMR             ")
        XCTAssertEqual(bytes[74], 0x10, "application context item first")
    }

    func testDataHeaderMatchesAnEncodedPData() {
        let fragment: [UInt8] = [9, 8, 7, 6, 5]
        let whole = PDU.data(PDataTF([PresentationDataValue(presentationContextID: 5, isCommand: false, isLast: true, fragment: fragment)])).encoded()
        XCTAssertEqual(PDU.dataHeader(presentationContextID: 5, isCommand: false, isLast: true, fragmentLength: 5) + fragment, whole)
    }

    /// Like swift-nio's ByteToMessageDecoderVerifier: the same PDUs come out whatever the chunking.
    func testDecodingOneByteAtATimeAndInRandomChunks() throws {
        let stream = Self.all.flatMap { $0.encoded() }
        var decoder = PDUDecoder()
        var out: [PDU] = []
        for b in stream {
            decoder.feed([b])
            while let pdu = try decoder.next() { out.append(pdu) }
        }
        XCTAssertEqual(out, Self.all)
        XCTAssertEqual(decoder.bufferedCount, 0)

        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var d = PDUDecoder()
            var got: [PDU] = []
            var p = 0
            while p < stream.count {
                let n = min(stream.count - p, Int.random(in: 1...64, using: &rng))
                d.feed(stream[p..<(p + n)])
                p += n
                while let pdu = try d.next() { got.append(pdu) }
            }
            XCTAssertEqual(got, Self.all)
        }
    }

    func assertMalformed(_ bytes: [UInt8], _ check: (PDUDecodingError) -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try PDUDecoder.decode(bytes)
            XCTFail("decoded", file: file, line: line)
        } catch let error as PDUDecodingError {
            XCTAssertTrue(check(error), "\(error)", file: file, line: line)
            XCTAssertFalse(error.description.isEmpty)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    func testUnknownTypeIsRejectedAtTheFirstByte() throws {
        var d = PDUDecoder()
        d.feed([0x08])
        XCTAssertThrowsError(try d.next()) { XCTAssertEqual($0 as? PDUDecodingError, .unknownType(8)) }
    }

    func testOversizePDUIsRejectedBeforeBuffering() throws {
        var d = PDUDecoder(maximumDataLength: 16384)
        d.feed([0x04, 0, 0x7F, 0xFF, 0xFF, 0xFF])
        XCTAssertThrowsError(try d.next()) {
            XCTAssertEqual($0 as? PDUDecodingError, .tooLong(.dataTF, length: 0x7FFF_FFFF, maximum: 16384))
        }
    }

    func testLengthsThatRunPastThePDU() {
        // PDV length larger than what is left.
        assertMalformed([0x04, 0, 0, 0, 0, 8, 0, 0, 0, 9, 1, 3, 0, 0]) { if case .malformed(.dataTF, _, let m) = $0 { return m.contains("runs past") }; return false }
        // PDV length below 2.
        assertMalformed([0x04, 0, 0, 0, 0, 5, 0, 0, 0, 1, 1]) { if case .malformed(.dataTF, _, let m) = $0 { return m.contains("less than 2") }; return false }
        // An item inside A-ASSOCIATE-RQ longer than the PDU.
        var rq = PDU.associateRQ(Self.rq).encoded()
        rq[76] = 0xFF
        assertMalformed(rq) { if case .malformed(.associateRQ, let offset, let m) = $0 { return offset == 74 && m.contains("runs past") }; return false }
        // Release with a length other than 4.
        assertMalformed([0x05, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0]) { if case .malformed(.releaseRQ, _, _) = $0 { return true }; return false }
        // Fixed fields cut short.
        assertMalformed([0x01, 0, 0, 0, 0, 4, 0, 1, 0, 0]) { if case .malformed(.associateRQ, _, let m) = $0 { return m.contains("68 bytes") }; return false }
    }

    func testItemsOutOfPlace() {
        // A presentation context result (21H) inside a request.
        var body: [UInt8] = []
        body.appendAssociateHeader(version: 1, called: "A", calling: "B")
        body.appendItem(0x10, Array(dicomApplicationContextName.utf8))
        body.appendItem(0x21, [1, 0, 0, 0])
        body.appendItem(0x50, [])
        var pdu: [UInt8] = [0x01, 0]
        pdu.appendUInt32(UInt32(body.count))
        assertMalformed(pdu + body) { if case .malformed(.associateRQ, _, let m) = $0 { return m.contains("out of place") }; return false }

        // A presentation context before the application context.
        body = []
        body.appendAssociateHeader(version: 1, called: "A", calling: "B")
        var pc: [UInt8] = [1, 0, 0, 0]
        pc.appendItem(0x30, Array("1.2".utf8))
        pc.appendItem(0x40, Array("1.2.840.10008.1.2".utf8))
        body.appendItem(0x20, pc)
        body.appendItem(0x10, Array(dicomApplicationContextName.utf8))
        body.appendItem(0x50, [])
        pdu = [0x01, 0]
        pdu.appendUInt32(UInt32(body.count))
        assertMalformed(pdu + body) { if case .malformed(.associateRQ, _, let m) = $0 { return m.contains("before the application context") }; return false }

        // A transfer syntax before the abstract syntax.
        body = []
        body.appendAssociateHeader(version: 1, called: "A", calling: "B")
        body.appendItem(0x10, Array(dicomApplicationContextName.utf8))
        pc = [1, 0, 0, 0]
        pc.appendItem(0x40, Array("1.2.840.10008.1.2".utf8))
        pc.appendItem(0x30, Array("1.2".utf8))
        body.appendItem(0x20, pc)
        body.appendItem(0x50, [])
        pdu = [0x01, 0]
        pdu.appendUInt32(UInt32(body.count))
        assertMalformed(pdu + body) { if case .malformed(.associateRQ, _, let m) = $0 { return m.contains("out of place") }; return false }
    }

    func testBadUserInformationSubItems() {
        var ui = UserInformation(maximumLength: 1).encodedSubItems()
        ui[3] = 3   // maximum length item of 3 bytes
        var body: [UInt8] = []
        body.appendAssociateHeader(version: 1, called: "A", calling: "B")
        body.appendItem(0x10, Array(dicomApplicationContextName.utf8))
        body.appendItem(0x50, Array(ui.prefix(7)))
        var pdu: [UInt8] = [0x02, 0]
        pdu.appendUInt32(UInt32(body.count))
        assertMalformed(pdu + body) { if case .malformed(.associateAC, _, let m) = $0 { return m.contains("maximum length") }; return false }
    }

    /// Random damage to valid PDUs must give a PDU or a typed error, never a trap.
    func testMutatedPDUsNeverCrash() {
        var rng = SystemRandomNumberGenerator()
        let seeds = Self.all.map { $0.encoded() }
        for i in 0..<3000 {
            var bytes = seeds[i % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[at] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
            var d = PDUDecoder(maximumDataLength: 4096, maximumAssociateLength: 4096)
            d.feed(bytes)
            _ = try? d.next()
        }
    }
}

/// Sub-item layouts byte for byte as PS3.7 Annex D.3.3 draws them (round trips alone would hide a
/// mistake made the same way in the encoder and the decoder).
final class UserInformationLayoutTests: XCTestCase {
    func testSubItemsAsTheStandardLaysThemOut() {
        let ui = UserInformation(maximumLength: 0x0001_0000, implementationClassUID: "1.2", implementationVersionName: "V1",
                                 asynchronousOperationsWindow: AsynchronousOperationsWindow(maximumInvoked: 2, maximumPerformed: 3),
                                 roleSelections: [RoleSelection(sopClassUID: "1.2.3", scuRole: false, scpRole: true)],
                                 userIdentityRequest: UserIdentityRequest(type: .usernameAndPasscode, positiveResponseRequested: true,
                                                                          primaryField: Array("ab".utf8), secondaryField: Array("c".utf8)))
        let expected: [UInt8] = [
            0x51, 0, 0, 4, 0, 1, 0, 0,                          // maximum length 65536, big endian
            0x52, 0, 0, 3, 0x31, 0x2E, 0x32,                    // implementation class UID "1.2"
            0x53, 0, 0, 4, 0, 2, 0, 3,                          // invoked 2, performed 3
            0x54, 0, 0, 9, 0, 5, 0x31, 0x2E, 0x32, 0x2E, 0x33, 0, 1,   // UID length, UID, SCU role 0, SCP role 1
            0x55, 0, 0, 2, 0x56, 0x31,                          // implementation version name "V1"
            0x58, 0, 0, 9, 2, 1, 0, 2, 0x61, 0x62, 0, 1, 0x63,  // type 2, response requested, "ab", "c"
        ]
        XCTAssertEqual(ui.encodedSubItems(), expected)
    }

    func testPresentationContextResultLayout() {
        let ac = AAssociateAC(calledAETitle: "A", callingAETitle: "B",
                              presentationContexts: [PresentationContextResult(id: 5, result: .abstractSyntaxNotSupported, transferSyntax: "1.2")])
        let bytes = PDU.associateAC(ac).encoded()
        let item = Array(bytes[(6 + 68 + 4 + dicomApplicationContextName.utf8.count)...].prefix(15))
        XCTAssertEqual(item, [0x21, 0, 0, 11, 5, 0, 3, 0, 0x40, 0, 0, 3, 0x31, 0x2E, 0x32])
    }

    // Regression (scripts/fuzz pdu): a called AE title with a byte outside ASCII was read as
    // U+FFFD, written back as three bytes and cut at 16, so the PDU changed on re-encoding.
    func testAETitleWithANonASCIIByteSurvivesReencoding() throws {
        var rq = AAssociateRQ(calledAETitle: "S", callingAETitle: "ECHOSCU",
                              presentationContexts: [PresentationContextProposal(id: 1, abstractSyntax: "1.2.840.10008.1.1",
                                                                                 transferSyntaxes: ["1.2.840.10008.1.2"])])
        rq.calledAETitle = "S\u{E3}ORESCP   0  A"
        let bytes = PDU.associateRQ(rq).encoded()
        XCTAssertEqual(Array(bytes[10..<26]), [0x53, 0xE3] + Array("ORESCP   0  A ".utf8))
        var decoder = PDUDecoder()
        decoder.feed(bytes)
        let decoded = try XCTUnwrap(try decoder.next())
        XCTAssertEqual(decoded, .associateRQ(rq))
        XCTAssertEqual(decoded.encoded(), bytes)
    }
}
