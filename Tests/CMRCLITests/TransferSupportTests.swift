import XCTest
import Foundation
@testable import CMRKit
@testable import CMRCLI

/// The pieces every transfer command shares: endpoints, journal, lock, backoff, rate, durations.
final class TransferSupportTests: XCTestCase {
    func testDIMSEAddresses() throws {
        XCTAssertEqual(try DIMSEAddress.parse("dicom://PACS@10.0.0.5:11112", option: "--to"), DIMSEAddress(aeTitle: "PACS", host: "10.0.0.5", port: 11112))
        XCTAssertEqual(try DIMSEAddress.parse("dicom://PACS@pacs.local", option: "--to").port, 104)
        XCTAssertEqual(try DIMSEAddress.parse("DICOM://A B@[::1]:4242/", option: "--to"), DIMSEAddress(aeTitle: "A B", host: "::1", port: 4242))
        XCTAssertEqual(DIMSEAddress(aeTitle: "X", host: "::1", port: 5).description, "dicom://X@[::1]:5")
        for bad in ["dicom://10.0.0.5:104", "dicom://@h:1", "dicom://SEVENTEENCHARSXXXX@h:1", "dicom://A@h:0", "dicom://A@h:99999",
                    "dicom://A@:104", "dicom://A\\B@h:1", "dicom://A@[::1:5"] {
            XCTAssertThrowsError(try DIMSEAddress.parse(bad, option: "--to"), bad) { error in
                XCTAssertEqual((error as? CMRError)?.kind, .usage, bad)
            }
        }
        XCTAssertEqual(try TransferEndpoint.parse("https://h.example/dicom-web", option: "--to"), .web(URL(string: "https://h.example/dicom-web")!))
        XCTAssertThrowsError(try TransferEndpoint.parse("ftp://h/x", option: "--to"))
    }

    func testBackoffGrowsToTheCapAndHonoursSuggestions() {
        let p = RetryPolicy(retries: 5, base: 1, cap: 10)
        XCTAssertEqual(p.delay(attempt: 1, random: 0.999), 0.999, accuracy: 1e-9)
        XCTAssertEqual(p.delay(attempt: 3, random: 0.5), 2, accuracy: 1e-9)
        XCTAssertEqual(p.delay(attempt: 9, random: 0.5), 5, accuracy: 1e-9)
        XCTAssertEqual(p.delay(attempt: 1, suggested: 30), 10)
        XCTAssertEqual(Deadline(seconds: 5).bound(60)!, 5, accuracy: 0.1)
        XCTAssertEqual(Deadline.none.bound(60), 60)
        XCTAssertTrue(Deadline(seconds: 0).hasPassed)
    }

    func testRatesAndDurations() {
        XCTAssertEqual(RateLimiter.parseRate("10M"), 10_000_000)
        XCTAssertEqual(RateLimiter.parseRate("1.5MiB/s"), 1_572_864)
        XCTAssertEqual(RateLimiter.parseRate("500k"), 500_000)
        XCTAssertNil(RateLimiter.parseRate("fast"))
        XCTAssertNil(RateLimiter.parseRate("-5M"))
        XCTAssertEqual(Invocation.parseDuration("90s"), 90)
        XCTAssertEqual(Invocation.parseDuration("15m"), 900)
        XCTAssertEqual(Invocation.parseDuration("250ms"), 0.25)
        XCTAssertEqual(Invocation.parseDuration("2"), 2)
        XCTAssertNil(Invocation.parseDuration("soon"))
    }

