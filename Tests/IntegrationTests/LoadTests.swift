import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Load (issue 9): `cmr listen` and `cmr share serve` as separate processes under many clients at
/// once from other processes on loopback. Held: every accepted instance on disk, every request
/// answered, memory bounded, no descriptor left open afterwards. Figures go to standard output
/// (scripts/reliability-report collects them into docs/reliability.md).
final class LoadTests: XCTestCase {
    /// Open descriptors and peak resident memory (KiB) of a process, from /proc.
    static func usage(_ pid: Int32) -> (fds: Int, peakKB: Int) {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let hwm = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? -1
        return (fds, hwm)
    }

    func testListenUnderManyAssociations() throws {
        let cmr = try Peers.cmrPath()
        let storescu = try Peers.tool("/usr/bin/storescu")
        let dir = try Peers.temporaryFolder(self)
        let env = ["CMR_AUDIT_LOG": dir + "/audit.log", "CMR_JOURNAL_DIR": dir + "/journal"]
        XCTAssertEqual(try Peers.run(cmr, ["synth", "--out", dir + "/a", "--patients", "4", "--series", "CT,MR", "--instances", "25",
                                           "--rows", "64", "--columns", "64", "--seed", "1"], environment: env).status, 0)
        XCTAssertEqual(try Peers.run(cmr, ["synth", "--out", dir + "/b", "--patients", "2", "--series", "CT", "--instances", "50",
                                           "--rows", "64", "--columns", "64", "--seed", "2"], environment: env).status, 0)
        let port = try DIMSEInteropTests.freePort()
        let listen = Process()
        listen.executableURL = URL(fileURLWithPath: cmr)
        listen.arguments = ["listen", "--out", dir + "/in", "--listen", "CMR@127.0.0.1:\(port)", "--max-associations", "16", "--exec-idle", "1"]
        listen.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        FileManager.default.createFile(atPath: dir + "/listen.err", contents: nil)
        listen.standardError = FileHandle(forWritingAtPath: dir + "/listen.err")
        try listen.run()
        defer { if listen.isRunning { listen.terminate(); listen.waitUntilExit() } }
        XCTAssertTrue(Peers.waitForPort(port))
        let before = Self.usage(listen.processIdentifier)

        // 200 files over 8 associations from cmr, and 100 more from 4 storescu processes, at once.
        let started = Date()
        let group = DispatchGroup()
        final class Box: @unchecked Sendable { var statuses: [Int32] = []; let lock = NSLock() }
        let box = Box()
        func background(_ path: String, _ args: [String]) {
            group.enter()
            DispatchQueue.global().async {
                let r = try? Peers.run(path, args, environment: env)
                box.lock.withLock { box.statuses.append(r?.status ?? -1) }
                group.leave()
            }
        }
        background(cmr, ["send", "--to", "dicom://CMR@127.0.0.1:\(port)", "--associations", "8", dir + "/a"])
        let bFiles = try FileManager.default.subpathsOfDirectory(atPath: dir + "/b").filter { $0.hasSuffix(".dcm") }.sorted().map { dir + "/b/" + $0 }
        for i in 0..<4 {
            let share = stride(from: i, to: bFiles.count, by: 4).map { bFiles[$0] }
            background(storescu, ["-aec", "CMR", "127.0.0.1", String(port)] + share)
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(box.statuses.sorted(), [0, 0, 0, 0, 0], "every sender finished with success")
        // Instances are placed into the tree when their association ends (after the release): wait for that.
        func placed() -> Int {
            (FileManager.default.enumerator(atPath: dir + "/in")?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".dcm") && !$0.contains(".cmr-") }.count
        }
        let waitUntil = Date().addingTimeInterval(20)
        while placed() < 300 && Date() < waitUntil { usleep(100_000) }
        let received = placed()
        XCTAssertEqual(received, 300, "every accepted instance is on disk: \((try? String(contentsOfFile: dir + "/listen.err", encoding: .utf8)) ?? "")")
        var after = Self.usage(listen.processIdentifier)
        for _ in 0..<50 where after.fds > before.fds + 1 { usleep(100_000); after = Self.usage(listen.processIdentifier) }
        XCTAssertLessThanOrEqual(after.fds, before.fds + 1, "descriptors back to where they were (\(before.fds) → \(after.fds))")
        XCTAssertLessThan(after.peakKB, 128 * 1024, "peak memory \(after.peakKB) KiB")
        print("LOAD listen: 300 instances from 5 clients (12 associations at once) in \(String(format: "%.2f", seconds)) s, \(Int(300 / seconds)) instances/s; peak RSS \(after.peakKB / 1024) MiB; descriptors \(before.fds) before, \(after.fds) after")
        listen.terminate()
        listen.waitUntilExit()
        XCTAssertEqual(listen.terminationStatus, 0)
        XCTAssertEqual(try Peers.run(cmr, ["audit", "verify", dir + "/audit.log"]).status, 0)
    }

