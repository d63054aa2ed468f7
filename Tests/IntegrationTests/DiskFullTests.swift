import XCTest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Fault injection: a disk that fills up (a small tmpfs mounted by the test) under a batch
/// de-identification and under audit appends. Each case must end with a non-zero, specific exit
/// status and a message naming the disk, leave no partial or temporary file, keep the audit chain
/// intact, and a rerun once there is room must finish only what was missing (issue 9).
final class DiskFullTests: XCTestCase {
    func smallDisk(_ dir: String, _ name: String, size: String) throws -> String {
        try Self.smallDisk(self, dir, name, size: size)
    }

    /// A tmpfs of `size` at a new folder under `dir`, unmounted when `test` ends (needs root: the
    /// suite runs as root in CI, where its absence fails the test).
    static func smallDisk(_ test: XCTestCase, _ dir: String, _ name: String, size: String) throws -> String {
        guard geteuid() == 0 else {
            _ = try Peers.missing("root, to mount a small tmpfs for the disk-full tests")
            throw XCTSkip("not root: cannot mount a tmpfs")
        }
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let r = try Peers.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path])
        guard r.status == 0 else { throw XCTSkip("mount failed: \(String(decoding: r.stderr, as: UTF8.self))") }
        test.addTeardownBlock { _ = try? Peers.run("/bin/umount", [path]) }
        return path
    }

    func files(under root: String) -> [String] {
        (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + $0, isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
    }

    func testDeidentifyIntoAFullDiskThenRerunWithRoom() throws {
        let cmr = try Peers.cmrPath()
        let dir = try Peers.temporaryFolder(self)
        let env = ["CMR_AUDIT_LOG": dir + "/audit.log"]
        // 24 files of ~128 KiB: about 3 MiB of output for a 1 MiB disk.
        XCTAssertEqual(try Peers.run(cmr, ["synth", "--out", dir + "/in", "--patients", "2", "--series", "CT,MR", "--instances", "6",
                                           "--rows", "256", "--columns", "256"], environment: env).status, 0)
        // A keyed mode: the same input gives the same output names, so a rerun can resume
        // (anonymous mode draws a new key per run and writes a new copy).
        XCTAssertEqual(try Peers.run(cmr, ["key", "new", dir + "/site.key"], environment: env).status, 0)
        let disk = try smallDisk(dir, "disk", size: "1m")
        let out = disk + "/out"
        let first = try Peers.run(cmr, ["deidentify", "--mode", "deidentified", "--key-file", dir + "/site.key", "--jobs", "2", "--report", dir + "/first.jsonl",
                                        "--out", out, dir + "/in"], environment: env)
        let stderr = String(decoding: first.stderr, as: UTF8.self)
        // Some outputs were written, the others failed: a partial result (1), each failure named.
        XCTAssertEqual(first.status, 1, stderr)
        XCTAssertTrue(stderr.contains("No space left on device"), stderr)

        // Nothing partial: no temporary file left, and every output is a whole, readable file.
        let written = files(under: out)
        XCTAssertFalse(written.contains { $0.contains(".cmr-") || $0.hasSuffix(".tmp") }, "temporary files left: \(written)")
        XCTAssertGreaterThan(written.count, 0, "some outputs fit")
        XCTAssertLessThan(written.count, 24)
        for f in written {
            let r = try Peers.run(cmr, ["inspect", "--summary", out + "/" + f], environment: env)
            XCTAssertEqual(r.status, 0, "\(f) is not a whole DICOM file: \(String(decoding: r.stderr, as: UTF8.self))")
        }
        // The report (on another disk) names exactly what was written.
        let report = try String(contentsOfFile: dir + "/first.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let reportedWritten = report.filter { $0["status"] as? String == "written" }.compactMap { $0["output"] as? String }
        XCTAssertEqual(Set(reportedWritten.map { String($0.dropFirst(out.count + 1)) }), Set(written))
        XCTAssertEqual(try Peers.run(cmr, ["audit", "verify", dir + "/audit.log"]).status, 0)

        // With room, a rerun writes only the rest.
        XCTAssertEqual(try Peers.run("/bin/mount", ["-o", "remount,size=16m", disk]).status, 0)
        let second = try Peers.run(cmr, ["deidentify", "--mode", "deidentified", "--key-file", dir + "/site.key", "--report", dir + "/second.jsonl", "--out", out, dir + "/in"],
                                   environment: env)
        XCTAssertEqual(second.status, 0, String(decoding: second.stderr, as: UTF8.self))
        let rerun = try String(contentsOfFile: dir + "/second.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(rerun.filter { $0["status"] as? String == "exists" }.count, written.count)
        XCTAssertEqual(rerun.filter { $0["status"] as? String == "written" }.count, 24 - written.count)
        XCTAssertEqual(files(under: out).count, 24)
    }

    func testAuditAppendOnAFullDiskFailsAndLeavesTheChainIntact() throws {
        let cmr = try Peers.cmrPath()
        let dir = try Peers.temporaryFolder(self)
        let disk = try smallDisk(dir, "logdisk", size: "64k")
        let log = disk + "/audit.log"
        XCTAssertEqual(try Peers.run(cmr, ["synth", "--out", dir + "/in", "--patients", "1", "--series", "CT", "--instances", "2",
                                           "--rows", "8", "--columns", "8"], environment: ["CMR_AUDIT_LOG": log]).status, 0)
        // Fill the disk to the last few bytes, then ask for records that cannot fit.
        let filler = disk + "/filler"
        _ = try Peers.run("/bin/dd", ["if=/dev/zero", "of=" + filler, "bs=1k", "count=1000"])
        var failed: Peers.Result?
        for _ in 0..<20 {
            let r = try Peers.run(cmr, ["inspect", "--summary", dir + "/in"], environment: ["CMR_AUDIT_LOG": log])
            if r.status != 0 { failed = r; break }
        }
        let r = try XCTUnwrap(failed, "an append on a full disk must fail")
        XCTAssertEqual(r.status, 74, String(decoding: r.stderr, as: UTF8.self))
        XCTAssertTrue(String(decoding: r.stderr, as: UTF8.self).contains("audit"), String(decoding: r.stderr, as: UTF8.self))
        // The chain is intact (a torn tail, if any, is quarantined by the next append and reported).
        try FileManager.default.removeItem(atPath: filler)
        let verify = try Peers.run(cmr, ["audit", "verify", log])
        XCTAssertEqual(verify.status, 0, String(decoding: verify.stderr, as: UTF8.self))
        let after = try Peers.run(cmr, ["inspect", "--summary", dir + "/in"], environment: ["CMR_AUDIT_LOG": log])
        XCTAssertEqual(after.status, 0)
        XCTAssertEqual(try Peers.run(cmr, ["audit", "verify", log]).status, 0)
    }

    /// An input that cannot be read (mode 000, cmr run as an unprivileged user: root reads
    /// anything): that file fails with the reason and its name, the others are written (1); the
    /// same with send, where the unreadable file is reported failed and the rest stored.
    func testUnreadableInputFailsAloneWithItsName() throws {
        let cmr = try Peers.cmrPath()
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            _ = try Peers.missing("root and setpriv, to run cmr as nobody")
            throw XCTSkip("needs root and setpriv")
        }
        let dir = try Peers.temporaryFolder(self)
        chmod(dir, 0o777)
        let env = ["CMR_AUDIT_LOG": dir + "/audit.log", "CMR_JOURNAL_DIR": dir + "/journal", "HOME": dir]
        XCTAssertEqual(try Peers.run(cmr, ["synth", "--out", dir + "/in", "--patients", "1", "--series", "CT", "--instances", "4",
                                           "--rows", "16", "--columns", "16", "--print-paths"], environment: env).status, 0)
        XCTAssertEqual(try Peers.run(cmr, ["key", "new", dir + "/site.key"], environment: env).status, 0)
        _ = try Peers.run("/bin/chown", ["-R", "nobody:nogroup", dir])
        let files = try FileManager.default.subpathsOfDirectory(atPath: dir + "/in").filter { $0.hasSuffix(".dcm") }.sorted()
        let locked = dir + "/in/" + files[1]
        chmod(locked, 0)
        func asNobody(_ args: [String]) throws -> Peers.Result {
            try Peers.run("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", cmr] + args, environment: env)
        }
        let deid = try asNobody(["deidentify", "--mode", "deidentified", "--key-file", dir + "/site.key", "--out", dir + "/out", dir + "/in"])
        XCTAssertEqual(deid.status, 1, deid.err)
        XCTAssertTrue(deid.err.contains(files[1]) && deid.err.contains("ermission denied"), deid.err)
        let written = (FileManager.default.enumerator(atPath: dir + "/out")?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(written.count, 3)
        XCTAssertFalse(written.contains { $0.contains(".cmr-") })

        let peer = try DIMSEInteropTests.startStorescp()
        defer { DIMSEInteropTests.stop(peer) }
        let send = try asNobody(["send", "--to", "dicom://STORESCP@127.0.0.1:\(peer.port)", "--report", dir + "/send.jsonl", dir + "/in"])
        XCTAssertEqual(send.status, 1, send.err)
        XCTAssertTrue(send.err.contains(files[1]), send.err)
        let summary = try String(contentsOfFile: dir + "/send.jsonl", encoding: .utf8).split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(summary.contains("\"stored\":3") && summary.contains("\"failed\":1"), summary)
        XCTAssertEqual(try Peers.run(cmr, ["audit", "verify", dir + "/audit.log"]).status, 0)
    }
}