    func testRateLimiterHoldsTheRate() {
        let limiter = RateLimiter(bytesPerSecond: 1_000_000)
        let start = Date()
        for _ in 0..<10 { limiter.consume(100_000) }   // 1 MB at 1 MB/s, a quarter second of burst
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.6)
    }

    func testJournalRemembersAcknowledgedContentAndSurvivesATornTail() throws {
        let dir = NSTemporaryDirectory() + "cmr-journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = TransferJournal.defaultPath(folder: dir, destination: "dicom://PACS@h:104")
        XCTAssertTrue(path.hasPrefix(dir + "/PACS_h_104-"), path)
        XCTAssertNotEqual(path, TransferJournal.defaultPath(folder: dir, destination: "dicom://PACS@h:105"))
        let file = dir + "/a.dcm"
        do {
            let journal = try TransferJournal(path: path)
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            let id = try XCTUnwrap(FileIdentity(path: file))
            try journal.record(.init(path: file, sha256: "aa", size: id.size, sop: "1.2.3", status: "0000", syntax: nil, time: "t",
                                     dev: id.device, ino: id.inode, mtime: id.mtime))
            journal.sync()
        }
        // A torn line at the end (power loss) is ignored.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"path\":\"b.dcm\",\"sha".utf8))
        handle.closeFile()
        let journal = try TransferJournal(path: path)
        XCTAssertEqual(journal.count, 1)
        XCTAssertTrue(journal.contains(sop: "1.2.3", sha256: "aa"))
        XCTAssertFalse(journal.contains(sop: "1.2.3", sha256: "bb"), "changed content is sent again")
        XCTAssertEqual(journal.knownDigest(path: file, identity: try XCTUnwrap(FileIdentity(path: file))), "aa")
        try Data("xy".utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertNil(journal.knownDigest(path: file, identity: try XCTUnwrap(FileIdentity(path: file))), "a changed file is hashed again")
    }

    func testRunLockExcludesASecondRun() throws {
        let path = NSTemporaryDirectory() + "cmr-lock-\(UUID().uuidString)"
        defer { unlink(path) }
        var first: RunLock? = try RunLock(path: path, what: "to X")
        XCTAssertThrowsError(try RunLock(path: path, what: "to X")) { error in
            XCTAssertEqual((error as? CMRError)?.kind, .temporaryFailure)
            XCTAssertTrue((error as? CMRError)?.message.contains("process \(getpid())") ?? false)
        }
        _ = first
        first = nil
        XCTAssertNoThrow(try RunLock(path: path, what: "to X"))
    }
}

final class WebCredentialTests: XCTestCase {
    func testSourcesAndTheirRules() throws {
        let dir = NSTemporaryDirectory() + "cmr-cred-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let token = dir + "/token", users = dir + "/users"
        try "abc.def\nignored\n".write(toFile: token, atomically: false, encoding: .utf8)
        try "alice:s3:cret\n".write(toFile: users, atomically: false, encoding: .utf8)
        chmod(token, 0o600); chmod(users, 0o600)

        XCTAssertEqual(try WebCredentialSource(tokenFile: token, tokenCommand: nil, userFile: nil, environment: [:]).credentials(), .bearer("abc.def"))
        XCTAssertEqual(try WebCredentialSource(tokenFile: nil, tokenCommand: nil, userFile: users, environment: [:]).credentials(),
                       .basic(user: "alice", password: "s3:cret"))
        XCTAssertEqual(try WebCredentialSource(tokenFile: nil, tokenCommand: nil, userFile: nil, environment: ["CMR_TOKEN": "t0k "]).credentials(), .bearer("t0k"))
        XCTAssertNil(try WebCredentialSource(tokenFile: nil, tokenCommand: nil, userFile: nil, environment: [:]).credentials())
        let command = try WebCredentialSource(tokenFile: nil, tokenCommand: "echo fresh-$((6*7))", userFile: nil, environment: ["CMR_TOKEN": "x"])
        XCTAssertTrue(command.canRefresh)
        XCTAssertEqual(try command.credentials(), .bearer("fresh-42"))

        func kind(_ body: () throws -> Any?) -> CMRError.Kind? {
            do { _ = try body(); return nil } catch { return (error as? CMRError)?.kind }
        }
        XCTAssertEqual(kind { try WebCredentialSource(tokenFile: token, tokenCommand: nil, userFile: users, environment: [:]) }, .usage)
        XCTAssertEqual(kind { try WebCredentialSource(tokenFile: nil, tokenCommand: "exit 3", userFile: nil, environment: [:]).credentials() }, .configuration)
        XCTAssertEqual(kind { try WebCredentialSource(tokenFile: nil, tokenCommand: "true", userFile: nil, environment: [:]).credentials() }, .configuration)
        XCTAssertEqual(kind { try WebCredentialSource(tokenFile: nil, tokenCommand: "sleep 5", userFile: nil, environment: [:]).credentials(timeout: 0.3) }, .configuration)
        XCTAssertEqual(kind { try WebCredentialSource(tokenFile: dir + "/missing", tokenCommand: nil, userFile: nil, environment: [:]).credentials() }, .inputMissing)
        chmod(token, 0o644)
        XCTAssertEqual(kind { try WebCredentialSource(tokenFile: token, tokenCommand: nil, userFile: nil, environment: [:]).credentials() }, .permissionDenied)
        try "nocolon\n".write(toFile: users, atomically: false, encoding: .utf8)
        chmod(users, 0o600)
        XCTAssertEqual(kind { try WebCredentialSource(tokenFile: nil, tokenCommand: nil, userFile: users, environment: [:]).credentials() }, .configuration)
    }
}
