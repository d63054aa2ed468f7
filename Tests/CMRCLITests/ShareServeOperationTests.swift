import XCTest
import Foundation
import CMRKit
import CMRAudit
import CMRShare

/// `ShareServeOperation` end to end: a synthetic study served on loopback, requests made with
/// curl, and every one of them found in the audit log with the start and stop records.
final class ShareServeOperationTests: XCTestCase {
    func testEveryRequestIsRecordedAndFlushedAtStop() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs /usr/bin/curl")
        let dir = NSTemporaryDirectory() + "cmr-share-serve-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = Synthesizer.Options()
        o.patients = 1
        o.series = ["CT"]
        o.instancesPerSeries = 2
        _ = try Synthesizer(options: o).write(to: dir + "/data")
        let index = try StudyIndex.scan(root: dir + "/data")
        let study = try XCTUnwrap(index.studies.keys.first)
        let series = try XCTUnwrap(index.study(study)?.series.first?.uid)
        let verify: ShareVerifier.Verify = { token in
            token == "good"
                ? .success(ShareGrant(id: "g1", issuer: "site", recipient: "r", studyUID: study, scope: .view,
                                      notBefore: Date(timeIntervalSince1970: 0), expires: Date().addingTimeInterval(60), mode: "deidentified"))
                : .failure(.revoked(Date(timeIntervalSince1970: 0)))
        }
        let audit = AuditContext(logPath: dir + "/audit.log", actor: AuditContext.currentActor(environment: [:]))
        var request = ShareServeRequest(root: dir + "/data")
        request.port = 0
        let op = try ShareServeOperation(request, verify: verify, audit: audit)
        let started = try op.start()
        XCTAssertEqual(started.instances, 2)
        let base = "http://\(started.listen)"
        let codes = try curl(["-w", "%{http_code}\n", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                              "-H", "Authorization: Bearer good", base + "/api/study", base + "/api/thumb/\(series)", base + "/s"])
        XCTAssertEqual(codes, "200\n200\n200\n")
        XCTAssertEqual(try curl(["-w", "%{http_code}", "-o", "/dev/null", "-H", "Authorization: Bearer old", base + "/api/study"]), "403")
        let done = DispatchSemaphore(value: 0)
        let failure = LockedError()
        Thread {
            do { try op.run() } catch { failure.set(error) }
            done.signal()
        }.start()
        op.requestStop()
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertNil(failure.value)

        let lines = try String(contentsOfFile: dir + "/audit.log", encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try JSONDecoder().decode(AuditRecord.self, from: Data($0.utf8)) }
        XCTAssertEqual(records.map(\.event.code), ["110100", "110103", "110103", "110114", "110100"])
        XCTAssertEqual(records[1].details?["grant"], "g1")
        XCTAssertEqual(records[1].objects.first?.studyUID, study)
        XCTAssertTrue(records[1].peer?.hasPrefix("127.0.0.1:") == true)
        XCTAssertEqual(records[3].outcome.code, .minorFailure)
        XCTAssertEqual(records[3].outcome.message, "revoked")
        XCTAssertEqual(records[4].details?["activity"], "stop")
        XCTAssertEqual(records[4].details?["accesses"], "3")
        XCTAssertEqual(ShareServeRequest.parseListen("[::1]:9000")?.host, "::1")
        XCTAssertEqual(ShareServeRequest.parseListen(":9000")?.host, "127.0.0.1")
        XCTAssertNil(ShareServeRequest.parseListen("localhost"))
    }

    func curl(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "--max-time", "20"] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    final class LockedError: @unchecked Sendable {
        private let lock = NSLock()
        private var error: Error?
        func set(_ e: Error) { lock.withLock { error = e } }
        var value: Error? { lock.withLock { error } }
    }
}
