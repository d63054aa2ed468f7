import XCTest
import DICOMCoding
@testable import DICOMweb

final class MultipartParserTests: XCTestCase {
    typealias Part = MultipartCollector.Part

    static let boundary = "XyZ-12"
    /// A body with a preamble, padding after a boundary, a part with no headers, data that looks
    /// like the boundary, an empty part and an epilogue.
    static let sample: [UInt8] = Array((
        "preamble text\r\n--XyZ-1 not yet\r\n" +
        "--XyZ-12\r\n" +
        "Content-Type: application/dicom\r\nContent-Location: /studies/1\r\n\r\n" +
        "first\r\n--XyZ-1\r\n--XyZ-123 is not a boundary line?" +
        "\r\n--XyZ-12  \t\r\n" +
        "\r\n" +
        "no headers\r\r\n\r\n-" +
        "\r\n--XyZ-12\r\n" +
        "Content-Type: application/octet-stream\r\nContent-Length: 0\r\n\r\n" +
        "\r\n--XyZ-12--\r\nepilogue \r\n--XyZ-12\r\n junk").utf8)

    /// Only the third boundary line is not one: "--XyZ-123 is not…" is preceded by CRLF and the
    /// boundary, so it would be a delimiter line with bad trailing bytes. Keep the sample valid.
    static let validSample: [UInt8] = Array(String(decoding: sample, as: UTF8.self)
        .replacingOccurrences(of: "\r\n--XyZ-123 is not a boundary line?", with: "\r\n-XyZ-123 is not a boundary line?").utf8)

    static let expected: [Part] = [
        Part(headers: MultipartHeaders([.init("Content-Type", "application/dicom"), .init("Content-Location", "/studies/1")]),
             body: Array("first\r\n--XyZ-1\r\n-XyZ-123 is not a boundary line?".utf8)),
        Part(headers: MultipartHeaders([]), body: Array("no headers\r\r\n\r\n-".utf8)),
        Part(headers: MultipartHeaders([.init("Content-Type", "application/octet-stream"), .init("Content-Length", "0")]), body: []),
    ]

    func parse(_ body: [UInt8], boundary: String = boundary, cuts: [Int]) throws -> [Part] {
        var p = try MultipartParser(boundary: boundary)
        var c = MultipartCollector()
        var start = 0
        for cut in cuts + [body.count] {
            try p.feed(Array(body[start..<cut]), into: &c)
            start = cut
        }
        try p.finish()
        return c.parts
    }

    func testWholeBody() throws {
        XCTAssertEqual(try parse(Self.validSample, cuts: []), Self.expected)
    }

    func testBoundaryFollowedByOtherBytesIsAnError() {
        XCTAssertThrowsError(try parse(Self.sample, cuts: [])) {
            XCTAssertEqual(($0 as? MultipartError)?.kind, .badDelimiterLine)
        }
    }

    func testOneByteChunks() throws {
        XCTAssertEqual(try parse(Self.validSample, cuts: Array(1..<Self.validSample.count)), Self.expected)
    }

    func testEverySplitIntoTwoAndThreeChunks() throws {
        let b = Self.validSample
        for i in 0...b.count {
            XCTAssertEqual(try parse(b, cuts: [i]), Self.expected, "cut at \(i)")
            for j in stride(from: i, through: b.count, by: 1) where (i + j) % 3 == 0 {
                XCTAssertEqual(try parse(b, cuts: [i, j]), Self.expected, "cuts at \(i), \(j)")
            }
        }
    }

    func testRandomChunkings() throws {
        var rng = SystemRandomNumberGenerator()
        let b = Self.validSample
        for _ in 0..<500 {
            var cuts: [Int] = []
            var at = 0
            while true {
                at += Int.random(in: 0...9, using: &rng)
                if at >= b.count { break }
                cuts.append(at)
            }
            XCTAssertEqual(try parse(b, cuts: cuts), Self.expected)
        }
    }

    func testBoundarySplitAcrossChunksAtEveryPosition() throws {
        let body = Array("--b0undary\r\n\r\nAAAA\r\n--b0undary\r\n\r\nBB\r\n--b0undary--".utf8)
        let delimiterStart = 18  // the CRLF before the second boundary
        for cut in delimiterStart...(delimiterStart + 12) {
            let parts = try parse(body, boundary: "b0undary", cuts: [cut])
            XCTAssertEqual(parts.map(\.body), [Array("AAAA".utf8), Array("BB".utf8)], "cut at \(cut)")
        }
    }

