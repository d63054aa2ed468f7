import Foundation
import XCTest
@testable import CMRCLI

/// `cmr share`: grants issued, listed, verified and revoked, run in-process against a share
/// folder, audit log and keys in a temporary folder.
final class ShareCommandTests: XCTestCase {
    var dir = ""
    var env: [String: String] {
        ["CMR_AUDIT_LOG": dir + "/audit.log", "CMR_SHARE_DIR": dir + "/share", "CMR_SHARE_KEY": dir + "/share.key",
         "CMR_SHARE_GATEWAY": "share.example.org"]
    }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "cmr-share-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        XCTAssertEqual(runCLI(["audit", "keygen", "--out", dir + "/share", "--name", "example.org/share"], environment: env).status, 0)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A synthetic study (identified) and its pseudonymous copy.
    func makeStudies() throws -> (identified: String, pseudonymous: String) {
        let synth = runCLI(["synth", "--out", dir + "/raw", "--patients", "1", "--series", "CT", "--instances", "2",
                            "--rows", "8", "--columns", "8"], environment: env)
        XCTAssertEqual(synth.status, 0, synth.stderr)
        XCTAssertEqual(runCLI(["key", "new", dir + "/site.key"], environment: env).status, 0)
        let deid = runCLI(["deidentify", "--mode", "pseudonymous", "--key-file", dir + "/site.key", "--out", dir + "/deid", dir + "/raw"],
                          environment: env)
        XCTAssertEqual(deid.status, 0, deid.stderr)
        return (dir + "/raw", dir + "/deid")
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func auditRecords() throws -> [[String: Any]] {
        try String(contentsOfFile: dir + "/audit.log", encoding: .utf8).split(separator: "\n").map { try json(String($0)) }
    }

    func testCreateListVerifyRevokeVerify() throws {
        let studies = try makeStudies()
        let created = runCLI(["share", studies.pseudonymous, "--to", "dr.b@example.org", "--expires", "7d", "--max-uses", "3",
                              "--note", "tumour board", "--json"], environment: env)
        XCTAssertEqual(created.status, 0, created.stderr)
        let result = try json(created.stdout)
        let id = try XCTUnwrap(result["id"] as? String)
        let token = try XCTUnwrap(result["token"] as? String)
        XCTAssertEqual(result["link"] as? String, "https://share.example.org/s#" + token)
        let grant = try XCTUnwrap(result["grant"] as? [String: Any])
        XCTAssertEqual(grant["mode"] as? String, "pseudonymous")
        XCTAssertEqual(grant["scope"] as? String, "view")
        XCTAssertEqual(grant["maxUses"] as? Int, 3)
        XCTAssertEqual((result["source"] as? [String: Any])?["files"] as? Int, 2)

        // The explicit form prints only the link on standard output.
        let plain = runCLI(["share", "create", studies.pseudonymous, "--to", "lab", "--scope", "download"], environment: env)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stdout.hasPrefix("https://share.example.org/s#v4.public."), plain.stdout)
        XCTAssertEqual(plain.stdout.split(separator: "\n").count, 1)

        let list = runCLI(["share", "list"], environment: env)
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertEqual(list.stdout.split(separator: "\n").count, 3, list.stdout)
        XCTAssertTrue(list.stdout.contains("\(id)  active  0/3"), list.stdout)

        let valid = runCLI(["share", "verify", "-"], environment: env, stdin: token + "\n")
        XCTAssertEqual(valid.status, 0, valid.stdout + valid.stderr)
        XCTAssertTrue(valid.stdout.hasPrefix("valid: grant \(id) for dr.b@example.org"), valid.stdout)
        let studyUID = try XCTUnwrap(grant["studyUID"] as? String)
        let download = runCLI(["share", "verify", "-", "--study", studyUID, "--download"], environment: env, stdin: token)
        XCTAssertEqual(download.status, 1)
        XCTAssertTrue(download.stdout.hasPrefix("refused: out-of-scope:"), download.stdout)
        let withPub = runCLI(["share", "verify", "--pub", dir + "/share.pub", "--json", "-"], environment: ["CMR_SHARE_DIR": dir + "/share"],
                             stdin: "https://share.example.org/s#" + token)
        XCTAssertEqual(try json(withPub.stdout)["valid"] as? Bool, true, withPub.stderr)

        let revoke = runCLI(["share", "revoke", id, "--reason", "sent to the wrong address"], environment: env)
        XCTAssertEqual(revoke.status, 0, revoke.stderr)
        let refused = runCLI(["share", "verify", "-", "--json"], environment: env, stdin: token)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(try json(refused.stdout)["reason"] as? String, "revoked")
        XCTAssertTrue(runCLI(["share", "list", "--state", "revoked"], environment: env).stdout.contains(id))

        let status = runCLI(["share", "status", id, "--json"], environment: env)
        XCTAssertEqual(status.status, 0, status.stderr)
        let accesses = try XCTUnwrap(try json(status.stdout)["accesses"] as? [[String: Any]])
        XCTAssertEqual(accesses.map { $0["action"] as? String }, ["R", "D"])

        // Audit: the grants (export, R) and the revocation (export, D); the token never.
        let records = try auditRecords()
        let shares = records.filter { ($0["event"] as? [String: String])?["name"] == "share" }
        XCTAssertEqual(shares.map { ($0["event"] as? [String: String])?["action"] }, ["R", "R", "D"])
        XCTAssertEqual(shares.map { ($0["event"] as? [String: String])?["code"] }, ["110106", "110106", "110106"])
        XCTAssertEqual(shares[0]["destination"] as? String, "dr.b@example.org")
        XCTAssertEqual(shares[0]["mode"] as? String, "pseudonymous")
        XCTAssertEqual((shares[0]["details"] as? [String: String])?["grant"], id)
        XCTAssertEqual((shares[2]["details"] as? [String: String])?["reason"], "sent to the wrong address")
        XCTAssertFalse(try String(contentsOfFile: dir + "/audit.log", encoding: .utf8).contains(token))
        let verify = runCLI(["audit", "verify"], environment: env)
        XCTAssertEqual(verify.status, 0, verify.stderr)

        // The share folder is private.
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/share/grants.jsonl")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testIdentifiedDataIsRefusedUnlessAllowed() throws {
        let studies = try makeStudies()
        let refused = runCLI(["share", studies.identified, "--to", "x"], environment: env)
        XCTAssertEqual(refused.status, 77, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("identified data"), refused.stderr)
        let allowed = runCLI(["share", studies.identified, "--to", "x", "--allow-identified", "--json"], environment: env)
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertEqual((try json(allowed.stdout)["grant"] as? [String: Any])?["mode"] as? String, "identified")
        // --study without a folder: the mode must be declared.
        XCTAssertEqual(runCLI(["share", "--study", "1.2.3", "--to", "x"], environment: env).status, 64)
        XCTAssertEqual(runCLI(["share", "--study", "1.2.3", "--to", "x", "--mode", "identified"], environment: env).status, 77)
        XCTAssertEqual(runCLI(["share", "--study", "1.2.3", "--to", "x", "--mode", "deidentified"], environment: env).status, 0)
    }

