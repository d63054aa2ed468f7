import XCTest
import Foundation
import DICOMCore
import DICOMCoding

/// `cmr key`, `cmr deidentify` options and `cmr reidentify`, run as users run them, with the audit
/// log checked by `cmr audit verify` and `cmr audit show`.
final class DeidentifyCLITests: XCTestCase {
    struct Setup {
        var dir: String
        var study: String
        var key: String
        var log: String
    }

    func setUpStudy(_ name: String = #function) throws -> Setup {
        let cmr = try Peers.cmrPath()
        let dir = try Peers.temporaryFolder(self, name)
        let log = dir + "/audit.log"
        let study = dir + "/study"
        let r = try Peers.run(cmr, ["synth", "--out", study, "--patients", "2", "--series", "CT", "--instances", "2",
                                    "--rows", "16", "--columns", "16", "--audit-log", log])
        XCTAssertEqual(r.status, 0, r.err)
        let key = dir + "/site.key"
        XCTAssertEqual(try Peers.run(cmr, ["key", "new", key]).status, 0)
        return Setup(dir: dir, study: study, key: key, log: log)
    }

    func testKeyFilesAreMadePrivateAndOthersAreRefused() throws {
        let cmr = try Peers.cmrPath()
        let s = try setUpStudy()
        var info = stat()
        XCTAssertEqual(stat(s.key, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        let again = try Peers.run(cmr, ["key", "new", s.key])
        XCTAssertEqual(again.status, 73, "never over an existing key")
        let fingerprint = try Peers.run(cmr, ["key", "fingerprint", s.key])
        XCTAssertEqual(fingerprint.status, 0)
        XCTAssertEqual(fingerprint.out.trimmingCharacters(in: .whitespacesAndNewlines).count, 16)
        chmod(s.key, 0o644)
        let open = try Peers.run(cmr, ["deidentify", "--mode", "deidentified", "--key-file", s.key, "--out", s.dir + "/o",
                                       "--audit-log", s.log, s.study])
        XCTAssertEqual(open.status, 77, open.err)
        XCTAssertTrue(open.err.contains("chmod 600"), open.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/o"), "nothing written")
        let short = s.dir + "/short.key"
        FileManager.default.createFile(atPath: short, contents: Data(repeating: 1, count: 16), attributes: [.posixPermissions: 0o600])
        XCTAssertEqual(try Peers.run(cmr, ["key", "fingerprint", short]).status, 78)
    }

    func testUsageErrorsAreRefusedBeforeAnyWork() throws {
        let cmr = try Peers.cmrPath()
        let s = try setUpStudy()
        let o = s.dir + "/o"
        let cases: [([String], Int32)] = [
            (["deidentify", "--out", o, s.study], 64),
            (["deidentify", "--mode", "secret", "--out", o, s.study], 64),
            (["deidentify", "--mode", "anonymous", "--key-file", s.key, "--out", o, s.study], 64),
            (["deidentify", "--mode", "anonymous", "--option", "uids", "--out", o, s.study], 64),
            (["deidentify", "--mode", "deidentified", "--out", o, s.study], 64),
            (["deidentify", "--mode", "deidentified", "--key-file", s.key, "--option", "nope", "--out", o, s.study], 64),
            (["deidentify", "--mode", "deidentified", "--key-file", s.key, "--shard", "5/4", "--out", o, s.study], 64),
            (["deidentify", "--mode", "deidentified", "--key-file", s.key, "--blank", "1,2,3", "--out", o, s.study], 64),
            (["deidentify", "--mode", "deidentified", "--key-file", s.key, s.study], 64),
        ]
        for (args, status) in cases {
            let r = try Peers.run(cmr, args + ["--audit-log", s.log])
            XCTAssertEqual(r.status, status, args.joined(separator: " ") + "\n" + r.err)
            XCTAssertTrue(r.err.contains("error:"), r.err)
        }
        let recipe = s.dir + "/bad.json"
        try Data(#"{"attributes": {"NotAKeyword": "keep"}}"#.utf8).write(to: URL(fileURLWithPath: recipe))
        let r = try Peers.run(cmr, ["deidentify", "--mode", "deidentified", "--key-file", s.key, "--recipe", recipe,
                                    "--out", o, "--audit-log", s.log, s.study])
        XCTAssertEqual(r.status, 78, r.err)
        XCTAssertTrue(r.err.contains("NotAKeyword"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: o))
    }

    func testPseudonymsCanBeLookedUpByTheKeyHolderAndEverythingIsAudited() throws {
        let cmr = try Peers.cmrPath()
        let s = try setUpStudy()
        let r = try Peers.run(cmr, ["deidentify", "--mode", "pseudonymous", "--key-file", s.key, "--out", s.dir + "/p",
                                    "--audit-log", s.log, s.study])
        XCTAssertEqual(r.status, 0, r.err)
        let table = s.key + ".reid.jsonl"
        var info = stat()
        XCTAssertEqual(stat(table, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        let lines = try String(contentsOfFile: table, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2, "one entry per patient")
        let entry = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let pseudonym = try XCTUnwrap(entry["pseudonym"] as? String)
        let patientID = try XCTUnwrap(entry["patientID"] as? String)
        // The output carries the pseudonym, never the Patient ID.
        let outputs = try FileManager.default.subpathsOfDirectory(atPath: s.dir + "/p").filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(outputs.count, 4)
        var carriers = 0
        for file in outputs {
            let ds = try DICOMReader.read(contentsOf: s.dir + "/p/" + file).dataSet
            XCTAssertNotEqual(ds.string(.patientID), patientID)
            if ds.string(.patientID) == pseudonym { carriers += 1 }
        }
        XCTAssertEqual(carriers, 2)
        // A rerun adds no duplicate entries.
        let again = try Peers.run(cmr, ["deidentify", "--mode", "pseudonymous", "--key-file", s.key, "--overwrite", "--out", s.dir + "/p",
                                        "--audit-log", s.log, s.study])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(try String(contentsOfFile: table, encoding: .utf8).split(separator: "\n").count, 2)

        let look = try Peers.run(cmr, ["reidentify", "--key-file", s.key, "--json", "--audit-log", s.log, pseudonym])
        XCTAssertEqual(look.status, 0, look.err)
        XCTAssertTrue(look.out.contains(patientID), look.out)
        let missing = try Peers.run(cmr, ["reidentify", "--key-file", s.key, "--audit-log", s.log, "ANONNOTAPSEUDONYM000"])
        XCTAssertEqual(missing.status, 1)
        // Another key sees nothing.
        let other = s.dir + "/other.key"
        XCTAssertEqual(try Peers.run(cmr, ["key", "new", other]).status, 0)
        let wrong = try Peers.run(cmr, ["reidentify", "--key-file", other, "--reid-table", table, "--audit-log", s.log, pseudonym])
        XCTAssertEqual(wrong.status, 1)

        let verify = try Peers.run(cmr, ["audit", "verify", s.log])
        XCTAssertEqual(verify.status, 0, verify.out + verify.err)
        let show = try Peers.run(cmr, ["audit", "show", "--json", s.log])
        XCTAssertEqual(show.status, 0, show.err)
        XCTAssertTrue(show.out.contains("\"deidentify\""), show.out)
        XCTAssertTrue(show.out.contains("\"reidentify\""), show.out)
        XCTAssertTrue(show.out.contains("\"110110\""), "Patient Record event for the lookup")
        let fingerprint = try Peers.run(cmr, ["key", "fingerprint", s.key]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(show.out.contains(fingerprint))
        let log = try String(contentsOfFile: s.log, encoding: .utf8)
        XCTAssertFalse(log.contains(patientID), "patients appear in the audit log only as keyed hashes")
        XCTAssertFalse(log.contains(try String(contentsOfFile: s.key, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)), "never the key")
    }

    func testBlankingNamingByUIDsAndDryRun() throws {
        let cmr = try Peers.cmrPath()
        let s = try setUpStudy()
        let dry = try Peers.run(cmr, ["deidentify", "--mode", "deidentified", "--key-file", s.key, "--dry-run", s.study])
        XCTAssertEqual(dry.status, 0, dry.err)
        XCTAssertTrue(dry.out.contains("(0010,0010)\tZ\tbasic"), dry.out)
        let o = s.dir + "/u"
        let r = try Peers.run(cmr, ["deidentify", "--mode", "deidentified", "--key-file", s.key, "--name-by", "uids",
                                    "--blank", "0,0,4,2", "--print-paths", "--out", o, "--audit-log", s.log, s.study])
        XCTAssertEqual(r.status, 0, r.err)
        let paths = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(paths.count, 4)
        for path in paths {
            let ds = try DICOMReader.read(contentsOf: path).dataSet
            let parts = path.dropFirst(o.count + 1).split(separator: "/").map(String.init)
            XCTAssertEqual(parts, [ds.string(.studyInstanceUID)!, ds.string(.seriesInstanceUID)!, ds.string(.sopInstanceUID)! + ".dcm"])
            XCTAssertEqual(ds.string(.burnedInAnnotation), "NO")
            XCTAssertTrue(ds.items(.deidentificationMethodCodeSequence).contains { $0.string(.codeValue) == "113101" })
            let pixels = try XCTUnwrap(ds[.pixelData]).value.bytes   // 16 columns, 16-bit
            for row in 0..<2 { XCTAssertEqual(Array(pixels[(row * 32)..<(row * 32 + 8)]), Array(repeating: 0, count: 8)) }
            XCTAssertNotEqual(Array(pixels[(2 * 32)..<(2 * 32 + 8)]), Array(repeating: 0, count: 8), "row 2 is outside the rectangle")
        }
    }
}
