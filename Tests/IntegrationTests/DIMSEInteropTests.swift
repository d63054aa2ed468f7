import Foundation
import XCTest
import DICOMCore
import DICOMCoding
import DICOMNetwork
import CMRKit

/// DICOMNetwork against DCMTK on 127.0.0.1: C-ECHO and C-STORE to `storescp` (one started for the
/// class, others for the rejection cases), what storescp wrote compared with the originals (values
/// re-read by cmr, and dcmdump's text), and DCMTK's `echoscu`/`storescu` against cmr's storage SCP.
final class DIMSEInteropTests: XCTestCase {
    /// A storescp kept running for the class.
    final class Peer: @unchecked Sendable {
        let process: Process
        let port: UInt16
        let directory: String
        init(process: Process, port: UInt16, directory: String) {
            self.process = process
            self.port = port
            self.directory = directory
        }
    }

    nonisolated(unsafe) static var shared: Peer?
    nonisolated(unsafe) static var corpus: [String] = []
    nonisolated(unsafe) static var scratch: String = ""

    override class func tearDown() {
        shared.map { stop($0) }
        shared = nil
        if !scratch.isEmpty { try? FileManager.default.removeItem(atPath: scratch) }
        super.tearDown()
    }

    static func stop(_ peer: Peer) {
        if peer.process.isRunning {
            peer.process.terminate()
            peer.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: peer.directory)
    }

    /// A port nobody listens on right now.
    static func freePort() throws -> UInt16 {
        let l = try SocketListener(host: "127.0.0.1", port: 0)
        defer { l.close() }
        return l.port
    }

