import XCTest
import Foundation

/// `cmr share` end to end with the built binary: grants made by `cmr share create`, served by
/// `cmr share serve` (verifier key only), fetched with curl; each refusal with its own status and
/// reason; revocation and use limits take effect on the next request; every access audited.
final class ShareServeTests: XCTestCase {
    func testGrantsServeRefuseRevokeAndAudit() throws {
        let cmr = try Peers.cmrPath()
        let curl = try Peers.tool("/usr/bin/curl")
        let dir = try Peers.temporaryFolder(self)
        let env = ["CMR_AUDIT_LOG": dir + "/audit.log", "CMR_SHARE_DIR": dir + "/share", "CMR_SHARE_KEY": dir + "/share.key",
                   "CMR_SHARE_GATEWAY": "share.example.org"]
        func run(_ args: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
            let r = try Peers.run(cmr, args, stdin: stdin.map { Data($0.utf8) }, environment: env)
            return (r.status, String(decoding: r.stdout, as: UTF8.self), String(decoding: r.stderr, as: UTF8.self))
        }
        XCTAssertEqual(try run(["audit", "keygen", "--out", dir + "/share", "--name", "example.org/share"]).status, 0)
        XCTAssertEqual(try run(["synth", "--out", dir + "/raw", "--patients", "1", "--series", "CT", "--instances", "3",
                                "--rows", "64", "--columns", "64"]).status, 0)
        XCTAssertEqual(try run(["key", "new", dir + "/site.key"]).status, 0)
        XCTAssertEqual(try run(["deidentify", "--mode", "pseudonymous", "--key-file", dir + "/site.key", "--out", dir + "/deid", dir + "/raw"]).status, 0)

        func grant(_ extra: [String]) throws -> (id: String, token: String) {
            let r = try run(["share", dir + "/deid", "--to", "dr.b@example.org", "--json"] + extra)
            XCTAssertEqual(r.status, 0, r.err)
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
            return (try XCTUnwrap(o["id"] as? String), try XCTUnwrap(o["token"] as? String))
        }
        let view = try grant(["--max-uses", "2"])
        let download = try grant(["--scope", "download"])
        let later = try grant(["--not-before", "2099-01-01"])

        // The server holds only the public key.
        let (server, base) = try Self.startServer(cmr, dir, curl: curl)
        defer { if server.isRunning { server.terminate() } }
        func get(_ path: String, token: String?, out: String = "/dev/null") throws -> (code: String, headers: String) {
            var args = ["-s", "--max-time", "20", "-D", "-", "-o", out, "-w", "%{http_code}"]
            if let token { args += ["-H", "Authorization: Bearer " + token] }
            let r = try Peers.run(curl, args + [base + path])
            let text = String(decoding: r.stdout, as: UTF8.self)
            return (String(text.suffix(3)), text)
        }

        let page = try get("/s", token: nil)
        XCTAssertTrue(page.headers.lowercased().contains("cache-control: no-store"), page.headers)
        XCTAssertTrue(page.headers.lowercased().contains("content-security-policy:"), page.headers)
        let manifestFile = dir + "/manifest.json"
        XCTAssertEqual(try get("/api/study", token: view.token, out: manifestFile).code, "200")
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestFile))) as? [String: Any])
        let series = try XCTUnwrap((manifest["series"] as? [[String: Any]])?.first)
        let seriesUID = try XCTUnwrap(series["uid"] as? String)
        let instance = try XCTUnwrap((series["instances"] as? [[String: Any]])?.first?["uid"] as? String)
        let studyUID = try XCTUnwrap(manifest["studyUID"] as? String ?? manifest["uid"] as? String)

        let png = dir + "/frame.png"
        XCTAssertEqual(try get("/api/thumb/\(seriesUID)", token: view.token, out: png).code, "200")
        XCTAssertEqual(try get("/api/frame/\(instance)/0?window=40,400&size=64x64", token: view.token, out: png).code, "200")
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: png)).prefix(4)), [0x89, 0x50, 0x4E, 0x47])

        // Refusals, each with its own status.
        let wado = "/studies/\(studyUID)/series/\(seriesUID)/instances/\(instance)"
        XCTAssertEqual(try get(wado, token: view.token).code, "403", "download with a view grant")
        XCTAssertEqual(try get("/api/study", token: nil).code, "401")
        var tampered = Array(view.token)
        tampered[tampered.count / 2] = tampered[tampered.count / 2] == "A" ? "B" : "A"
        XCTAssertEqual(try get("/api/study", token: String(tampered)).code, "401")
        XCTAssertEqual(try get("/api/study", token: later.token).code, "403", "not yet valid")

        // A download grant fetches the file itself, byte for byte.
        let fetched = dir + "/fetched.dcm"
        XCTAssertEqual(try get(wado, token: download.token, out: fetched).code, "200")
        let originals = try FileManager.default.subpathsOfDirectory(atPath: dir + "/deid").filter { $0.hasSuffix(".dcm") }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fetched))
        XCTAssertTrue(try originals.contains { try Data(contentsOf: URL(fileURLWithPath: dir + "/deid/" + $0)) == bytes })

        // Two uses allowed: the second opening works, the third is refused.
        XCTAssertEqual(try get("/api/study", token: view.token).code, "200")
        XCTAssertEqual(try get("/api/study", token: view.token).code, "403", "uses exhausted")
        // Revocation takes effect on the next request.
        XCTAssertEqual(try run(["share", "revoke", download.id, "--reason", "sent to the wrong person"]).status, 0)
        XCTAssertEqual(try get(wado, token: download.token).code, "403", "revoked")

        server.terminate()
        server.waitUntilExit()
        XCTAssertEqual(server.terminationStatus, 0, "SIGTERM stops the server cleanly")
        let verify = try run(["audit", "verify", dir + "/audit.log"])
        XCTAssertEqual(verify.status, 0, verify.err)
        let records = try String(contentsOfFile: dir + "/audit.log", encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        func event(_ r: [String: Any]) -> String { ((r["event"] as? [String: Any])?["code"] as? String) ?? "" }
        func outcome(_ r: [String: Any]) -> String { ((r["outcome"] as? [String: Any])?["message"] as? String) ?? "" }
        let refused = records.filter { event($0) == "110114" }.map(outcome)
        func grantOf(_ r: [String: Any]) -> String? { (r["details"] as? [String: Any])?["grant"] as? String }
        let revokedRecord = records.first { event($0) == "110114" && outcome($0) == "revoked" }
        XCTAssertEqual(revokedRecord.flatMap(grantOf), download.id, "a refusal of a genuine grant names it")
        XCTAssertNil(records.first { event($0) == "110114" && outcome($0) == "bad-signature" }.flatMap(grantOf))
        for reason in ["out-of-scope", "malformed", "bad-signature", "not-yet-valid", "uses-exhausted", "revoked"] {
            XCTAssertTrue(refused.contains(reason), "no refusal recorded as \(reason): \(refused)")
        }
        XCTAssertEqual(records.filter { event($0) == "110104" }.count, 1, "one download")
        XCTAssertGreaterThanOrEqual(records.filter { event($0) == "110103" }.count, 4)
        XCTAssertEqual(records.filter { event($0) == "110100" }.count, 2, "start and stop")
        let status = try run(["share", "status", view.id])
        XCTAssertEqual(status.status, 0, status.err)
        XCTAssertTrue(status.out.contains("127.0.0.1"), status.out)
    }
}

extension ShareServeTests {
    /// Starts `cmr share serve` on a free loopback port for the set-up under `dir` (studies in
    /// `deid`, verifier key `share.pub`, share folder `share`, log `audit.log`) and waits until the
    /// viewer page answers; returns the process and the base URL.
    static func startServer(_ cmr: String, _ dir: String, curl: String) throws -> (process: Process, base: String) {
        let port = try DIMSEInteropTests.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: cmr)
        server.arguments = ["share", "serve", "--root", dir + "/deid", "--listen", "127.0.0.1:\(port)", "--pub", dir + "/share.pub"]
        server.environment = ProcessInfo.processInfo.environment.merging(["CMR_AUDIT_LOG": dir + "/audit.log", "CMR_SHARE_DIR": dir + "/share"]) { $1 }
        server.standardError = FileHandle.nullDevice
        try server.run()
        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<100 where !up {
            up = (try? Peers.run(curl, ["-s", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", base + "/s"]).out) == "200"
            if !up { usleep(100_000) }
        }
        if !up { server.terminate(); server.waitUntilExit(); XCTFail("the server did not come up") }
        return (server, base)
    }
}
