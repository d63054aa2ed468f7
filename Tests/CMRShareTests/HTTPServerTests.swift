import XCTest
import Foundation
#if canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
private let noSignal = Int32(MSG_NOSIGNAL)
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
private let noSignal: Int32 = 0
#endif
@testable import CMRShare

/// The server over loopback, with curl as the client (and raw sockets where curl cannot be slow
/// on purpose).
final class HTTPServerTests: XCTestCase {
    var fixture: ShareAppFixture!
    var server: HTTPServer!
    let log = AccessLog()
    var base: String { "http://127.0.0.1:\(server.port)" }

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs /usr/bin/curl")
        fixture = try ShareAppFixture()
    }

    override func tearDown() {
        server?.stop()
        fixture?.remove()
    }

    func startServer(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
        var c = HTTPServerConfiguration()
        c.port = 0
        configure(&c)
        let log = self.log
        let app = ShareApp(index: try StudyIndex.scan(root: fixture.root), verify: ShareAppFixture.verify, onAccess: { log.add($0) })
        server = HTTPServer(configuration: c, handler: app.handler)
        try server.start()
    }

    /// Runs curl; returns its standard output and standard error.
    @discardableResult
    func curl(_ args: [String]) throws -> (out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "--max-time", "20"] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Status and header fields (lower-cased names) of a `curl -D -` answer.
    func head(_ text: String) -> (Int, [String: String]) {
        var fields: [String: String] = [:]
        let lines = text.components(separatedBy: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { if line.isEmpty { break } else { continue } }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, fields)
    }

    func fetch(_ path: String, token: String? = nil, extra: [String] = []) throws -> (Int, [String: String]) {
        var args = ["-D", "-", "-o", "/dev/null"]
        if let token { args += ["-H", "Authorization: Bearer \(token)"] }
        return head(try curl(args + extra + [base + path]).out)
    }

    func testEveryEndpointAndRefusalOverLoopback() throws {
        try startServer()
        let inst = ShareAppFixture.ctInstance(1)
        let download = "/studies/\(ShareAppFixture.study)/series/\(ShareAppFixture.ct)/instances/\(inst)"
        let cases: [(String, String?, Int, String?)] = [
            ("/s", nil, 200, "text/html; charset=utf-8"),
            ("/api/study", "view", 200, "application/json"),
            ("/api/thumb/\(ShareAppFixture.ct)", "view", 200, "image/png"),
            ("/api/frame/\(inst)/0?window=40,400&size=128x128", "view", 200, "image/png"),
            (download, "dl", 200, "application/dicom"),
            (download, "view", 403, "application/json"),
            ("/api/study", nil, 401, "application/json"),
            ("/api/study", "forged", 401, "application/json"),
            ("/api/study", "expired", 410, "application/json"),
            ("/api/study", "revoked", 403, "application/json"),
            ("/api/thumb/\(ShareAppFixture.ct)", "mr-only", 403, "application/json"),
            ("/nothing", "view", 404, "application/json"),
        ]
        for (path, token, status, type) in cases {
            let (s, h) = try fetch(path, token: token)
            XCTAssertEqual(s, status, path)
            XCTAssertEqual(h["content-type"], type, path)
            XCTAssertEqual(h["cache-control"], "no-store", path)
            XCTAssertEqual(h["x-content-type-options"], "nosniff", path)
            XCTAssertEqual(h["referrer-policy"], "no-referrer", path)
            XCTAssertNotNil(h["content-security-policy"], path)
        }
        // One access event per API request; the page is not one.
        let events = log.all
        XCTAssertEqual(events.count, cases.count - 2)
        XCTAssertTrue(events.allSatisfy { $0.client.hasPrefix("127.0.0.1:") })
        XCTAssertEqual(events.map(\.status), cases.filter { $0.0 != "/s" && $0.0 != "/nothing" }.map(\.2))
        // The DICOM file arrives whole, and HEAD sends the length without the body.
        let file = try Data(contentsOf: URL(fileURLWithPath: fixture.root + "/ct/1.dcm"))
        let got = try curl(["-H", "Authorization: Bearer dl", base + download]).out
        XCTAssertEqual(got.utf8.count, String(decoding: file, as: UTF8.self).utf8.count)
        let (hs, hh) = head(try curl(["-I", "-H", "Authorization: Bearer dl", base + download]).out)
        XCTAssertEqual(hs, 200)
        XCTAssertEqual(hh["content-length"], String(file.count))
    }

    func testKeepAliveReusesTheConnection() throws {
        try startServer()
        let r = try curl(["-v", "-o", "/dev/null", "-o", "/dev/null", "-H", "Authorization: Bearer view",
                          base + "/api/study", base + "/api/thumb/\(ShareAppFixture.mr)"])
        XCTAssertTrue(r.err.contains("Re-using existing connection"), r.err)
        XCTAssertEqual(log.all.map(\.status), [200, 200])
        // Connection: close is honoured.
        let (_, h) = try fetch("/s", extra: ["-H", "Connection: close"])
        XCTAssertEqual(h["connection"], "close")
    }

    func testPipelinedRequestsThenIdleTimeout() throws {
        try startServer { $0.idleTimeout = 0.5 }
        let fd = try connectRaw()
        defer { close(fd) }
        let started = Date()
        send(fd, "GET /s HTTP/1.1\r\nHost: x\r\n\r\nHEAD /s HTTP/1.1\r\nHost: x\r\n\r\nGET /api/study HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let answer = readAll(fd, timeout: 5)
        XCTAssertEqual(answer.components(separatedBy: "HTTP/1.1 200 OK").count - 1, 2)
        XCTAssertEqual(answer.components(separatedBy: "HTTP/1.1 401 Unauthorized").count - 1, 1)
        XCTAssertEqual(answer.components(separatedBy: "<!doctype html>").count - 1, 1, "HEAD has no body")
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertTrue(elapsed > 0.4 && elapsed < 3, "closed by the idle timeout after \(elapsed) s")
    }

    func testOversizedHeaderIs431() throws {
        try startServer()
        let (s, h) = try fetch("/api/study", token: "view", extra: ["-H", "X-Big: " + String(repeating: "x", count: 20_000)])
        XCTAssertEqual(s, 431)
        XCTAssertEqual(h["connection"], "close")
        XCTAssertEqual(h["cache-control"], "no-store")
        XCTAssertTrue(log.all.isEmpty, "never reached the app")
    }

    func testSlowClientIsClosedAfterTheHeaderTimeout() throws {
        try startServer { $0.headerTimeout = 0.5 }
        let fd = try connectRaw()
        defer { close(fd) }
        let started = Date()
        send(fd, "GET /s HTTP/1.1\r\nHost: x\r\n")
        // Trickle a byte now and then, slowloris-style: the deadline is not extended.
        for _ in 0..<3 {
            usleep(150_000)
            send(fd, "X")
        }
        let answer = readAll(fd, timeout: 5)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 408 "), answer)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5)
        // An idle connection that never sends is closed quietly.
        let idle = try connectRaw()
        defer { close(idle) }
        XCTAssertEqual(readAll(idle, timeout: 5), "")
    }

    func testTwoHundredConcurrentConnections() throws {
        _ = try curl(["http://127.0.0.1:1/"])   // Foundation's own descriptors settle first
        let before = try openDescriptors()
        try startServer()
        let urls = (0..<200).flatMap { i in ["-o", "/dev/null", base + "/api/frame/\(ShareAppFixture.mrInstance)/\(i % 4)?size=32x32&n=\(i)"] }
        let r = try curl(["--parallel", "--parallel-immediate", "--parallel-max", "200", "-H", "Authorization: Bearer view",
                          "-w", "%{http_code}\n"] + urls)
        let codes = r.out.split(separator: "\n")
        XCTAssertEqual(codes.count, 200)
        XCTAssertTrue(codes.allSatisfy { $0 == "200" }, Set(codes).description)
        XCTAssertEqual(log.all.count, 200)
        // And 200 raw sockets held open at once, each answered.
        let fds = try (0..<200).map { _ in try connectRaw() }
        for fd in fds { send(fd, "GET /s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") }
        var ok = 0
        for fd in fds {
            if readAll(fd, timeout: 10).hasPrefix("HTTP/1.1 200 ") { ok += 1 }
            close(fd)
        }
        XCTAssertEqual(ok, 200)
        server.stop()
        XCTAssertEqual(server.openConnections, 0)
        // Other tests of this process may close their own descriptors meanwhile: none may be added.
        XCTAssertLessThanOrEqual(try openDescriptors(), before, "no descriptor leaked")
    }

    func testConnectionsBeyondTheLimitGet503() throws {
        try startServer { $0.maxConnections = 2 }
        let a = try connectRaw(), b = try connectRaw()
        defer { close(a); close(b) }
        usleep(100_000)
        let (s, h) = try fetch("/s")
        XCTAssertEqual(s, 503)
        XCTAssertEqual(h["retry-after"], "1")
    }

    func testRefusesNonLoopbackUnlessAllowed() throws {
        var c = HTTPServerConfiguration()
        c.host = "0.0.0.0"
        c.port = 0
        XCTAssertThrowsError(try HTTPServer(configuration: c) { _ in .text(200, "") }.start())
        c.host = "example.org"
        c.allowNonLoopback = true
        XCTAssertThrowsError(try HTTPServer(configuration: c) { _ in .text(200, "") }.start())
        c.host = "::1"
        c.allowNonLoopback = false
        let s6 = HTTPServer(configuration: c) { _ in .text(200, "six") }
        if (try? s6.start()) != nil {
            XCTAssertEqual(try curl(["http://[::1]:\(s6.port)/"]).out, "six")
            s6.stop()
        }
    }

    func testForwardedForIsTrustedOnlyWhenAsked() throws {
        try startServer { $0.trustProxy = true }
        _ = try fetch("/api/study", token: "view", extra: ["-H", "X-Forwarded-For: 198.51.100.7, 203.0.113.9"])
        XCTAssertEqual(log.last?.client, "203.0.113.9")
        server.stop()
        try startServer()
        _ = try fetch("/api/study", token: "view", extra: ["-H", "X-Forwarded-For: 203.0.113.9"])
        XCTAssertTrue(log.last?.client.hasPrefix("127.0.0.1:") == true)
    }

    func testLoopbackLatency() throws {
        try startServer()
        let timing = try curl(["-o", "/dev/null", "-o", "/dev/null", "-H", "Authorization: Bearer view", "-w", "%{time_total}\n",
                               base + "/api/thumb/\(ShareAppFixture.ct)", base + "/api/frame/\(ShareAppFixture.ctInstance(3))/0?window=40,400&size=512x512"]).out
        print("share-server loopback timing (s): first thumbnail, 512x512 frame:", timing.split(separator: "\n").joined(separator: ", "))
    }

    // MARK: Raw sockets

    func connectRaw() throws -> Int32 {
        let fd = socket(AF_INET, streamSocket, 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = server.port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else { close(fd); throw HTTPServerError("connect failed") }
        return fd
    }

    func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { sendBytes(fd, $0.baseAddress, $0.count, noSignal) }
    }

    func sendBytes(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int, _ flags: Int32) -> Int {
        #if canImport(Glibc)
        Glibc.send(fd, p, n, flags)
        #else
        Darwin.send(fd, p, n, flags)
        #endif
    }

    /// Everything until the peer closes (or `timeout` seconds pass).
    func readAll(_ fd: Int32, timeout: Double) -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) >= 0 else { break }
            if p.revents == 0 { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    func openDescriptors() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    }
}
