import Foundation
import XCTest
import DICOMweb
@testable import CMRKit

/// `cmr send` to DICOMweb over a canned server (no network): Retry-After and 503 with part of a
/// batch stored, re-sending only the rest; 401 with --token-command running the command again;
/// 401 without a way to refresh; batches by count; the http refusal.
final class SendWebOperationTests: XCTestCase {
    /// A STOW-RS server in memory: `answer(n, uids)` for the n-th request (from 0) carrying the
    /// SOP Instance UIDs `uids` (the files' UIDs found in the body) and its Authorization header.
    final class CannedServer: HTTPTransport, @unchecked Sendable {
        struct Answer {
            var status: Int
            var stored: [String] = []
            var headers: [String: String] = [:]
            /// Failed instances with their Failure Reason (FailedSOPSequence).
            var failed: [(uid: String, reason: Int)] = []
        }
        let known: [String: String]  // SOP Instance UID → SOP Class UID
        let answer: @Sendable (Int, [String], String?) -> Answer
        let lock = NSLock()
        var requests: [(uids: [String], authorization: String?)] = []

        init(known: [String: String], answer: @escaping @Sendable (Int, [String], String?) -> Answer) {
            self.known = known
            self.answer = answer
        }

        func perform(_ request: HTTPRequest, handler: HTTPResponseHandler) throws -> HTTPResponseHead {
            guard case .stream(let stream) = request.body, let body = MultipartFileStream.readAll(stream.newStream()) else {
                throw DICOMwebError(.io, "no body")
            }
            let text = String(decoding: body, as: UTF8.self)
            let uids = known.keys.filter { text.contains($0 + "\0") || text.contains($0) }.sorted()
            let auth = request.header("Authorization")
            let n: Int = lock.withLock { requests.append((uids, auth)); return requests.count - 1 }
            let a = answer(n, uids, auth)
            let items = a.stored.map { #"{"00081150":{"vr":"UI","Value":["\#(known[$0]!)"]},"00081155":{"vr":"UI","Value":["\#($0)"]}}"# }
            let failedItems = a.failed.map { #"{"00081150":{"vr":"UI","Value":["\#(known[$0.uid]!)"]},"00081155":{"vr":"UI","Value":["\#($0.uid)"]},"00081197":{"vr":"US","Value":[\#($0.reason)]}}"# }
            let failedJSON = failedItems.isEmpty ? "" : #","00081198":{"vr":"SQ","Value":[\#(failedItems.joined(separator: ","))]}"#
            let json = Array(#"{"00081199":{"vr":"SQ","Value":[\#(items.joined(separator: ","))]}\#(failedJSON)}"#.utf8)
            var headers = a.headers
            headers["Content-Type"] = "application/dicom+json"
            let head = HTTPResponseHead(status: a.status, headers: headers)
            try handler.received(head: head)
            try json.withUnsafeBytes { try handler.received(body: $0) }
            return head
        }
    }

    struct Fixture {
        var dir: String
        var files: [String]
        var known: [String: String]
    }

    func fixture(count: Int = 6) throws -> Fixture {
        let dir = try Peers.temporaryFolder(self)
        var o = Synthesizer.Options()
        o.patients = 1
        o.series = ["CT"]
        o.instancesPerSeries = count
        o.rows = 8
        o.columns = 8
        o.seed = 5
        let files = try Synthesizer(options: o).write(to: dir + "/in").map { $0.hasPrefix("/") ? $0 : dir + "/in/" + $0 }
        var known: [String: String] = [:]
        for f in files {
            let i = try STOWInstance(path: f)
            known[i.sopInstanceUID] = i.sopClassUID
        }
        return Fixture(dir: dir, files: files, known: known)
    }

    func request(_ f: Fixture, _ server: CannedServer, credentials: WebCredentialSource? = nil, batch: Int = 50) -> SendRequest {
        var r = SendRequest(inputs: [f.dir + "/in"], destination: .web(URL(string: "https://archive.invalid/dicom-web")!),
                            retry: RetryPolicy(retries: 3, base: 0.01), journalPath: f.dir + "/journal")
        r.web.credentials = credentials
        r.web.batchCount = batch
        r.web.transport = { _, _ in server }
        return r
    }

    func testRetryAfterOn503ResendsOnlyWhatWasNotStored() throws {
        let f = try fixture()
        let server = CannedServer(known: f.known) { n, uids, _ in
            n == 0 ? .init(status: 503, stored: Array(uids.prefix(2)), headers: ["Retry-After": "1"]) : .init(status: 200, stored: uids)
        }
        let started = Date()
        let result = try SendOperation(request(f, server)).run(readStdin: { [] })
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "Retry-After: 1 honoured")
        XCTAssertEqual(result.exitStatus, 0)
        XCTAssertEqual(result.summary.stored, 6)
        XCTAssertEqual(server.requests.count, 2)
        XCTAssertEqual(server.requests[0].uids.count, 6)
        XCTAssertEqual(Set(server.requests[1].uids), Set(server.requests[0].uids.dropFirst(2)), "only the unacknowledged again")
        XCTAssertEqual(result.records.filter { $0.attempts == 2 }.count, 4)
        XCTAssertTrue(result.records.allSatisfy { $0.peerStatus != nil && $0.sha256?.count == 64 })
        // The journal has all six: a rerun asks nothing.
        let again = try SendOperation(request(f, server)).run(readStdin: { [] })
        XCTAssertEqual(again.summary.skipped, 6)
        XCTAssertEqual(server.requests.count, 2)
    }

    /// Failure Reason A7xx (out of resources) in a STOW answer is transient: those files are sent
    /// again after a pause (as DIMSE A7xx); another reason (C000) fails its file at once.
    func testOutOfResourcesFailureReasonIsRetried() throws {
        let f = try fixture()
        let server = CannedServer(known: f.known) { n, uids, _ in
            n == 0 ? .init(status: 202, stored: Array(uids.prefix(3)), failed: [(uids[3], 0xA700), (uids[4], 0xA7FF), (uids[5], 0xC000)])
                   : .init(status: 200, stored: uids)
        }
        let result = try SendOperation(request(f, server)).run(readStdin: { [] })
        XCTAssertEqual(server.requests.count, 2)
        XCTAssertEqual(server.requests[1].uids.count, 2, "only the two A7xx files again")
        XCTAssertEqual(result.summary.stored, 5)
        XCTAssertEqual(result.summary.failed, 1)
        XCTAssertTrue(result.records.contains { $0.status == .failed && ($0.comment ?? "").contains("C000H") })
        XCTAssertEqual(result.exitStatus, 1)

        // A server that stays out of resources: the retries are used up, then the file fails.
        let g = try fixture(count: 1)
        let busy = CannedServer(known: g.known) { _, uids, _ in .init(status: 202, failed: uids.map { ($0, 0xA700) }) }
        let stuck = try SendOperation(request(g, busy)).run(readStdin: { [] })
        XCTAssertEqual(busy.requests.count, 1 + 3)
        XCTAssertEqual(stuck.summary.failed, 1)
        XCTAssertNotEqual(stuck.exitStatus, 0)
    }

    func testTransientFailuresUsedUpStopAfterPartialIs1() throws {
        let f = try fixture()
        let server = CannedServer(known: f.known) { n, uids, _ in
            n == 0 ? .init(status: 200, stored: uids) : .init(status: 502)
        }
        let result = try SendOperation(request(f, server, batch: 2)).run(readStdin: { [] })
        XCTAssertEqual(result.summary.stored, 2)
        XCTAssertEqual(result.summary.failed, 4)
        XCTAssertEqual(result.exitStatus, 1)
        XCTAssertEqual(server.requests.count, 1 + 4, "the first batch, then the second tried 1 + 3 retries")
        XCTAssertTrue(result.summary.stoppedBecause?.contains("HTTP 502") == true, result.summary.stoppedBecause ?? "")
    }

    func testDeadlineCutsARetryAfterPauseWith75() throws {
        let f = try fixture()
        let server = CannedServer(known: f.known) { _, _, _ in .init(status: 503, headers: ["Retry-After": "30"]) }
        var r = request(f, server)
        r.deadline = Deadline(seconds: 0.5)
        let started = Date()
        let result = try SendOperation(r).run(readStdin: { [] })
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the 30 s pause was cut to the deadline")
        XCTAssertEqual(result.exitStatus, 75)
        XCTAssertEqual(result.summary.failed, 6)
        XCTAssertTrue(result.summary.stoppedBecause?.contains("deadline") == true, result.summary.stoppedBecause ?? "")
    }

    func testTokenCommandRunsAgainOn401() throws {
        let f = try fixture()
        let counter = f.dir + "/runs"
        let command = "n=$(cat \(counter) 2>/dev/null || echo 0); n=$((n+1)); echo $n > \(counter); echo tok$n"
        let server = CannedServer(known: f.known) { _, uids, auth in
            auth == "Bearer tok2" ? .init(status: 200, stored: uids) : .init(status: 401)
        }
        let source = try WebCredentialSource(tokenFile: nil, tokenCommand: command, userFile: nil, environment: [:])
        let result = try SendOperation(request(f, server, credentials: source)).run(readStdin: { [] })
        XCTAssertEqual(result.exitStatus, 0, "\(result.summary)")
        XCTAssertEqual(result.summary.stored, 6)
        XCTAssertEqual(server.requests.map(\.authorization), ["Bearer tok1", "Bearer tok2"])
        XCTAssertEqual(try String(contentsOfFile: counter, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), "2")
    }

    func test401WithoutRefreshStopsWith77() throws {
        let f = try fixture()
        let server = CannedServer(known: f.known) { _, _, _ in .init(status: 401) }
        let source = try WebCredentialSource(tokenFile: nil, tokenCommand: nil, userFile: nil, environment: ["CMR_TOKEN": "t"])
        let result = try SendOperation(request(f, server, credentials: source, batch: 2)).run(readStdin: { [] })
        XCTAssertEqual(result.exitStatus, 77)
        XCTAssertEqual(server.requests.count, 1, "no retry of refused credentials")
        XCTAssertEqual(result.summary.failed, 6)
        // The same with a token command that keeps giving refused tokens: one more run, then 77.
        let counter = f.dir + "/runs"
        let again = try WebCredentialSource(tokenFile: nil, tokenCommand: "echo x >> \(counter); echo bad", userFile: nil, environment: [:])
        var r = request(f, server, credentials: again)
        r.resume = false
        XCTAssertEqual(try SendOperation(r).run(readStdin: { [] }).exitStatus, 77)
        XCTAssertEqual(try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count, 2)
    }

    func testRefusedContentFailsItsFilesAndTheRunGoesOn() throws {
        let f = try fixture()
        // 400 naming three of the first batch's four files stored (as Orthanc does for a part it cannot read).
        let server = CannedServer(known: f.known) { n, uids, _ in
            n == 0 ? .init(status: 400, stored: Array(uids.prefix(3))) : .init(status: 200, stored: uids)
        }
        let result = try SendOperation(request(f, server, batch: 4)).run(readStdin: { [] })
        XCTAssertEqual(result.exitStatus, 1)
        XCTAssertEqual(result.summary.stored, 5)
        XCTAssertEqual(result.summary.failed, 1)
        let failed = try XCTUnwrap(result.records.first { $0.status == .failed })
        XCTAssertEqual(failed.peerStatus, "400")
        XCTAssertTrue(failed.comment?.contains("HTTP 400 and did not name it") == true, failed.comment ?? "")
        XCTAssertNil(result.stoppedBy)
    }

    /// Regression: a file deleted after the scan stopped the whole STOW run with 74 (the request's
    /// body could not be written). The body now comes from the mapping the scan made: the bytes
    /// scanned and hashed are the ones stored, whatever happened to the path since (as over DIMSE).
    func testFileDeletedAfterTheScanIsSentFromWhatWasScanned() throws {
        let f = try fixture()
        let server = CannedServer(known: f.known) { _, uids, _ in .init(status: 200, stored: uids) }
        let gone = f.files[1]
        let goneUID = try STOWInstance(path: gone).sopInstanceUID
        let result = try SendOperation(request(f, server, batch: 4)).run(readStdin: { [] }, willSend: { _ throws(CMRError) in
            try? FileManager.default.removeItem(atPath: gone)
        })
        XCTAssertFalse(FileManager.default.fileExists(atPath: gone))
        XCTAssertEqual(result.exitStatus, 0, "\(result.summary)")
        XCTAssertNil(result.stoppedBy)
        XCTAssertEqual(result.summary.stored, 6)
        XCTAssertEqual(server.requests.count, 2)
        XCTAssertTrue(server.requests.contains { $0.uids.contains(goneUID) })
        XCTAssertTrue(result.records.allSatisfy { $0.attempts == 1 })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.dir).filter { $0.contains("stow") }, [], "no body left behind")
    }

    func testPlainHTTPToAnotherHostAndCredentialsInTheURLAreRefused() throws {
        let plain = SendRequest(inputs: ["x"], destination: .web(URL(string: "http://192.0.2.1/dicom-web")!))
        XCTAssertThrowsError(try SendOperation(plain)) { XCTAssertEqual(($0 as? CMRError)?.exitStatus, 77) }
        var allowed = plain
        allowed.web.allowInsecure = true
        XCTAssertNoThrow(try SendOperation(allowed))
        XCTAssertNoThrow(try SendOperation(SendRequest(inputs: ["x"], destination: .web(URL(string: "http://127.0.0.1:8042/dicom-web")!))))
        let userinfo = SendRequest(inputs: ["x"], destination: .web(URL(string: "https://u:p@archive.invalid/dicom-web")!))
        XCTAssertThrowsError(try SendOperation(userinfo)) { XCTAssertEqual(($0 as? CMRError)?.exitStatus, 64) }
    }
}
