import XCTest
@testable import CMRShare

final class HTTPRequestParserTests: XCTestCase {
    let simple = Array("GET /api/frame/1.2/0?window=40,400&size=64x64 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer abc\r\n\r\n".utf8)

    func parseAll(_ bytes: [UInt8], chunk: Int = .max, limits: HTTPRequestParser.Limits = .init()) throws(HTTPParseError) -> [HTTPRequest] {
        var p = HTTPRequestParser(limits: limits)
        var out: [HTTPRequest] = []
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + chunk)
            p.append(bytes[i..<end])
            i = end
            while let r = try p.next() { out.append(r) }
        }
        return out
    }

    func status(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> Int? {
        do {
            _ = try parseAll(Array(text.utf8), limits: limits)
            return nil
        } catch {
            return error.status
        }
    }

    func testSimpleRequestWholeAndByteByByte() throws {
        let whole = try parseAll(simple)
        let bytewise = try parseAll(simple, chunk: 1)
        XCTAssertEqual(whole, bytewise)
        XCTAssertEqual(whole.count, 1)
        let r = whole[0]
        XCTAssertEqual(r.method, "GET")
        XCTAssertEqual(r.path, "/api/frame/1.2/0")
        XCTAssertEqual(r.pathSegments, ["api", "frame", "1.2", "0"])
        XCTAssertEqual(r.query, ["window": "40,400", "size": "64x64"])
        XCTAssertEqual(r.headers["authorization"], "Bearer abc")
        XCTAssertEqual(r.minorVersion, 1)
        XCTAssertTrue(r.keepAlive)
    }

    func testPipelinedRequestsAndBodies() throws {
        let text = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET /y HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
        for chunk in [1, 2, 7, 1000] {
            let rs = try parseAll(Array(text.utf8), chunk: chunk)
            XCTAssertEqual(rs.map(\.path), ["/x", "/y"], "chunk \(chunk)")
            XCTAssertEqual(rs[0].body, Array("hello".utf8))
            XCTAssertTrue(rs[0].keepAlive)
            XCTAssertFalse(rs[1].keepAlive)
        }
    }

    func testVersionsAndKeepAlive() throws {
        XCTAssertFalse(try parseAll(Array("GET / HTTP/1.0\r\n\r\n".utf8))[0].keepAlive)
        XCTAssertTrue(try parseAll(Array("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n".utf8))[0].keepAlive)
        XCTAssertFalse(try parseAll(Array("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n".utf8))[0].keepAlive)
        // Bare LF line ends and leading empty lines are accepted.
        XCTAssertEqual(try parseAll(Array("\r\nGET /a HTTP/1.1\nHost: h\n\n".utf8))[0].path, "/a")
    }

    func testRefusals() {
        XCTAssertEqual(status("GET / HTTP/2.0\r\n\r\n"), 505)
        XCTAssertEqual(status("GET / HTTP/1.1\r\n\r\n"), 400, "no Host")
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400, "two Hosts")
        XCTAssertEqual(status("GET / FTP/1.1\r\nHost: h\r\n\r\n"), 400)
        XCTAssertEqual(status("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), 400, "two spaces")
        XCTAssertEqual(status("G(T / HTTP/1.1\r\nHost: h\r\n\r\n"), 400, "method not a token")
        XCTAssertEqual(status("GET x HTTP/1.1\r\nHost: h\r\n\r\n"), 400, "not a path")
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  folded\r\n\r\n"), 400, "obs-fold")
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: h\r\nX A: 1\r\n\r\n"), 400, "space in name")
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: h\r\nX-A : 1\r\n\r\n"), 400, "space before colon")
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n"), 400)
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u{1}b\r\n\r\n"), 400, "control character")
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx"), 400)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"), 400)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1,1\r\n\r\n"), 400)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"), 501)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: h\r\n\r\n"), 411)
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65537\r\n\r\n"), 413)
    }

    func testLimits() {
        let longTarget = "/" + String(repeating: "a", count: 8 * 1024)
        XCTAssertEqual(status("GET \(longTarget) HTTP/1.1\r\nHost: h\r\n\r\n"), 414)
        // Refused as soon as the limit is passed, before the line ends.
        var p = HTTPRequestParser()
        p.append(Array("GET \(longTarget)".utf8))
        XCTAssertThrowsError(try p.next())
        let big = "X-Big: " + String(repeating: "b", count: 16 * 1024) + "\r\n"
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: h\r\n\(big)\r\n"), 431)
        let many = (0..<100).map { "X-\($0): v\r\n" }.joined()
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: h\r\n\(many)\r\n"), 431, "101 fields")
        XCTAssertNil(status("GET / HTTP/1.1\r\n\(many)Host: h\r\n\r\n".replacingOccurrences(of: "X-99: v\r\n", with: "")), "100 fields")
        var small = HTTPRequestParser.Limits()
        small.body = 4
        XCTAssertEqual(status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", limits: small), 413)
        // After an error the parser stays failed.
        var q = HTTPRequestParser()
        q.append(Array("BAD\r\n".utf8))
        XCTAssertThrowsError(try q.next())
        q.append(simple)
        XCTAssertThrowsError(try q.next())
    }

    func testMidRequestState() throws {
        var p = HTTPRequestParser()
        XCTAssertFalse(p.isMidRequest)
        p.append(Array("\r\n".utf8))
        XCTAssertNil(try p.next())
        XCTAssertFalse(p.isMidRequest, "empty lines are not a request")
        p.append(Array("GET / HT".utf8))
        XCTAssertNil(try p.next())
        XCTAssertTrue(p.isMidRequest)
    }

    /// Damaged requests in random chunks: every outcome is a request or an HTTPParseError, never a trap.
    func testRandomDamageNeverTraps() {
        var rng = SystemRandomNumberGenerator()
        let base = Array("POST /api/study?x=%41 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc".utf8) + simple
        var outcomes = [0, 0]
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: i)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: i)
                }
            }
            do {
                let rs = try parseAll(bytes, chunk: Int.random(in: 1...40, using: &rng))
                outcomes[0] += rs.count
                for r in rs { _ = r.pathSegments }
            } catch {
                XCTAssertTrue([400, 411, 413, 414, 431, 501, 505].contains(error.status), "\(error)")
                outcomes[1] += 1
            }
        }
        XCTAssertGreaterThan(outcomes[0], 0)
        XCTAssertGreaterThan(outcomes[1], 0)
    }
}
