import XCTest
import DICOMCore
import DICOMCoding
@testable import DICOMweb

final class DICOMwebClientTests: XCTestCase {
    /// A small Part 10 file with the given SOP Instance UID.
    func instanceFile(_ dir: String, uid: String, pixels: [UInt8] = [1, 2, 3, 4]) throws -> String {
        var ds = DataSet()
        ds.setString(.sopClassUID, "1.2.840.10008.5.1.4.1.1.7", vr: .UI)
        ds.setString(.sopInstanceUID, uid, vr: .UI)
        ds.setString(.studyInstanceUID, "1.2.3", vr: .UI)
        ds.insert(DataElement(Tag(0x7FE0_0010), .OB, .bytes(pixels)))
        let path = dir + "/" + uid + ".dcm"
        let bytes = try DICOMWriter.encode(DICOMFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian))
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func client(_ t: MockTransport, base: String = "https://archive.example/dicomweb/", credentials: DICOMwebClient.Credentials? = nil) throws -> DICOMwebClient {
        try DICOMwebClient(base: URL(string: base)!, options: .init(credentials: credentials), transport: t)
    }

    // MARK: URLs and security

    func testPlainHTTPIsRefusedExceptToLoopback() throws {
        let t = MockTransport { _, _ in .init(status: 200) }
        XCTAssertThrowsError(try client(t, base: "http://archive.example/dicomweb")) {
            XCTAssertEqual(($0 as? DICOMwebError)?.kind, .refused)
            XCTAssertTrue(String(describing: $0).contains("unencrypted"))
        }
        for ok in ["http://localhost:8042/dicom-web", "http://127.0.0.1/x", "http://127.9.8.7", "http://[::1]:80/a", "https://archive.example"] {
            XCTAssertNoThrow(try client(t, base: ok), ok)
        }
        XCTAssertThrowsError(try client(t, base: "ftp://archive.example/"))
        XCTAssertThrowsError(try client(t, base: "http://127.0.0.1.evil.example/"))
        XCTAssertNoThrow(try DICOMwebClient(base: URL(string: "http://archive.example")!, options: .init(allowInsecure: true), transport: t))
    }

    func testURLsAreJoinedAndQueryValuesEncoded() throws {
        let c = try client(MockTransport { _, _ in .init(status: 200) })
        XCTAssertEqual(c.url("studies").absoluteString, "https://archive.example/dicomweb/studies")
        XCTAssertEqual(c.url("studies", query: [("PatientName", "DOE^J*"), ("StudyDate", "20240101-"), ("x", "a b&c=+")]).absoluteString,
                       "https://archive.example/dicomweb/studies?PatientName=DOE%5EJ%2A&StudyDate=20240101-&x=a%20b%26c%3D%2B")
    }

    func testCredentialsGoInTheAuthorizationHeader() throws {
        let t = MockTransport { _, _ in .init(status: 200, headers: ["Content-Type": "application/dicom+json"], body: Array("[]".utf8)) }
        _ = try client(t, credentials: .bearer("tok")).search(QIDOQuery(.studies))
        _ = try client(t, credentials: .basic(user: "cmr", password: "p:w")).search(QIDOQuery(.studies))
        XCTAssertEqual(t.requests[0].header("authorization"), "Bearer tok")
        XCTAssertEqual(t.requests[1].header("Authorization"), "Basic " + Data("cmr:p:w".utf8).base64EncodedString())
        XCTAssertEqual(t.requests[0].header("Accept"), "application/dicom+json")
    }