    func testBodyStartingWithBoundaryAndNoCloseCRLF() throws {
        let parts = try parse(Array("--a\r\n\r\nx\r\n--a--".utf8), boundary: "a", cuts: [])
        XCTAssertEqual(parts.map(\.body), [[UInt8(ascii: "x")]])
    }

    func testRepeatedPrefixesInData() throws {
        // KMP fall-back: "\r\n\r\n--aa\r\n--a" inside data with boundary "a" pattern "\r\n--a".
        let data = Array("\r\r\n\r\n-\r\n--\r\n--b\r\r\n-".utf8)
        var body = Array("--a\r\n\r\n".utf8) + data + Array("\r\n--a--".utf8)
        XCTAssertEqual(try parse(body, boundary: "a", cuts: Array(1..<body.count)).map(\.body), [data])
        body = Array("--ab\r\n\r\n".utf8) + Array("\r\n--a\r\n-\r\n--aa\r\n--a".utf8) + Array("\r\n--ab--".utf8)
        for cut in 0...body.count {
            XCTAssertEqual(try parse(body, boundary: "ab", cuts: [cut]).map(\.body), [Array("\r\n--a\r\n-\r\n--aa\r\n--a".utf8)])
        }
    }

    func testContentTypeGivesTheBoundary() throws {
        let p = try MultipartParser(contentType: "multipart/related; type=\"application/dicom\"; boundary=\"a b:c\"")
        XCTAssertEqual(p.boundary, "a b:c")
        XCTAssertThrowsError(try MultipartParser(contentType: "application/dicom+json")) {
            XCTAssertEqual(($0 as? MultipartError)?.kind, .badContentType)
        }
        XCTAssertThrowsError(try MultipartParser(contentType: "multipart/related; type=application/dicom"))
    }

    func expectError(_ body: String, _ kind: MultipartError.Kind, boundary: String = "q", line: UInt = #line) {
        for chunk in [1, 3, 1000] {
            let b = Array(body.utf8)
            XCTAssertThrowsError(try parse(b, boundary: boundary, cuts: Array(stride(from: chunk, to: b.count, by: chunk))), line: line) {
                XCTAssertEqual(($0 as? MultipartError)?.kind, kind, "\($0)", line: line)
            }
        }
    }

    func testMalformedBodiesThrowTypedErrors() {
        expectError("", .noParts)
        expectError("no boundary here", .noParts)
        expectError("--q\r\n\r\nabc", .truncated)
        expectError("--q\r\n\r\nabc\r\n--q", .truncated)
        expectError("--q\r\nContent-Type: x\r\n", .truncated)
        expectError("--qX\r\n\r\n", .badDelimiterLine)
        expectError("--q -\r\n\r\n", .badDelimiterLine)
        expectError("--q\r\n\r\na\r\n--q-x", .badDelimiterLine)
        expectError("--q\rx", .badDelimiterLine)
        expectError("--q\r\nno colon\r\n\r\nx\r\n--q--", .badHeaders)
        expectError("--q\r\n: empty name\r\n\r\nx\r\n--q--", .badHeaders)
        expectError("--q\r\nContent-Length: 3\r\n\r\nab\r\n--q--", .lengthMismatch)
        expectError("--q\r\nContent-Length: x\r\n\r\nab\r\n--q--", .badHeaders)
        expectError("--q\r\nX: " + String(repeating: "a", count: 70_000) + "\r\n\r\nab\r\n--q--", .badHeaders)
    }

    func testFoldedHeadersAndPaddingBeforeCRLF() throws {
        let parts = try parse(Array("--q \r\nContent-Type: multipart/related;\r\n type=x\r\n\r\nz\r\n--q--  ".utf8), boundary: "q", cuts: [])
        XCTAssertEqual(parts.first?.headers["content-type"], "multipart/related; type=x")
    }