    func testShareServerUnderManyConnections() throws {
        let cmr = try Peers.cmrPath()
        let curl = try Peers.tool("/usr/bin/curl")
        let dir = try Peers.temporaryFolder(self)
        let env = ["CMR_AUDIT_LOG": dir + "/audit.log", "CMR_SHARE_DIR": dir + "/share", "CMR_SHARE_KEY": dir + "/share.key",
                   "CMR_SHARE_GATEWAY": "share.example.org"]
        XCTAssertEqual(try Peers.run(cmr, ["audit", "keygen", "--out", dir + "/share", "--name", "example.org/share"], environment: env).status, 0)
        XCTAssertEqual(try Peers.run(cmr, ["synth", "--out", dir + "/raw", "--patients", "1", "--series", "CT", "--instances", "8",
                                           "--rows", "128", "--columns", "128"], environment: env).status, 0)
        XCTAssertEqual(try Peers.run(cmr, ["key", "new", dir + "/site.key"], environment: env).status, 0)
        XCTAssertEqual(try Peers.run(cmr, ["deidentify", "--mode", "pseudonymous", "--key-file", dir + "/site.key", "--out", dir + "/deid", dir + "/raw"],
                                     environment: env).status, 0)
        let grant = try Peers.run(cmr, ["share", dir + "/deid", "--to", "load@example.org", "--json"], environment: env)
        let token = try XCTUnwrap((try JSONSerialization.jsonObject(with: grant.stdout) as? [String: Any])?["token"] as? String)
        let port = try DIMSEInteropTests.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: cmr)
        server.arguments = ["share", "serve", "--root", dir + "/deid", "--listen", "127.0.0.1:\(port)", "--pub", dir + "/share.pub"]
        server.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        XCTAssertTrue(Peers.waitForPort(port))
        let manifest = try Peers.run(curl, ["-s", "-H", "Authorization: Bearer " + token, "http://127.0.0.1:\(port)/api/study"])
        let study = try XCTUnwrap(try JSONSerialization.jsonObject(with: manifest.stdout) as? [String: Any])
        let instances = ((study["series"] as? [[String: Any]])?.first?["instances"] as? [[String: Any]] ?? []).compactMap { $0["uid"] as? String }
        XCTAssertEqual(instances.count, 8)
        let before = Self.usage(server.processIdentifier)

        // 1,000 frame requests, 100 connections at once, plus 50 refused (no token) and 20 oversized.
        var urls: [String] = []
        for i in 0..<1000 { urls += ["-o", "/dev/null", "http://127.0.0.1:\(port)/api/frame/\(instances[i % 8])/0?size=64x64"] }
        let started = Date()
        let load = try Peers.run(curl, ["-s", "--parallel", "--parallel-max", "100", "-H", "Authorization: Bearer " + token,
                                        "-w", "%{http_code}\n"] + urls)
        let seconds = Date().timeIntervalSince(started)
        let codes = String(decoding: load.stdout, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(codes.count, 1000)
        XCTAssertEqual(codes.filter { $0 == "200" }.count, 1000, "every request answered 200")
        var refused: [String] = []
        for _ in 0..<50 { refused += ["-o", "/dev/null", "http://127.0.0.1:\(port)/api/study"] }
        let noToken = try Peers.run(curl, ["-s", "--parallel", "--parallel-max", "50", "-w", "%{http_code}\n"] + refused)
        XCTAssertEqual(String(decoding: noToken.stdout, as: UTF8.self).split(separator: "\n").filter { $0 == "401" }.count, 50)
        let big = String(repeating: "x", count: 20_000)
        let oversized = try Peers.run(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Big: " + big, "http://127.0.0.1:\(port)/s"])
        XCTAssertEqual(String(decoding: oversized.stdout, as: UTF8.self), "431")
        usleep(300_000)
        let after = Self.usage(server.processIdentifier)
        XCTAssertLessThanOrEqual(after.fds, before.fds + 1, "descriptors back to where they were (\(before.fds) → \(after.fds))")
        XCTAssertLessThan(after.peakKB, 256 * 1024, "peak memory \(after.peakKB) KiB")
        print("LOAD share serve: 1000 frames over 100 connections in \(String(format: "%.2f", seconds)) s, \(Int(1000 / seconds)) requests/s; 50 refusals 401, oversized header 431; peak RSS \(after.peakKB / 1024) MiB; descriptors \(before.fds) before, \(after.fds) after")
        server.terminate()
        server.waitUntilExit()
        XCTAssertEqual(server.terminationStatus, 0)
        // Every access is in the audit log: 1 manifest + 1000 frames + 50 refusals, plus start and stop.
        let records = try String(contentsOfFile: dir + "/audit.log", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(records.filter { $0.contains("\"110103\"") && $0.contains("share") }.count, 1001)
        XCTAssertEqual(records.filter { $0.contains("\"110114\"") }.count, 50)
        XCTAssertEqual(try Peers.run(cmr, ["audit", "verify", dir + "/audit.log"]).status, 0)
    }
}