    func testErrorsCarryURLStatusAndRetryAfter() throws {
        let t = MockTransport { _, _ in .init(status: 503, headers: ["Retry-After": "120"], body: Array("busy".utf8)) }
        XCTAssertThrowsError(try client(t).search(QIDOQuery(.series, study: "1.2"))) {
            let e = $0 as? DICOMwebError
            XCTAssertEqual(e?.status, 503)
            XCTAssertEqual(e?.retryAfter, 120)
            XCTAssertEqual(e?.url, "https://archive.example/dicomweb/studies/1.2/series")
            XCTAssertEqual(e?.isTransient, true)
            XCTAssertTrue(e?.message.contains("busy") ?? false)
        }
        let date = HTTPResponseHead(status: 429, headers: ["retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"])
        XCTAssertEqual(date.retryAfter(now: Date(timeIntervalSince1970: 1445412480 - 30)), 30)
        XCTAssertNil(HTTPResponseHead(status: 429, headers: ["retry-after": "soon"]).retryAfter())
    }

    // MARK: QIDO

    func testSearchAllPagesWithLimitAndOffset() throws {
        let t = MockTransport { req, _ in
            let q = URLComponents(url: req.url, resolvingAgainstBaseURL: false)!.queryItems ?? []
            let offset = Int(q.first { $0.name == "offset" }!.value!)!
            let limit = Int(q.first { $0.name == "limit" }!.value!)!
            let n = max(0, min(limit, 7 - offset))
            let items = (offset..<(offset + n)).map { "{\"0020000D\":{\"vr\":\"UI\",\"Value\":[\"1.2.\($0)\"]}}" }
            return .init(status: 200, headers: ["Content-Type": "application/dicom+json"], body: Array(("[" + items.joined(separator: ",") + "]").utf8))
        }
        let c = try client(t)
        let all = try c.searchAll(QIDOQuery(.studies, keys: [.init("PatientID", "P1")], includeFields: ["StudyDescription"]), pageSize: 3)
        XCTAssertEqual(all.map { $0.string(.studyInstanceUID) }, (0..<7).map { "1.2.\($0)" })
        XCTAssertEqual(t.requests.count, 3)
        XCTAssertEqual(t.requests[1].url.query, "PatientID=P1&includefield=StudyDescription&limit=3&offset=3")
        XCTAssertEqual(try c.searchAll(QIDOQuery(.studies), pageSize: 3, maximum: 4).count, 4)
    }

    /// A server that caps every page at 2 and says so with `Warning: 299`: paging goes on past
    /// the short pages, and stops at a short page without the warning or an empty one.
    func testSearchAllContinuesPastPagesCappedWithWarning299() throws {
        let total = 5
        let t = MockTransport { req, _ in
            let q = URLComponents(url: req.url, resolvingAgainstBaseURL: false)!.queryItems ?? []
            let offset = Int(q.first { $0.name == "offset" }!.value!)!
            let limit = Int(q.first { $0.name == "limit" }!.value!)!
            let n = max(0, min(limit, 2, total - offset))
            let items = (offset..<(offset + n)).map { "{\"0020000D\":{\"vr\":\"UI\",\"Value\":[\"1.2.\($0)\"]}}" }
            var headers = ["Content-Type": "application/dicom+json"]
            if limit > 2 && total - offset > 2 { headers["Warning"] = "299 archive.example: \"The number of results exceeded the maximum supported by the server. Additional results can be requested.\"" }
            return .init(status: 200, headers: headers, body: Array(("[" + items.joined(separator: ",") + "]").utf8))
        }
        let c = try client(t)
        let all = try c.searchAll(QIDOQuery(.studies), pageSize: 10)
        XCTAssertEqual(all.map { $0.string(.studyInstanceUID) }, (0..<5).map { "1.2.\($0)" })
        XCTAssertEqual(t.requests.map { URLComponents(url: $0.url, resolvingAgainstBaseURL: false)!.queryItems!.first { $0.name == "offset" }!.value! },
                       ["0", "2", "4"])
        XCTAssertEqual(HTTPResponseHead(status: 200, headers: ["Warning": "110 - \"stale, 299\", 299 x \"capped\""]).warningCodes, [110, 299])
        XCTAssertEqual(HTTPResponseHead(status: 200).warningCodes, [])
    }

