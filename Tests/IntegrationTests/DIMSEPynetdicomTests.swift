import Foundation
import XCTest
import DICOMCore
import DICOMCoding
import DICOMNetwork

/// A second, independent implementation as peer: pynetdicom (scripts/install-test-deps puts it in
/// .venv). cmr's SCU against pynetdicom's storage SCP, and pynetdicom's SCU against cmr's.
final class DIMSEPynetdicomTests: XCTestCase {
    static let script = #"""
    import json, os, sys, time
    from pydicom import dcmread
    from pynetdicom import AE, evt, AllStoragePresentationContexts, debug_logger
    from pynetdicom.sop_class import Verification
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "scp":
        out = sys.argv[3]
        def on_store(event):
            with open(os.path.join(out, event.request.AffectedSOPInstanceUID + ".dcm"), "wb") as f:
                f.write(event.encoded_dataset(include_meta=True))
            return 0x0000
        ae = AE(ae_title="PYSCP")
        ae.supported_contexts = AllStoragePresentationContexts
        ae.add_supported_context(Verification)
        server = ae.start_server(("127.0.0.1", port), block=False, evt_handlers=[(evt.EVT_C_STORE, on_store)])
        print("ready", flush=True)
        sys.stdin.read()
        server.shutdown()
    else:
        ae = AE(ae_title="PYSCU")
        files = sys.argv[3:]
        pairs = sorted({(dcmread(p, stop_before_pixels=True).file_meta.MediaStorageSOPClassUID,
                         dcmread(p, stop_before_pixels=True).file_meta.TransferSyntaxUID) for p in files})
        for sop, ts in pairs:
            ae.add_requested_context(sop, ts)
        ae.add_requested_context(Verification)
        from pynetdicom.pdu_primitives import AsynchronousOperationsWindowNegotiation
        window = AsynchronousOperationsWindowNegotiation()
        window.maximum_number_operations_invoked = 8
        window.maximum_number_operations_performed = 1
        assoc = ae.associate("127.0.0.1", port, ae_title="CMRSCP", max_pdu=8192, ext_neg=[window])
        result = {"established": assoc.is_established, "stores": []}
        if assoc.is_established:
            result["window"] = list(assoc.acceptor.asynchronous_operations)
            result["echo"] = assoc.send_c_echo().Status
            for p in files:
                result["stores"].append(assoc.send_c_store(dcmread(p)).Status)
            assoc.release()
        print(json.dumps(result))
    """#

    func python() throws -> String {
        let py = try Peers.python()
        if try Peers.run(py, ["-c", "import pynetdicom"]).status != 0 {
            _ = try Peers.missing("pynetdicom (run scripts/install-test-deps)")
        }
        return py
    }

    /// pynetdicom's Python, an output folder and a small study, for one test.
    func prepare() throws -> (python: String, out: String, files: [String]) {
        let py = try python()
        let dir = try Peers.temporaryFolder(self)
        let out = dir + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        return (py, out, try DIMSEInteropTests.makeStudies(dir + "/src", patients: 1, instances: 2))
    }

    func testCmrSCUAgainstPynetdicomSCP() throws {
        let (py, out, files) = try prepare()
        let listener = try SocketListener(host: "127.0.0.1", port: 0)
        let port = listener.port
        listener.close()

        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = ["-c", Self.script, "scp", String(port), out]
        let stdin = Pipe(), stdout = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { try? stdin.fileHandleForWriting.close(); p.waitUntilExit() }
        let ready = String(decoding: stdout.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertTrue(ready.hasPrefix("ready"), ready)

        let sources = try files.map { try DICOMFileSource(path: $0) }
        var params = AssociationParameters(callingAETitle: "CMR", calledAETitle: "PYSCP", maximumReceiveLength: 16384)
        params.propose(verificationSOPClassUID, transferSyntaxes: [TransferSyntax.implicitVRLittleEndianUID])
        for (sop, ts) in Set(sources.map { [$0.sopClassUID, $0.transferSyntaxUID] }).map({ ($0[0], $0[1]) }) {
            params.propose(sop, transferSyntaxes: [ts])
        }
        // What cmr send proposes by default; pynetdicom answers none (it performs one at a time).
        params.asynchronousOperationsWindow = AsynchronousOperationsWindow(maximumInvoked: 8, maximumPerformed: 1)
        let a = try Association.request(host: "127.0.0.1", port: port, parameters: params)
        XCTAssertEqual(a.operationsWindow, 1)
        XCTAssertEqual(a.acceptance.userInformation.implementationVersionName?.uppercased().hasPrefix("PYNETDICOM"), true)
        XCTAssertEqual(try a.echo().status, .success)
        for s in sources { XCTAssertEqual(try a.store(file: s).status, .success) }
        try a.release()

        for s in sources {
            let stored = try DICOMFileSource(path: out + "/" + s.sopInstanceUID + ".dcm")
            XCTAssertEqual(Array(stored.storage.buffer(stored.dataSetRange)), Array(s.storage.buffer(s.dataSetRange)),
                           "pynetdicom wrote the data set bytes cmr sent")
        }
    }

    func testPynetdicomSCUAgainstCmrSCP() throws {
        let (py, out, files) = try prepare()
        let listener = try SocketListener(host: "127.0.0.1", port: 0)
        let scp = StorageSCP(directory: out, aeTitle: "CMRSCP")
        scp.start(listener)
        defer { scp.stop() }
        let r = try Peers.run(py, ["-c", Self.script, "scu", String(listener.port)] + files)
        XCTAssertEqual(r.status, 0, r.err)
        struct Result: Decodable { var established: Bool; var echo: Int?; var stores: [Int]; var window: [Int]? }
        let result = try JSONDecoder().decode(Result.self, from: r.stdout)
        XCTAssertTrue(result.established)
        XCTAssertEqual(result.echo, 0)
        XCTAssertEqual(result.window, [8, 1], "pynetdicom read the window cmr's SCP granted")
        XCTAssertEqual(result.stores, Array(repeating: 0, count: files.count))
        XCTAssertEqual(scp.received.count, files.count)
        for received in scp.received {
            let original = try XCTUnwrap(files.first { (try? DICOMFileSource(path: $0).sopInstanceUID) == received.sopInstanceUID })
            let a = try DICOMReader.read(contentsOf: original), b = try DICOMReader.read(contentsOf: received.path)
            XCTAssertEqual(b.issues, [])
            DIMSEInteropTests.assertSameLines(DIMSEInteropTests.describe(b.dataSet), DIMSEInteropTests.describe(a.dataSet), received.path)
        }
    }
}
