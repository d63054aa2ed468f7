import XCTest
import CMRCrypto
@testable import CMRShare

final class ShareAppTests: XCTestCase {
    var fixture: ShareAppFixture!
    var app: ShareApp!
    let log = AccessLog()

    override func setUpWithError() throws {
        fixture = try ShareAppFixture()
        let index = try StudyIndex.scan(root: fixture.root)
        let log = self.log
        app = ShareApp(index: index, verify: ShareAppFixture.verify, onAccess: { log.add($0) })
    }

    override func tearDown() { fixture.remove() }

    func get(_ target: String, token: String? = nil, method: String = "GET") -> HTTPResponse {
        var h = HTTPHeaders([("Host", "localhost")])
        if let token { h.add("Authorization", "Bearer \(token)") }
        return app.respond(to: HTTPRequest(method: method, target: target, headers: h, remoteAddress: "127.0.0.1:5000"))
    }

    func json(_ r: HTTPResponse) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.bytes)) as? [String: Any])
    }

    static func pngSize(_ bytes: [UInt8]) -> (Int, Int)? {
        guard bytes.count > 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
        func be(_ o: Int) -> Int { Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]) }
        return (be(16), be(20))
    }

    func testIndexSortsAndSkips() throws {
        try FileManager.default.copyItem(atPath: fixture.root + "/ct/1.dcm", toPath: fixture.root + "/ct/z-copy.dcm")
        let again = try StudyIndex.scan(root: fixture.root)
        XCTAssertEqual(again.study(ShareAppFixture.study)?.series[1].instances.count, 3, "a repeated instance UID is served once")
        XCTAssertEqual(again.skipped.count, 2)
        let study = try XCTUnwrap(app.index.study(ShareAppFixture.study))
        XCTAssertEqual(study.series.map(\.uid), [ShareAppFixture.mr, ShareAppFixture.ct], "by series number")
        XCTAssertEqual(study.series[1].instances.map(\.number), [1, 2, 3])
        XCTAssertEqual(study.series[0].instances[0].frames, 4)
        XCTAssertEqual(app.index.studies.count, 2)
        XCTAssertEqual(app.index.skipped.map { String($0.split(separator: "/").last!) }, ["notes.txt"])
    }

    func testViewerPageNeedsNoTokenAndCarriesItsHashes() throws {
        let r = get("/s")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.headers["Content-Type"], "text/html; charset=utf-8")
        let csp = try XCTUnwrap(r.headers["Content-Security-Policy"])
        XCTAssertTrue(csp.hasPrefix("default-src 'none'"))
        XCTAssertTrue(csp.contains("img-src 'self' blob:") && csp.contains("connect-src 'self'"))
        let html = String(decoding: r.bytes, as: UTF8.self)
        // The hash in the policy is the hash of the inline script exactly as served.
        let script = try XCTUnwrap(html.range(of: "<script>").flatMap { s in html.range(of: "</script>").map { String(html[s.upperBound..<$0.lowerBound]) } })
        let expected = "sha256-" + Data(SHA256.hash(Array(script.utf8))).base64EncodedString()
        XCTAssertTrue(csp.contains("script-src '\(expected)'"))
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "no external assets")
        XCTAssertTrue(log.all.isEmpty, "the page itself is not an access")
        XCTAssertEqual(get("/s", method: "HEAD").status, 200)
    }

    func testManifest() throws {
        let r = get("/api/study", token: "view")
        XCTAssertEqual(r.status, 200)
        let m = try json(r)
        XCTAssertEqual(m["studyUID"] as? String, ShareAppFixture.study)
        XCTAssertEqual(m["description"] as? String, "Synthetic chest")
        XCTAssertEqual(m["date"] as? String, "20240102")
        XCTAssertEqual(m["scope"] as? String, "view")
        let series = try XCTUnwrap(m["series"] as? [[String: Any]])
        XCTAssertEqual(series.map { $0["uid"] as? String }, [ShareAppFixture.mr, ShareAppFixture.ct])
        XCTAssertEqual(series[0]["modality"] as? String, "MR")
        let instances = try XCTUnwrap(series[1]["instances"] as? [[String: Any]])
        XCTAssertEqual(instances.map { $0["number"] as? Int }, [1, 2, 3])
        XCTAssertFalse(String(decoding: r.bytes, as: UTF8.self).contains(fixture.root), "no paths")
        XCTAssertEqual(log.last, ShareAccess(grantID: "grant-view", studyUID: ShareAppFixture.study, endpoint: .study, kind: .view,
                                             client: "127.0.0.1:5000", status: 200, bytes: r.bytes.count, mode: "deidentified"))
        // A grant limited to one series lists only that series.
        let limited = try json(get("/api/study", token: "mr-only"))
        XCTAssertEqual((limited["series"] as? [[String: Any]])?.count, 1)
    }

    func testThumbnail() throws {
        let r = get("/api/thumb/\(ShareAppFixture.ct)", token: "view")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.headers["Content-Type"], "image/png")
        let (w, h) = try XCTUnwrap(Self.pngSize(r.bytes))
        XCTAssertTrue(w <= 128 && h <= 128 && max(w, h) == 128, "\(w)x\(h)")
        XCTAssertEqual(get("/api/thumb/\(ShareAppFixture.ct)", token: "view").bytes, r.bytes, "cached")
        XCTAssertEqual(log.last?.seriesUID, ShareAppFixture.ct)
        XCTAssertEqual(log.last?.kind, .view)
        XCTAssertEqual(get("/api/thumb/\(ShareAppFixture.ct)", token: "mr-only").status, 403)
        XCTAssertEqual(log.last?.kind, .refused(reason: "out-of-scope"))
        XCTAssertEqual(get("/api/thumb/1.2.3.404", token: "view").status, 404)
        XCTAssertEqual(log.last?.kind, .refused(reason: "not-found"))
        // A series of another study held here is out of the grant's scope.
        XCTAssertEqual(get("/api/thumb/\(ShareAppFixture.otherStudy).1", token: "view").status, 403)
    }

    func testFrame() throws {
        let inst = ShareAppFixture.ctInstance(2)
        let r = get("/api/frame/\(inst)/0", token: "view")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(try XCTUnwrap(Self.pngSize(r.bytes)).0, 512)
        XCTAssertEqual(r.headers["X-Window"], "1040,400", "the file's window")
        let w = get("/api/frame/\(inst)/0?window=-600,1500&size=256x128", token: "view")
        XCTAssertEqual(w.status, 200)
        XCTAssertEqual(w.headers["X-Window"], "-600,1500")
        let (sw, sh) = try XCTUnwrap(Self.pngSize(w.bytes))
        XCTAssertEqual([sw, sh], [128, 128])
        XCTAssertEqual(log.last, ShareAccess(grantID: "grant-view", studyUID: ShareAppFixture.study, seriesUID: ShareAppFixture.ct,
                                             instanceUID: inst, frame: 0, endpoint: .frame, kind: .view, client: "127.0.0.1:5000",
                                             status: 200, bytes: w.bytes.count, mode: "deidentified"))
        let f3 = get("/api/frame/\(ShareAppFixture.mrInstance)/3", token: "view")
        XCTAssertEqual(f3.status, 200)
        XCTAssertNotEqual(f3.bytes, get("/api/frame/\(ShareAppFixture.mrInstance)/2", token: "view").bytes, "frames differ")
        XCTAssertEqual(get("/api/frame/\(ShareAppFixture.mrInstance)/4", token: "view").status, 404)
        XCTAssertEqual(get("/api/frame/\(ShareAppFixture.mrInstance)/x", token: "view").status, 404)
        XCTAssertEqual(get("/api/frame/\(inst)/0?window=1,0", token: "view").status, 400)
        XCTAssertEqual(get("/api/frame/\(inst)/0?size=0x9", token: "view").status, 400)
        XCTAssertEqual(log.last?.kind, .refused(reason: "bad-request"))
        XCTAssertEqual(get("/api/frame/\(inst)/0", token: "mr-only").status, 403)
    }

    func testDownload() throws {
        let inst = ShareAppFixture.ctInstance(1)
        let path = "/studies/\(ShareAppFixture.study)/series/\(ShareAppFixture.ct)/instances/\(inst)"
        let r = get(path, token: "dl")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.headers["Content-Type"], "application/dicom")
        XCTAssertEqual(r.body, .file(path: fixture.root + "/ct/1.dcm"))
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: fixture.root + "/ct/1.dcm")[.size] as? Int)
        XCTAssertEqual(log.last?.kind, .download)
        XCTAssertEqual(log.last?.bytes, size)
        XCTAssertEqual(get(path, token: "view").status, 403, "view scope")
        XCTAssertEqual(log.last?.kind, .refused(reason: "out-of-scope"))
        XCTAssertEqual(get(path, token: "mr-only").status, 403, "series not granted")
        XCTAssertEqual(get("/studies/\(ShareAppFixture.study)/series/\(ShareAppFixture.mr)/instances/\(inst)", token: "dl").status, 404)
    }

    func testRefusals() throws {
        let cases: [(String?, Int, String)] = [
            (nil, 401, "malformed"), ("forged", 401, "bad-signature"), ("unknown-key", 401, "unknown-key"),
            ("expired", 410, "expired"), ("revoked", 403, "revoked"), ("early", 403, "not-yet-valid"),
            ("used", 403, "uses-exhausted"),
        ]
        for (token, status, reason) in cases {
            for target in ["/api/study", "/api/thumb/\(ShareAppFixture.ct)", "/api/frame/\(ShareAppFixture.mrInstance)/0"] {
                let before = log.all.count
                let r = get(target, token: token)
                XCTAssertEqual(r.status, status, "\(token ?? "no token") \(target)")
                XCTAssertEqual(try json(r)["error"] as? String, reason)
                XCTAssertEqual(log.all.count, before + 1, "one access event")
                XCTAssertEqual(log.last?.kind, .refused(reason: reason))
                XCTAssertEqual(log.last?.status, status)
                if status == 401 { XCTAssertEqual(r.headers["WWW-Authenticate"], "Bearer") }
            }
        }
        // A grant of a study not held here: the manifest is not found; its parts are out of scope.
        XCTAssertEqual(get("/api/study", token: "other").status, 404)
        XCTAssertEqual(log.last?.kind, .refused(reason: "not-found"))
        XCTAssertEqual(get("/api/thumb/\(ShareAppFixture.ct)", token: "other").status, 403)
        XCTAssertEqual(log.last?.grantID, "grant-other")
        XCTAssertNotNil(try json(get("/api/study", token: "expired"))["at"], "the expiry is shown")
        XCTAssertNil(log.all.first?.grantID, "no grant id for a token that did not verify")
        var basic = HTTPHeaders([("Authorization", "Basic dXNlcjpwYXNz")])
        basic.add("Host", "h")
        XCTAssertEqual(app.respond(to: HTTPRequest(method: "GET", target: "/api/study", headers: basic)).status, 401)
        XCTAssertEqual(get("/api/study", token: "view", method: "POST").status, 405)
        XCTAssertEqual(get("/", token: "view").status, 404)
        XCTAssertEqual(get("/api/nothing", token: "view").status, 404)
        XCTAssertEqual(get("/api/thumb/%zz", token: "view").status, 400)
    }

    /// Rendering speed in this (debug or release) build, printed for the report.
    func testRenderingSpeed() throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        XCTAssertEqual(get("/api/thumb/\(ShareAppFixture.ct)", token: "view").status, 200)
        let t1 = DispatchTime.now().uptimeNanoseconds
        XCTAssertEqual(get("/api/frame/\(ShareAppFixture.ctInstance(3))/0", token: "view").status, 200)
        let t2 = DispatchTime.now().uptimeNanoseconds
        XCTAssertEqual(get("/api/frame/\(ShareAppFixture.ctInstance(3))/0?window=40,400", token: "view").status, 200)
        let t3 = DispatchTime.now().uptimeNanoseconds
        print("share-app timing: first thumbnail \((t1 - t0) / 1_000_000) ms, 512x512 frame (cold) \((t2 - t1) / 1_000_000) ms, (file cached) \((t3 - t2) / 1_000_000) ms")
    }
}