    /// Starts storescp (TCP_NODELAY=1 in its environment) and waits until it answers.
    static func startStorescp(_ extra: [String] = [], aeTitle: String = "STORESCP",
                              environment: [String: String] = ["TCP_NODELAY": "1"]) throws -> Peer {
        let tool = try Peers.tool("/usr/bin/storescp")
        let dir = NSTemporaryDirectory() + "cmr-storescp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let port = try freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-aet", aeTitle, "-od", dir, "-dhl"] + extra + [String(port)]
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let peer = Peer(process: p, port: port, directory: dir)
        let deadline = Date(timeIntervalSinceNow: 10)
        while Date() < deadline {
            if let t = try? SocketTransport.connect(host: "127.0.0.1", port: port, timeout: 1) {
                t.close()
                return peer
            }
            usleep(50_000)
        }
        stop(peer)
        XCTFail("storescp did not listen on \(port)")
        throw XCTSkip("storescp did not start")
    }

    func peer() throws -> Peer {
        if let p = Self.shared, p.process.isRunning { return p }
        Self.shared = try Self.startStorescp()
        return Self.shared!
    }

    /// A small synthetic study (the generator behind `cmr synth`), made once for the class.
    func corpus() throws -> [String] {
        if !Self.corpus.isEmpty { return Self.corpus }
        Self.scratch = NSTemporaryDirectory() + "cmr-dimse-it-\(getpid())"
        Self.corpus = try Self.makeStudies(Self.scratch + "/src", patients: 2, instances: 3)
        return Self.corpus
    }

    /// Small CT and MR series of 32×32 images for `patients` patients, written under `dir`.
    static func makeStudies(_ dir: String, patients: Int, instances: Int) throws -> [String] {
        var o = Synthesizer.Options()
        o.patients = patients
        o.series = ["CT", "MR"]
        o.instancesPerSeries = instances
        o.rows = 32
        o.columns = 32
        return try Synthesizer(options: o).write(to: dir).sorted()
    }

    func parameters(for files: [DICOMFileSource], called: String = "STORESCP", syntaxes: [String]? = nil) -> AssociationParameters {
        var p = AssociationParameters(callingAETitle: "CMR", calledAETitle: called,
                                      timeouts: NetworkTimeouts(connect: 5, association: 10, dimse: 20))
        p.propose(verificationSOPClassUID, transferSyntaxes: [TransferSyntax.implicitVRLittleEndianUID])
        var seen = Set<String>()
        for f in files where seen.insert(f.sopClassUID + "|" + f.transferSyntaxUID).inserted {
            p.propose(f.sopClassUID, transferSyntaxes: syntaxes ?? [f.transferSyntaxUID])
        }
        return p
    }

    func testEchoToStorescp() throws {
        let peer = try peer()
        // Every user information sub-item cmr can send, so DCMTK's parser judges their layout.
        var p = parameters(for: [])
        p.asynchronousOperationsWindow = AsynchronousOperationsWindow(maximumInvoked: 4, maximumPerformed: 4)
        p.roleSelections = [RoleSelection(sopClassUID: verificationSOPClassUID, scuRole: true, scpRole: false)]
        p.userIdentity = UserIdentityRequest(type: .usernameAndPasscode, positiveResponseRequested: false,
                                             primaryField: Array("alice".utf8), secondaryField: Array("secret".utf8))
        let association = try Association.request(host: "127.0.0.1", port: peer.port, parameters: p)
        let response = try association.echo()
        XCTAssertEqual(response.status, .success)
        XCTAssertEqual(association.acceptance.userInformation.implementationVersionName?.hasPrefix("OFFIS_DCMTK"), true)
        XCTAssertEqual(association.operationsWindow, 1, "storescp grants no asynchronous operations window")
        try association.release()
        XCTAssertEqual(association.state, .Sta1)
    }

    func testStoreToStorescpGivesTheSameDataSets() throws {
        let peer = try peer()
        let dcmdump = try Peers.tool("/usr/bin/dcmdump")
        let files = try corpus().map { try DICOMFileSource(path: $0) }
        let association = try Association.request(host: "127.0.0.1", port: peer.port, parameters: parameters(for: files))
        XCTAssertGreaterThan(association.peerMaximumLength, 0)
        for f in files {
            let r = try association.store(file: f)
            XCTAssertEqual(r.status, .success, "\(f.path): \(r.status) \(r.errorComment ?? "")")
        }
        try association.release()

        let written = try FileManager.default.contentsOfDirectory(atPath: peer.directory)
        for f in files {
            guard let name = written.first(where: { $0.hasSuffix("." + f.sopInstanceUID) }) else {
                XCTFail("storescp wrote no file for \(f.sopInstanceUID)")
                continue
            }
            let stored = peer.directory + "/" + name
            let a = try DICOMReader.read(contentsOf: f.path), b = try DICOMReader.read(contentsOf: stored)
            XCTAssertEqual(b.transferSyntax, a.transferSyntax)
            XCTAssertEqual(b.issues, [])
            Self.assertSameLines(Self.describe(b.dataSet), Self.describe(a.dataSet), f.path)
            // dcmdump agrees: the same text outside the meta header (storescp re-encodes
            // undefined-length sequences with explicit lengths, so lengths of SQ and items are not compared).
            let da = try Peers.run(dcmdump, ["-q", "+L", f.path]), db = try Peers.run(dcmdump, ["-q", "+L", stored])
            XCTAssertEqual(da.status, 0, da.err)
            Self.assertSameLines(Self.dataSetLines(db.out), Self.dataSetLines(da.out), f.path)
        }
    }

    /// Each element as tag, VR and value bytes (sequences item by item).
    static func describe(_ ds: DataSet) -> [String] {
        ds.flatMap { e -> [String] in
            switch e.value {
            case .sequence(let s):
                return ["\(e.tag) SQ \(s.items.count)"] + s.items.flatMap { describe($0.dataSet).map { "  " + $0 } }
            case .fragments(let f):
                return ["\(e.tag) fragments \(f.fragments.count)"]
            default:
                return ["\(e.tag) \(e.vr.rawValue) \(e.value.bytes)"]
            }
        }
    }

    static func dataSetLines(_ dump: String) -> [String] {
        dump.split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("(0002,") && !$0.hasPrefix("#") && !$0.isEmpty && !$0.contains("Delimitation") }
            .map { line in
                let t = line.trimmingCharacters(in: .whitespaces)
                return t.contains(" SQ (") || t.hasPrefix("(fffe,e000)") ? String(t.prefix(14)) : line
            }
    }

    /// Equal line lists, reported by the first difference (pixel data lines are long).
    static func assertSameLines(_ a: [String], _ b: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        if a == b { return }
        let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        let l = i < a.count ? String(a[i].prefix(160)) : "(end)", r = i < b.count ? String(b[i].prefix(160)) : "(end)"
        XCTFail("\(what): line \(i) differs: \(l) vs \(r)", file: file, line: line)
    }

    func testRefusedAssociationIsATypedRejection() throws {
        let refusing = try Self.startStorescp(["--refuse"])
        defer { Self.stop(refusing) }
        XCTAssertThrowsError(try Association.request(host: "127.0.0.1", port: refusing.port, parameters: parameters(for: []))) {
            let e = $0 as? DICOMNetworkError
            XCTAssertEqual(e?.kind, .rejected, "\($0)")
            XCTAssertNotNil(e?.reject)
            XCTAssertFalse(e?.message.isEmpty ?? true)
        }
    }

    func testImplicitOnlyPeerAcceptsNoExplicitContext() throws {
        let implicitOnly = try Self.startStorescp(["+xi"])
        defer { Self.stop(implicitOnly) }
        let files = try corpus().prefix(1).map { try DICOMFileSource(path: $0) }
        XCTAssertEqual(files.first?.transferSyntaxUID, TransferSyntax.explicitVRLittleEndianUID)
        let association = try Association.request(host: "127.0.0.1", port: implicitOnly.port, parameters: parameters(for: files))
        XCTAssertNil(association.context(for: files[0].sopClassUID))
        XCTAssertThrowsError(try association.store(file: files[0])) { XCTAssertEqual(($0 as? DICOMNetworkError)?.kind, .notAccepted) }
        try association.release()
    }

    func testNothingListeningIsUnavailable() throws {
        let port = try Self.freePort()
        XCTAssertThrowsError(try Association.request(host: "127.0.0.1", port: port, parameters: parameters(for: []))) {
            XCTAssertEqual(($0 as? DICOMNetworkError)?.kind, .unavailable, "\($0)")
        }
    }

    func testDCMTKClientsAgainstCmrStorageSCP() throws {
        let echoscu = try Peers.tool("/usr/bin/echoscu"), storescu = try Peers.tool("/usr/bin/storescu")
        let dcmdump = try Peers.tool("/usr/bin/dcmdump")
        let out = try Peers.temporaryFolder(self)
        let listener = try SocketListener(host: "127.0.0.1", port: 0)
        let scp = StorageSCP(directory: out, aeTitle: "CMRSCP")
        scp.start(listener)
        defer { scp.stop() }
        let port = String(listener.port)
        let echo = try Peers.run(echoscu, ["-aec", "CMRSCP", "127.0.0.1", port])
        XCTAssertEqual(echo.status, 0, echo.err)
        let files = try corpus()
        let store = try Peers.run(storescu, ["-aec", "CMRSCP", "-xs"] + ["127.0.0.1", port] + files)
        XCTAssertEqual(store.status, 0, store.err)
        let wrong = try Peers.run(echoscu, ["-aec", "NOTCMR", "127.0.0.1", port])
        XCTAssertNotEqual(wrong.status, 0, "a wrong called AE title must be rejected")
        XCTAssertTrue(wrong.err.contains("Called AE Title Not Recognized") || wrong.out.contains("Called AE Title Not Recognized"), wrong.err)

        XCTAssertEqual(Set(scp.received.map(\.sopInstanceUID)).count, files.count)
        for r in scp.received {
            let original = try XCTUnwrap(files.first { (try? DICOMFileSource(path: $0).sopInstanceUID) == r.sopInstanceUID })
            let a = try DICOMReader.read(contentsOf: original), b = try DICOMReader.read(contentsOf: r.path)
            XCTAssertEqual(b.issues, [])
            Self.assertSameLines(Self.describe(b.dataSet), Self.describe(a.dataSet), r.path)
            let check = try Peers.run(dcmdump, ["-q", r.path])
            XCTAssertEqual(check.status, 0, check.err)
        }
    }

    /// C-STORE into dcmqrscp, then C-FIND at study level (one match per study, with the keys asked
    /// for), C-GET of one study (its instances come back on the same association, to disk), and
    /// C-MOVE of the other to cmr's storage SCP.
    func testStoreFindGetMoveWithDcmqrscp() throws {
        let tool = try Peers.tool("/usr/bin/dcmqrscp")
        let dir = try Peers.temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: dir + "/db", withIntermediateDirectories: true)
        let port = try Self.freePort()
        let moveListener = try SocketListener(host: "127.0.0.1", port: 0)
        let moveSCP = StorageSCP(directory: try Peers.temporaryFolder(self, "moved"), aeTitle: "CMRSCP")
        moveSCP.start(moveListener)
        defer { moveSCP.stop() }
        let config = Peers.dcmqrscpConfig(port: port, database: dir + "/db", moveDestinations: [("CMRSCP", moveListener.port)])
        try config.write(toFile: dir + "/qr.cfg", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-c", dir + "/qr.cfg", String(port)]
        p.environment = ProcessInfo.processInfo.environment.merging(["TCP_NODELAY": "1"]) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { p.terminate(); p.waitUntilExit() }
        XCTAssertTrue(Peers.waitForPort(port), "dcmqrscp did not listen")

        let files = try corpus().map { try DICOMFileSource(path: $0) }
        let store = try Association.request(host: "127.0.0.1", port: port, parameters: parameters(for: files, called: "QRSCP"))
        for f in files { XCTAssertEqual(try store.store(file: f).status, .success) }
        try store.release()

        let studyRootFind = "1.2.840.10008.5.1.4.1.2.2.1"
        var params = parameters(for: [], called: "QRSCP")
        params.propose(studyRootFind, transferSyntaxes: [TransferSyntax.explicitVRLittleEndianUID, TransferSyntax.implicitVRLittleEndianUID])
        let find = try Association.request(host: "127.0.0.1", port: port, parameters: params)
        func text(_ s: String, pad: UInt8 = 0x20) -> [UInt8] { var v = Array(s.utf8); if v.count % 2 == 1 { v.append(pad) }; return v }
        let identifier = DataSet([
            DataElement(.queryRetrieveLevel, .CS, bytes: text("STUDY")),
            DataElement(.patientName, .PN, bytes: []),
            DataElement(.studyInstanceUID, .UI, bytes: []),
        ])
        var matches: [DataSet] = []
        let final = try find.find(identifier, informationModel: studyRootFind) { ds, response in
            XCTAssertEqual(response.status.category, .pending)
            matches.append(ds)
        }
        XCTAssertEqual(final.status, .success)
        try find.release()
        let expected = try Set(corpus().map { try DICOMReader.read(contentsOf: $0).dataSet.string(.studyInstanceUID) ?? "" })
        XCTAssertEqual(Set(matches.compactMap { $0.string(.studyInstanceUID) }), expected)
        XCTAssertEqual(matches.count, expected.count)
        XCTAssertTrue(matches.allSatisfy { !($0.string(.patientName) ?? "").isEmpty })

        // C-GET of the first study, storage classes proposed with the SCP role.
        let studies = expected.sorted()
        let byStudy = Dictionary(grouping: try corpus()) { try! DICOMReader.read(contentsOf: $0).dataSet.string(.studyInstanceUID) ?? "" }
        var getParams = parameters(for: [], called: "QRSCP")
        let studyRootGet = "1.2.840.10008.5.1.4.1.2.2.3", studyRootMove = "1.2.840.10008.5.1.4.1.2.2.2"
        getParams.propose(studyRootGet, transferSyntaxes: [TransferSyntax.explicitVRLittleEndianUID])
        getParams.propose(studyRootMove, transferSyntaxes: [TransferSyntax.explicitVRLittleEndianUID])
        for sop in Set(files.map(\.sopClassUID)).sorted() {
            getParams.propose(sop, transferSyntaxes: [TransferSyntax.explicitVRLittleEndianUID, TransferSyntax.implicitVRLittleEndianUID])
            getParams.roleSelections.append(RoleSelection(sopClassUID: sop, scuRole: false, scpRole: true))
        }
        let retrieve = try Association.request(host: "127.0.0.1", port: port, parameters: getParams)
        let getDir = try Peers.temporaryFolder(self, "got")
        func studyKey(_ uid: String) -> DataSet {
            DataSet([DataElement(.queryRetrieveLevel, .CS, bytes: text("STUDY")), DataElement(.studyInstanceUID, .UI, bytes: text(uid, pad: 0))])
        }
        var got: [ReceivedInstance] = []
        let getFinal = try retrieve.get(studyKey(studies[0]), informationModel: studyRootGet, into: getDir) { instance, status in
            XCTAssertEqual(status, .success)
            got.append(instance)
        }
        XCTAssertEqual(getFinal.status, .success, getFinal.errorComment ?? "")
        XCTAssertEqual(getFinal.command.subOperations?.completed, UInt16(byStudy[studies[0]]!.count))
        XCTAssertEqual(getFinal.command.subOperations?.failed, 0)
        XCTAssertEqual(got.count, byStudy[studies[0]]!.count)
        for instance in got {
            let original = try XCTUnwrap(byStudy[studies[0]]!.first { (try? DICOMFileSource(path: $0).sopInstanceUID) == instance.sopInstanceUID })
            Self.assertSameLines(Self.describe(try DICOMReader.read(contentsOf: instance.path).dataSet),
                                 Self.describe(try DICOMReader.read(contentsOf: original).dataSet), instance.path)
        }

        // C-MOVE of the second study to cmr's storage SCP.
        let moveFinal = try retrieve.move(studyKey(studies[1]), informationModel: studyRootMove, destination: "CMRSCP")
        XCTAssertEqual(moveFinal.status, .success, moveFinal.errorComment ?? "")
        XCTAssertEqual(moveFinal.command.subOperations?.completed, UInt16(byStudy[studies[1]]!.count))
        try retrieve.release()
        XCTAssertEqual(Set(moveSCP.received.map(\.sopInstanceUID)),
                       Set(try byStudy[studies[1]]!.map { try DICOMFileSource(path: $0).sopInstanceUID }))
    }

    /// A peer that aborts in the middle of a C-STORE: a typed `.rejected` naming the abort, and the
    /// association is over (no hang, no crash); the next association works.
    func testPeerAbortingDuringStore() throws {
        let aborting = try Self.startStorescp(["--abort-during"])
        defer { Self.stop(aborting) }
        let files = try corpus().prefix(2).map { try DICOMFileSource(path: $0) }
        let association = try Association.request(host: "127.0.0.1", port: aborting.port, parameters: parameters(for: files))
        XCTAssertThrowsError(try association.store(file: files[0])) {
            let kind = ($0 as? DICOMNetworkError)?.kind
            XCTAssertTrue(kind == .rejected || kind == .unavailable, "\($0)")
        }
        XCTAssertEqual(association.state, .Sta1)
        XCTAssertThrowsError(try association.store(file: files[1])) { XCTAssertEqual(($0 as? DICOMNetworkError)?.kind, .unavailable) }
    }
}