    func testRandomGarbageNeverTraps() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("\r\n-q: aB".utf8)
        for _ in 0..<3000 {
            let n = Int.random(in: 0...40, using: &rng)
            let b = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
            var p = try! MultipartParser(boundary: "q")
            var c = MultipartCollector()
            _ = try? p.feed(b, into: &c)
            _ = try? p.finish()
        }
    }

    /// Near-misses everywhere, in every chunk size: the delimiter search does at most two steps
    /// per byte (KMP: each fall-back is paid for by an earlier advance), counted, not timed.
    func testSearchWorkIsLinearInTheInput() throws {
        let boundary = "ab" + String(repeating: "a", count: 30)
        var body = Array("--\(boundary)\r\n\r\n".utf8)
        for k in 0..<2_000 {
            body += Array(("\r\n--" + String(repeating: "a", count: k % 40)).utf8)
            body += Array(("\r\n--ab" + String(repeating: "a", count: k % 30) + "\r").utf8)
        }
        body += Array("\r\n--\(boundary)--".utf8)
        for chunk in [1, 2, 7, 64, 4096, body.count] {
            var p = try MultipartParser(boundary: boundary)
            var c = CountingReceiver()
            var i = 0
            while i < body.count {
                let e = min(body.count, i + chunk)
                try p.feed(Array(body[i..<e]), into: &c)
                i = e
            }
            try p.finish()
            XCTAssertLessThanOrEqual(p.searchSteps, 2 * body.count, "chunk \(chunk): \(p.searchSteps) steps for \(body.count) bytes")
        }
    }

    /// Near-misses everywhere ("\r\n--boundar" over and over) in 1-byte chunks and in big
    /// chunks: the time per byte must not grow with the input (quadratic rescanning would).
    /// Timed, so with a wide margin; `testSearchWorkIsLinearInTheInput` is the exact check.
    func testTimeIsLinearOnPathologicalInput() throws {
        let boundary = "cmr-" + String(repeating: "7", count: 32)
        let nearMiss = Array(("\r\n--" + boundary.dropLast()).utf8)
        func body(_ repeats: Int) -> [UInt8] {
            var b = Array("--\(boundary)\r\n\r\n".utf8)
            for _ in 0..<repeats { b += nearMiss }
            return b + Array("\r\n--\(boundary)--".utf8)
        }
        func seconds(_ b: [UInt8], chunk: Int) throws -> Double {
            var p = try MultipartParser(boundary: boundary)
            var c = CountingReceiver()
            let t = Date()
            var i = 0
            try b.withUnsafeBytes { all in
                while i < all.count {
                    let e = min(all.count, i + chunk)
                    try p.feed(UnsafeRawBufferPointer(rebasing: all[i..<e]), into: &c)
                    i = e
                }
            }
            try p.finish()
            XCTAssertEqual(c.bytes, b.count - (boundary.count + 6) - (boundary.count + 6))
            return Date().timeIntervalSince(t)
        }
        let small = body(1_000), large = body(16_000)
        for chunk in [1, 65536] {
            // The best of three runs each, so that a busy machine does not decide.
            let a = try (0..<3).map { _ in try seconds(small, chunk: chunk) }.min()! / Double(small.count)
            let b = try (0..<3).map { _ in try seconds(large, chunk: chunk) }.min()! / Double(large.count)
            XCTAssertLessThan(b, a * 10 + 1e-8, "per-byte time grew with input size (chunk \(chunk)): \(a) → \(b)")
        }
    }

    /// A 256 MiB part, fed in 1 MiB chunks and counted, not kept: resident memory must not grow
    /// with it.
    func testHugePartStreamsInBoundedMemory() throws {
        let boundary = "cmr-huge"
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        for i in chunk.indices { chunk[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
        for i in stride(from: 0, to: chunk.count - 8, by: 4096) { chunk.replaceSubrange(i..<(i + 7), with: Array("\r\n--cmr".utf8)) }
        var p = try MultipartParser(boundary: boundary)
        var c = CountingReceiver()
        let before = residentBytes()
        try p.feed(Array("--\(boundary)\r\nContent-Type: application/dicom\r\n\r\n".utf8), into: &c)
        for _ in 0..<256 { try p.feed(chunk, into: &c) }
        try p.feed(Array("\r\n--\(boundary)--\r\n".utf8), into: &c)
        try p.finish()
        XCTAssertEqual(c.bytes, 256 << 20)
        XCTAssertEqual(c.parts, 1)
        let grown = residentBytes() - before
        XCTAssertLessThan(grown, 32 << 20, "resident memory grew by \(grown >> 20) MiB")
    }
}

struct CountingReceiver: MultipartReceiver {
    var bytes = 0
    var parts = 0
    mutating func partBegan(_ headers: MultipartHeaders) throws { parts += 1 }
    mutating func partBytes(_ b: UnsafeRawBufferPointer) throws { bytes += b.count }
    mutating func partEnded() throws {}
}

/// VmRSS from /proc/self/status, in bytes.
func residentBytes() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
}