    func testQIDOPathsAndNoContent() throws {
        XCTAssertEqual(QIDOQuery(.instances, study: "1", series: "2").path, "studies/1/series/2/instances")
        XCTAssertEqual(QIDOQuery(.series, study: "1").path, "studies/1/series")
        XCTAssertEqual(QIDOQuery(.instances).path, "instances")
        let t = MockTransport { _, _ in .init(status: 204) }
        XCTAssertEqual(try client(t).search(QIDOQuery(.studies)).count, 0)
        let bad = MockTransport { _, _ in .init(status: 200, body: Array("<html>".utf8)) }
        XCTAssertThrowsError(try client(bad).search(QIDOQuery(.studies))) {
            XCTAssertEqual(($0 as? DICOMwebError)?.kind, .malformedResponse)
        }
    }

    // MARK: STOW

    static let stowJSON = """
    {"00081190":{"vr":"UR","Value":["https://a/studies/1.2.3"]},
     "00081199":{"vr":"SQ","Value":[
       {"00081150":{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.7"]},"00081155":{"vr":"UI","Value":["1.9.1"]},
        "00081190":{"vr":"UR","Value":["https://a/studies/1.2.3/series/4/instances/1.9.1"]}},
       {"00081150":{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.7"]},"00081155":{"vr":"UI","Value":["1.9.2"]},
        "00081196":{"vr":"US","Value":[45063]}}]},
     "00081198":{"vr":"SQ","Value":[
       {"00081150":{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.7"]},"00081155":{"vr":"UI","Value":["1.9.3"]},
        "00081197":{"vr":"US","Value":[272]}}]}}
    """

    func testSTOWResponseInDICOMJSON() throws {
        let r = try STOWResponse.parse(Array(Self.stowJSON.utf8), contentType: "application/dicom+json")
        XCTAssertEqual(r.retrieveURL, "https://a/studies/1.2.3")
        XCTAssertEqual(r.stored.map(\.sopInstanceUID), ["1.9.1", "1.9.2"])
        XCTAssertEqual(r.stored[1].warningReason, 0xB007)
        XCTAssertEqual(r.stored[0].retrieveURL, "https://a/studies/1.2.3/series/4/instances/1.9.1")
        XCTAssertEqual(r.failed.map(\.sopInstanceUID), ["1.9.3"])
        XCTAssertEqual(r.failed[0].failureReason, 0x0110)
        XCTAssertEqual(try STOWResponse.parse(Array(("[" + Self.stowJSON + "]").utf8), contentType: nil), r)
    }