    func testPolicyAndConfigurationRefusals() throws {
        let studies = try makeStudies()
        let cap = runCLI(["share", studies.pseudonymous, "--to", "x", "--expires", "31d"], environment: env)
        XCTAssertEqual(cap.status, 64)
        XCTAssertTrue(cap.stderr.contains("cap of 30d"), cap.stderr)
        var tight = env
        tight["CMR_SHARE_MAX_EXPIRY"] = "1h"
        XCTAssertEqual(runCLI(["share", studies.pseudonymous, "--to", "x", "--expires", "2h"], environment: tight).status, 64)
        XCTAssertEqual(runCLI(["share", studies.pseudonymous, "--to", "x", "--expires", "soon"], environment: env).status, 64)
        var noGateway = env
        noGateway["CMR_SHARE_GATEWAY"] = nil
        XCTAssertEqual(runCLI(["share", studies.pseudonymous, "--to", "x"], environment: noGateway).status, 78)
        var noKey = env
        noKey["CMR_SHARE_KEY"] = nil
        XCTAssertEqual(runCLI(["share", studies.pseudonymous, "--to", "x"], environment: noKey).status, 78)
        XCTAssertEqual(runCLI(["share", dir + "/nowhere", "--to", "x"], environment: env).status, 66)
        XCTAssertEqual(runCLI(["share", studies.pseudonymous], environment: env).status, 64, "--to is required")
        XCTAssertEqual(runCLI(["share", "revoke", "0000"], environment: env).status, 66)
        XCTAssertEqual(runCLI(["share", "verify", "-"], environment: env, stdin: "v4.public.AAAA").status, 1)
        // Nothing refused reached the log or the grants.
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/share/grants.jsonl"))
    }
}
