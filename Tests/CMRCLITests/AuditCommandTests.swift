import Foundation
import XCTest
@testable import CMRCLI

/// `cmr audit` and the records inspect and synth append, run in-process against a log in a
/// temporary folder.
final class AuditCommandTests: XCTestCase {
    var dir = ""
    var log: String { dir + "/audit.log" }
    var env: [String: String] { ["CMR_AUDIT_LOG": log] }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "cmr-audit-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// synth then inspect: two records.
    func makeLog() -> [String] {
        let synth = runCLI(["synth", "--out", dir + "/study", "--patients", "1", "--series", "CT", "--instances", "2",
                            "--rows", "8", "--columns", "8", "--print-paths"], environment: env)
        XCTAssertEqual(synth.status, 0, synth.stderr)
        let files = synth.stdout.split(separator: "\n").map(String.init)
        let inspect = runCLI(["inspect", "--summary"] + files, environment: env)
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        return files
    }

    func lines() throws -> [String] {
        try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func json(_ line: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    func testInspectAndSynthAppendRecordsThatVerify() throws {
        let files = makeLog()
        let records = try lines()
        XCTAssertEqual(records.count, 2)
        let synth = try json(records[0]), inspect = try json(records[1])
        XCTAssertEqual(synth["event"] as? [String: String], ["code": "110103", "action": "C", "name": "synth"])
        XCTAssertEqual(inspect["event"] as? [String: String], ["code": "110103", "action": "R", "name": "inspect"])
        XCTAssertEqual((inspect["outcome"] as? [String: Any])?["code"] as? Int, 0)
        let objects = try XCTUnwrap(inspect["objects"] as? [[String: Any]])
        XCTAssertEqual(objects.map { $0["path"] as? String }, files)
        for object in objects {
            XCTAssertNotNil(object["studyUID"]); XCTAssertNotNil(object["seriesUID"]); XCTAssertNotNil(object["instanceUID"])
            XCTAssertEqual((object["patientRef"] as? String)?.count, 64, "the patient as a keyed hash")
        }
        // Never the clear patient ID (synth's are SYNnnnnnn).
        let patientID = runCLI(["inspect", "--tag", "PatientID", files[0]], environment: env).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(patientID.hasPrefix("SYN"))
        // Paths are recorded as given (synth names folders after the patient ID); no other field holds it.
        func strings(_ value: Any, key: String = "") -> [String] {
            switch value {
            case let s as String: return key == "path" || key == "destination" ? [] : [s]
            case let d as [String: Any]: return d.flatMap { strings($0.value, key: $0.key) }
            case let a as [Any]: return a.flatMap { strings($0) }
            default: return []
            }
        }
        for line in try lines() {
            XCTAssertFalse(strings(try json(line)).contains { $0.contains(patientID) }, line)
        }
        let salt = try FileManager.default.attributesOfItem(atPath: log + ".salt")
        XCTAssertEqual((salt[.posixPermissions] as? NSNumber)?.intValue, 0o600)

        let verify = runCLI(["audit", "verify"], environment: env)
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertTrue(verify.stdout.hasPrefix("\(log): intact, 3 records from "), verify.stdout)
        let verifyJSON = runCLI(["audit", "verify", "--json", log], environment: [:])
        XCTAssertEqual(verifyJSON.status, 0)
        XCTAssertEqual(try json(verifyJSON.stdout)["intact"] as? Bool, true)
    }

    func testAFailedFileGivesOutcome4() throws {
        let files = makeLog()
        try "not DICOM".write(toFile: dir + "/bad.dcm", atomically: true, encoding: .utf8)
        XCTAssertEqual(runCLI(["inspect", files[0], dir + "/bad.dcm"], environment: env).status, 1)
        let last = try json(try lines().last!)
        XCTAssertEqual((last["outcome"] as? [String: Any])?["code"] as? Int, 4)
        XCTAssertEqual((last["objects"] as? [[String: Any]])?.last?["path"] as? String, dir + "/bad.dcm")
    }

    func testAnEditedByteIsNamed() throws {
        _ = makeLog()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: log))
        let range = try XCTUnwrap(bytes.range(of: Data(#""action":"C""#.utf8)))  // record 0, synth's
        bytes[range.upperBound - 2] = UInt8(ascii: "D")
        try bytes.write(to: URL(fileURLWithPath: log))
        let verify = runCLI(["audit", "verify", log], environment: [:])
        XCTAssertEqual(verify.status, 1)
        XCTAssertTrue(verify.stderr.contains("modified record at record 0 (line 1): expected record hash "), verify.stderr)
        XCTAssertTrue(verify.stdout.contains("BROKEN"))
    }

    func testKeygenCheckpointVerifyAndProve() throws {
        _ = makeLog()
        let prefix = dir + "/site"
        let keygen = runCLI(["audit", "keygen", "--out", prefix, "--name", "test/cmr-audit"], environment: env)
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        XCTAssertTrue(keygen.stdout.hasPrefix("test/cmr-audit+"))
        let key = try FileManager.default.attributesOfItem(atPath: prefix + ".key")
        XCTAssertEqual((key[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(runCLI(["audit", "keygen", "--out", prefix], environment: env).status, 73, "never overwrites")

        let checkpoint = runCLI(["audit", "checkpoint", "--key", prefix + ".key"], environment: env)
        XCTAssertEqual(checkpoint.status, 0, checkpoint.stderr)
        XCTAssertTrue(checkpoint.stdout.hasPrefix("test/cmr-audit\n2\n"), checkpoint.stdout)
        let trusted = dir + "/trusted.note"
        try checkpoint.stdout.write(toFile: trusted, atomically: true, encoding: .utf8)

        let verify = runCLI(["audit", "verify", "--key", prefix + ".pub", "--trusted-checkpoint", trusted], environment: env)
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertTrue(verify.stdout.contains("latest signed checkpoint: 2 records"), verify.stdout)
        // A checkpoint is a secret key's work: the public key cannot sign.
        XCTAssertEqual(runCLI(["audit", "checkpoint", "--key", prefix + ".pub"], environment: env).status, 78)

        let prove = runCLI(["audit", "prove", "1"], environment: env)
        XCTAssertEqual(prove.status, 0, prove.stderr)
        let proof = dir + "/1.proof"
        try prove.stdout.write(toFile: proof, atomically: true, encoding: .utf8)
        let proofCheck = runCLI(["audit", "verify", "--proof", proof, "--key", prefix + ".pub"], environment: [:])
        XCTAssertEqual(proofCheck.status, 0, proofCheck.stderr)
        XCTAssertEqual(runCLI(["audit", "prove", "5"], environment: env).status, 66, "no checkpoint covers record 5")
        let forged = prove.stdout.replacingOccurrences(of: "\\\"user\\\":\\\"", with: "\\\"user\\\":\\\"x")
        XCTAssertNotEqual(forged, prove.stdout)
        try forged.write(toFile: proof, atomically: true, encoding: .utf8)
        XCTAssertEqual(runCLI(["audit", "verify", "--proof", proof, "--key", prefix + ".pub"], environment: [:]).status, 1)

        // Cut the last record: the trusted checkpoint (size 2) names the truncation.
        let first = try lines()[0]
        try (first + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let cut = runCLI(["audit", "verify", "--key", prefix + ".pub", "--trusted-checkpoint", trusted], environment: env)
        XCTAssertEqual(cut.status, 1)
        XCTAssertTrue(cut.stderr.contains("truncated tail"), cut.stderr)
    }

    func testAutomaticCheckpoints() throws {
        let prefix = dir + "/site"
        XCTAssertEqual(runCLI(["audit", "keygen", "--out", prefix, "--name", "auto"], environment: env).status, 0)
        var auto = env
        auto["CMR_AUDIT_SIGNING_KEY"] = prefix + ".key"
        let synth = runCLI(["synth", "--out", dir + "/s", "--patients", "1", "--series", "CT", "--instances", "1"], environment: auto)
        XCTAssertEqual(synth.status, 0, synth.stderr)
        XCTAssertEqual(runCLI(["synth", "--out", dir + "/s2", "--patients", "1", "--series", "CT", "--instances", "1"], environment: auto).status, 0)
        let notes = try String(contentsOfFile: log + ".checkpoints", encoding: .utf8)
        XCTAssertEqual(notes.components(separatedBy: "\n\u{2014} auto ").count - 1, 1, "rate-limited: one checkpoint in 300 s")
        auto["CMR_AUDIT_CHECKPOINT_INTERVAL"] = "0"
        XCTAssertEqual(runCLI(["synth", "--out", dir + "/s3", "--patients", "1", "--series", "CT", "--instances", "1"], environment: auto).status, 0)
        let verify = runCLI(["audit", "verify", "--key", prefix + ".pub"], environment: env)
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertTrue(verify.stdout.contains("latest signed checkpoint: 3 records (of 2 checkpoints)"), verify.stdout)
        // A key that cannot sign fails the run before it writes anything.
        auto["CMR_AUDIT_SIGNING_KEY"] = prefix + ".pub"
        XCTAssertEqual(runCLI(["synth", "--out", dir + "/s4"], environment: auto).status, 78)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/s4"))
    }

    func testNotALog() throws {
        let files = makeLog()
        XCTAssertEqual(runCLI(["audit", "verify", files[0]], environment: [:]).status, 65)
    }

    func testShowFilters() throws {
        let files = makeLog()
        let all = runCLI(["audit", "show"], environment: env)
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertEqual(all.stdout.split(separator: "\n").count, 2)
        XCTAssertTrue(all.stdout.hasPrefix("0  "))
        XCTAssertTrue(all.stdout.contains("  110103 R inspect  ok  "))
        XCTAssertEqual(runCLI(["audit", "show", "--event", "synth", "--json"], environment: env).stdout, try lines()[0] + "\n")
        XCTAssertEqual(runCLI(["audit", "show", "--event", "110103"], environment: env).stdout.split(separator: "\n").count, 2)
        let study = runCLI(["inspect", "--tag", "StudyInstanceUID", files[0]], environment: env).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let byStudy = runCLI(["audit", "show", "--study", study, "--json"], environment: env).stdout.split(separator: "\n")
        XCTAssertEqual(byStudy.count, 2, "the two inspect runs")
        XCTAssertEqual(runCLI(["audit", "show", "--actor", "nobody-at-all"], environment: env).stdout, "")
        XCTAssertEqual(runCLI(["audit", "show", "--since", "2999-01-01"], environment: env).stdout, "")
        XCTAssertEqual(runCLI(["audit", "show", "--until", "2000-01-01T00:00:00Z"], environment: env).stdout, "")
        XCTAssertEqual(runCLI(["audit", "show", "--since", "2000-01-01T00:00+01:00"], environment: env).stdout.split(separator: "\n").count, 3)
        XCTAssertEqual(runCLI(["audit", "show", "--since", "yesterday"], environment: env).status, 64)
    }

    func testExport() throws {
        _ = makeLog()
        let bundle = runCLI(["audit", "export"], environment: env)
        XCTAssertEqual(bundle.status, 0, bundle.stderr)
        let document = try json(bundle.stdout)
        XCTAssertEqual(document["resourceType"] as? String, "Bundle")
        XCTAssertEqual(document["type"] as? String, "collection")
        let entries = try XCTUnwrap(document["entry"] as? [[String: Any]])
        XCTAssertEqual(entries.compactMap { ($0["resource"] as? [String: Any])?["id"] as? String }.map { $0.prefix(6) }, ["cmr-0-", "cmr-1-"])
        let inspectOnly = try json(runCLI(["audit", "export", "--event", "inspect"], environment: env).stdout)
        XCTAssertEqual((inspectOnly["entry"] as? [Any])?.count, 1)
        let empty = try json(runCLI(["audit", "export", "--since", "2999-01-01"], environment: env).stdout)
        XCTAssertEqual(empty["resourceType"] as? String, "Bundle")
        XCTAssertNil(empty["entry"], "FHIR JSON has no empty arrays")

        let perLine = runCLI(["audit", "export", "--format", "fhir", "--json-lines"], environment: env)
        XCTAssertEqual(try perLine.stdout.split(separator: "\n").map { try json(String($0))["resourceType"] as? String }, ["AuditEvent", "AuditEvent"])
        let dicom = runCLI(["audit", "export", "--format", "dicom", "--site", "Ward 7"], environment: env)
        XCTAssertEqual(dicom.status, 0, dicom.stderr)
        XCTAssertEqual(dicom.stdout.split(separator: "\n").filter { $0.hasPrefix("<AuditMessage><EventIdentification ") && $0.hasSuffix("</AuditMessage>") }.count, 2)
        XCTAssertTrue(dicom.stdout.contains("AuditEnterpriseSiteID=\"Ward 7\""))
        XCTAssertEqual(runCLI(["audit", "export", "--format", "dicom", "--json-lines"], environment: env).status, 64)
        XCTAssertEqual(runCLI(["audit", "export", "--format", "csv"], environment: env).status, 64)
        XCTAssertEqual(runCLI(["audit", "export", dir + "/none.log"], environment: env).status, 66)

        // --out: written atomically, mode 0600, never replaced without --overwrite.
        let out = dir + "/export.xml"
        let written = runCLI(["audit", "export", "--format", "dicom", "--out", out], environment: env)
        XCTAssertEqual(written.status, 0, written.stderr)
        XCTAssertEqual(written.stdout, "")
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), dicom.stdout.replacingOccurrences(of: " AuditEnterpriseSiteID=\"Ward 7\"", with: ""))
        var info = stat()
        XCTAssertEqual(stat(out, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        let again = runCLI(["audit", "export", "--out", out], environment: env)
        XCTAssertEqual(again.status, 73, again.stderr)
        XCTAssertTrue(again.stderr.contains(out), again.stderr)
        XCTAssertEqual(runCLI(["audit", "export", "--out", out, "--overwrite"], environment: env).status, 0)
        XCTAssertEqual(try json(try String(contentsOfFile: out, encoding: .utf8))["resourceType"] as? String, "Bundle")
        XCTAssertEqual(runCLI(["audit", "export", "--out", dir + "/no/such/folder/x.json"], environment: env).status, 73)

        // A line that is not a record: the records are exported, the status is 1.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("not a record\n".utf8))
        try handle.close()
        let partial = runCLI(["audit", "export", "--json-lines"], environment: env)
        XCTAssertEqual(partial.status, 1)
        XCTAssertEqual(partial.stdout.split(separator: "\n").count, 2)
        XCTAssertTrue(partial.stderr.contains("line 3 is not a record"), partial.stderr)
    }

    func testLocationsAndFailures() throws {
        XCTAssertEqual(runCLI(["synth", "--out", dir + "/s"], environment: [:]).status, 78, "no log location at all")
        XCTAssertEqual(runCLI(["audit", "verify", dir + "/none.log"], environment: [:]).status, 66)
        // --audit-log wins over CMR_AUDIT_LOG.
        let other = dir + "/other.log"
        XCTAssertEqual(runCLI(["synth", "--out", dir + "/s", "--audit-log", other], environment: env).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: other))
        XCTAssertFalse(FileManager.default.fileExists(atPath: log))
        // A log that cannot be written fails the command with 74.
        try "x".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        let failed = runCLI(["synth", "--out", dir + "/s2", "--audit-log", dir + "/file/audit.log"], environment: env)
        XCTAssertEqual(failed.status, 74, failed.stderr)
        XCTAssertTrue(failed.stderr.contains("cannot append audit record"), failed.stderr)
    }
}