    func testSTOWResponseInXML() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- Native DICOM Model -->
        <NativeDicomModel xmlns="http://dicom.nema.org/PS3.19/models/NativeDICOM">
          <DicomAttribute tag="00081190" vr="UR" keyword="RetrieveURL"><Value number="1">https://a/studies/1?x=1&amp;y=2</Value></DicomAttribute>
          <DicomAttribute tag="00081199" vr="SQ" keyword="ReferencedSOPSequence">
            <Item number="1">
              <DicomAttribute tag="00081150" vr="UI"><Value number="1">1.2.840.10008.5.1.4.1.1.7</Value></DicomAttribute>
              <DicomAttribute tag="00081155" vr="UI"><Value number="1">1.9.1</Value></DicomAttribute>
            </Item>
          </DicomAttribute>
          <DicomAttribute tag="00081198" vr="SQ" keyword="FailedSOPSequence">
            <Item number="1">
              <DicomAttribute tag="00081155" vr="UI"><Value number="1">1.9.3</Value></DicomAttribute>
              <DicomAttribute tag="00081197" vr="US"><Value number="1">43264</Value></DicomAttribute>
            </Item>
          </DicomAttribute>
          <DicomAttribute tag="00081196" vr="US"/>
        </NativeDicomModel>
        """
        let r = try STOWResponse.parse(Array(xml.utf8), contentType: "application/dicom+xml; charset=utf-8")
        XCTAssertEqual(r.retrieveURL, "https://a/studies/1?x=1&y=2")
        XCTAssertEqual(r.stored.map(\.sopInstanceUID), ["1.9.1"])
        XCTAssertEqual(r.failed.first?.failureReason, 0xA900)
        for broken in ["<NativeDicomModel>", "<a></b>", "<NativeDicomModel><DicomAttribute tag=\"x\"/></NativeDicomModel>", "<Other/>"] {
            XCTAssertThrowsError(try STOWResponse.parse(Array(broken.utf8), contentType: "application/dicom+xml"), broken)
        }
    }

    func testStoreSendsOneMultipartBodyAndReportsEachInstance() throws {
        let dir = try temporaryFolder()
        let files = try (1...4).map { try instanceFile(dir, uid: "1.9.\($0)") }
        let instances = try files.map { try STOWInstance(path: $0) }
        XCTAssertEqual(instances.map(\.sopInstanceUID), ["1.9.1", "1.9.2", "1.9.3", "1.9.4"])
        // Orthanc's behaviour: HTTP 400 although two instances were stored.
        let t = MockTransport { _, _ in .init(status: 400, headers: ["Content-Type": "application/dicom+json"], body: Array(Self.stowJSON.utf8)) }
        let r = try client(t).store(instances)
        XCTAssertEqual(r.instances.map(\.outcome), [.stored, .storedWithWarning(0xB007), .failed(reason: 0x0110), .notAcknowledged])
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.error?.status, 400)
        XCTAssertTrue(r.isPartial)
        XCTAssertFalse(r.isComplete)
        XCTAssertEqual(r.storedCount, 2)
        let req = t.requests[0]
        XCTAssertEqual(req.method, "POST")
        XCTAssertEqual(req.url.absoluteString, "https://archive.example/dicomweb/studies")
        XCTAssertEqual(req.header("Accept"), "application/dicom+json")
        XCTAssertNil(req.header("Content-Length"), "a streamed body: chunked, no length of ours")
        // The body: each file as it is on disk, in order.
        var p = try MultipartParser(contentType: req.header("Content-Type")!)
        var c = MultipartCollector()
        try p.feed(t.bodies[0], into: &c)
        try p.finish()
        XCTAssertEqual(c.parts.map(\.body), try files.map { Array(try Data(contentsOf: URL(fileURLWithPath: $0))) })
        XCTAssertEqual(Set(c.parts.map { $0.headers.contentType?.essence }), ["application/dicom"])
        // No temporary body was written.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("stow") }, [])
    }

    /// A file removed after the scan: without its mapping it is left out as `.unreadable` and the
    /// others go; with the mapping the scanned bytes go even though the path is gone.
    func testStoreLeavesOutAFileThatCannotBeOpenedAndSendsMappedBytes() throws {
        let dir = try temporaryFolder()
        let files = try (1...3).map { try instanceFile(dir, uid: "1.9.\($0)", pixels: [UInt8]($0 == 3 ? [9, 9, 9, 9] : [1, 2, 3, 4])) }
        var instances = try files.map { try STOWInstance(path: $0) }
        let mappedBytes = try Data(contentsOf: URL(fileURLWithPath: files[2]))
        instances[2].storage = try MappedFile.open(files[2])
        try FileManager.default.removeItem(atPath: files[1])
        try FileManager.default.removeItem(atPath: files[2])
        let t = MockTransport { _, _ in .init(status: 200, headers: ["Content-Type": "application/dicom+json"], body: Array(Self.stowJSON.utf8)) }
        let r = try client(t).store(instances)
        guard case .unreadable(let reason) = r.instances[1].outcome else { return XCTFail("\(r.instances[1].outcome)") }
        XCTAssertTrue(reason.contains("No such file"), reason)
        XCTAssertEqual(r.instances[0].outcome, .stored)
        var p = try MultipartParser(contentType: t.requests[0].header("Content-Type")!)
        var c = MultipartCollector()
        try p.feed(t.bodies[0], into: &c)
        try p.finish()
        XCTAssertEqual(c.parts.count, 2)
        XCTAssertEqual(c.parts[1].body, Array(mappedBytes))
        // All unreadable: no request at all.
        let t2 = MockTransport { _, _ in .init(status: 200) }
        let r2 = try client(t2).store([instances[1]])
        XCTAssertEqual(t2.requests.count, 0)
        XCTAssertEqual(r2.storedCount, 0)
    }

    func testStoreWithAnErrorPageAcknowledgesNothing() throws {
        let dir = try temporaryFolder()
        let i = try STOWInstance(path: try instanceFile(dir, uid: "1.9.1"))
        let t = MockTransport { _, _ in .init(status: 503, headers: ["Content-Type": "text/html", "Retry-After": "5"], body: Array("<html>down</html>".utf8)) }
        let r = try client(t).store([i])
        XCTAssertEqual(r.instances.map(\.outcome), [.notAcknowledged])
        XCTAssertEqual(r.error?.retryAfter, 5)
        XCTAssertEqual(r.error?.isTransient, true)
    }

    func testBatchesByCountAndBytes() {
        let xs = (0..<7).map { STOWInstance(path: "\($0)", sopClassUID: "", sopInstanceUID: "\($0)", studyInstanceUID: "", size: [10, 10, 50, 200, 10, 10, 10][$0]) }
        XCTAssertEqual(STOWInstance.batches(xs, maxCount: 3, maxBytes: 100).map { $0.map(\.path) },
                       [["0", "1", "2"], ["3"], ["4", "5", "6"]])
        XCTAssertEqual(STOWInstance.batches(xs, maxCount: 2, maxBytes: .max).map(\.count), [2, 2, 2, 1])
        XCTAssertEqual(STOWInstance.batches([], maxCount: 2, maxBytes: 1).count, 0)
    }

    func testNonPart10FileIsRefused() throws {
        let dir = try temporaryFolder()
        FileManager.default.createFile(atPath: dir + "/x", contents: Data("hello".utf8))
        XCTAssertThrowsError(try STOWInstance(path: dir + "/x"))
        XCTAssertThrowsError(try STOWInstance(path: dir + "/missing"))
    }

    // MARK: WADO

    func testRetrieveWritesEachPartToItsFile() throws {
        let dir = try temporaryFolder()
        let files = try (1...3).map { try instanceFile(dir, uid: "1.8.\($0)", pixels: Array(repeating: UInt8($0), count: 1000)) }
        var w = MultipartWriter(boundary: "srv-b")
        for f in files { try w.writePart(headers: [.init("Content-Type", "application/dicom; transfer-syntax=1.2.840.10008.1.2.1")], file: f) }
        let body = try w.close().bytes
        let t = MockTransport { _, _ in .init(status: 200, headers: ["Content-Type": "multipart/related; type=\"application/dicom\"; boundary=srv-b"], body: body) }
        t.chunkSize = 333
        var seen: [String] = []
        let out = dir + "/out"
        let parts = try client(t).retrieve(.study("1.2.3"), into: out) { seen.append($0.sopInstanceUID ?? "") }
        XCTAssertEqual(seen, ["1.8.1", "1.8.2", "1.8.3"])
        XCTAssertEqual(t.requests[0].url.absoluteString, "https://archive.example/dicomweb/studies/1.2.3")
        XCTAssertEqual(t.requests[0].header("Accept"), "multipart/related; type=\"application/dicom\"; transfer-syntax=*")
        for (p, f) in zip(parts, files) {
            XCTAssertEqual(p.path, out + "/" + FilePath.name(of: f))
            XCTAssertEqual(FileManager.default.contents(atPath: p.path), FileManager.default.contents(atPath: f))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["1.8.1.dcm", "1.8.2.dcm", "1.8.3.dcm"])
        // A rerun finds the files in place and keeps them.
        let again = try client(t).retrieve(.study("1.2.3"), into: out)
        XCTAssertEqual(again.map(\.alreadyPresent), [true, true, true])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).count, 3)
    }

    func testTruncatedRetrieveLeavesOnlyCompleteFiles() throws {
        let dir = try temporaryFolder()
        let files = try (1...2).map { try instanceFile(dir, uid: "1.7.\($0)", pixels: Array(repeating: 9, count: 5000)) }
        var w = MultipartWriter(boundary: "srv-b")
        for f in files { try w.writePart(headers: [.init("Content-Type", "application/dicom")], file: f) }
        let body = Array(try w.close().bytes.dropLast(3000))
        let t = MockTransport { _, _ in .init(status: 200, headers: ["Content-Type": "multipart/related; boundary=srv-b"], body: body) }
        let out = dir + "/out"
        // A body cut short (no close delimiter) is a connection lost, transient: asking again may work.
        XCTAssertThrowsError(try client(t).retrieve(.series(study: "1.2.3", series: "4"), into: out)) {
            XCTAssertEqual(($0 as? DICOMwebError)?.kind, .unavailable)
            XCTAssertEqual(($0 as? DICOMwebError)?.isTransient, true)
            XCTAssertTrue(String(describing: $0).contains("broke off") && String(describing: $0).contains("after 1 complete parts"), "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), ["1.7.1.dcm"])
    }

    func testRetrieveErrorStatusAndNonMultipart() throws {
        let dir = try temporaryFolder()
        let t404 = MockTransport { _, _ in .init(status: 404, body: Array("no such study".utf8)) }
        XCTAssertThrowsError(try client(t404).retrieve(.study("9"), into: dir)) {
            XCTAssertEqual(($0 as? DICOMwebError)?.status, 404)
        }
        let json = MockTransport { _, _ in .init(status: 200, headers: ["Content-Type": "application/json"], body: Array("{}".utf8)) }
        XCTAssertThrowsError(try client(json).retrieve(.study("9"), into: dir)) {
            XCTAssertEqual(($0 as? DICOMwebError)?.kind, .malformedResponse)
        }
    }

    func testMetadataIsDecoded() throws {
        let t = MockTransport { _, _ in
            .init(status: 200, headers: ["Content-Type": "application/dicom+json"],
                  body: Array("[{\"00080018\":{\"vr\":\"UI\",\"Value\":[\"1.5\"]},\"7FE00010\":{\"vr\":\"OB\",\"BulkDataURI\":\"https://a/b\"}}]".utf8))
        }
        let m = try client(t).metadata(.instance(study: "1", series: "2", instance: "1.5"))
        XCTAssertEqual(m.first?.string(.sopInstanceUID), "1.5")
        XCTAssertEqual(t.requests[0].url.path, "/dicomweb/studies/1/series/2/instances/1.5/metadata")
    }

    func testMediaTypeParsing() {
        let m = MediaType(parsing: "Multipart/Related; type=\"application/dicom\"; boundary=\"x\\\"y\"; start=<a>")
        XCTAssertNil(m)  // "<a>" is not a token
        let n = MediaType(parsing: "multipart/related ; type=\"application/dicom+xml\";boundary=abc;")
        XCTAssertEqual(n?.essence, "multipart/related")
        XCTAssertEqual(n?.parameter("TYPE"), "application/dicom+xml")
        XCTAssertEqual(n?.parameter("boundary"), "abc")
        XCTAssertEqual(MediaType(parsing: "a/b; q=\"x\\\"y\"")?.parameter("q"), "x\"y")
        XCTAssertNil(MediaType(parsing: "nonsense"))
        XCTAssertEqual(MediaType("a", "b", parameters: [("p", "x y")]).description, "a/b; p=\"x y\"")
    }
}
