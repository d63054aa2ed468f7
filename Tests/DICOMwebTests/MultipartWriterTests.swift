import XCTest
import DICOMCoding
@testable import DICOMweb

final class MultipartWriterTests: XCTestCase {
    /// Part bodies that are hard for a parser: empty, CRLFs, boundary prefixes, all byte values.
    static let bodies: [[UInt8]] = [
        [],
        Array("\r\n".utf8),
        Array("--cmr-\r\n--cmr\r\n\r\n-".utf8),
        (0..<512).map { UInt8($0 & 0xFF) },
        Array(repeating: 0x0D, count: 100),
    ]

    func testWrittenBodyParsesBack() throws {
        let dir = try temporaryFolder()
        var w = MultipartWriter()
        w.chunkSize = 5
        for (i, b) in Self.bodies.enumerated() {
            let path = dir + "/\(i)"
            FileManager.default.createFile(atPath: path, contents: Data(b))
            try w.writePart(headers: [.init("Content-Type", "application/dicom")], file: path, contentLength: i % 2 == 0)
        }
        try w.writePart(headers: [.init("Content-Location", "mem")], body: [1, 2, 3])
        let body = try w.close().bytes
        XCTAssertEqual(w.bytesWritten, body.count)
        var p = try MultipartParser(contentType: w.contentType())
        var c = MultipartCollector()
        for b in body { try p.feed([b], into: &c) }
        try p.finish()
        XCTAssertEqual(c.parts.map(\.body), Self.bodies + [[1, 2, 3]])
        XCTAssertEqual(c.parts[0].headers.contentType?.essence, "application/dicom")
        XCTAssertEqual(c.parts[2].headers.contentLength, Self.bodies[2].count)
        XCTAssertEqual(c.parts[5].headers.contentLocation, "mem")
        XCTAssertTrue(w.contentType().hasPrefix("multipart/related; type=\"application/dicom\"; boundary=cmr-"))
    }

    func testEmptyBodyIsJustTheCloseDelimiter() throws {
        var w = MultipartWriter(boundary: "b")
        XCTAssertEqual(try w.close().bytes, Array("--b--\r\n".utf8))
    }

    func testBoundaryInsideDataIsRefused() throws {
        for data in ["x\r\n--bnd", "--bnd", "abc\r\n--bnd--"] {
            var w = MultipartWriter(boundary: "bnd")
            XCTAssertThrowsError(try w.writePart(headers: [], body: Array(data.utf8))) {
                XCTAssertEqual(($0 as? MultipartError)?.kind, .boundaryInData, data)
            }
        }
        var w = MultipartWriter(boundary: "bnd")
        XCTAssertNoThrow(try w.writePart(headers: [], body: Array("\r\n--bn\r\n-bnd".utf8)))
    }

    func testRandomBoundariesDiffer() {
        let a = MultipartWriter<MemorySink>.randomBoundary(), b = MultipartWriter<MemorySink>.randomBoundary()
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a.count, 36)
    }

    /// Python's `email` package (the standard library's MIME parser) reads what the writer wrote.
    func testPythonEmailPackageReadsTheBody() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("python3 missing") }
        let dir = try temporaryFolder()
        var w = MultipartWriter(sink: try AtomicFileWriter(path: dir + "/body"))
        for (i, b) in Self.bodies.enumerated() {
            try w.writePart(headers: [.init("Content-Type", "application/dicom"), .init("Content-Location", "part\(i)")], body: b)
        }
        var sink = try w.close()
        try sink.commit()
        let script = """
        import sys, email, email.policy, hashlib, json
        raw = open(sys.argv[1], 'rb').read()
        head = b'Content-Type: ' + sys.argv[2].encode() + b'\\r\\nMIME-Version: 1.0\\r\\n\\r\\n'
        msg = email.message_from_bytes(head + raw, policy=email.policy.HTTP)
        assert msg.is_multipart(), 'not multipart'
        assert not msg.defects, msg.defects
        out = []
        for part in msg.iter_parts():
            out.append([part['Content-Location'], part.get_content_type(), part.get_payload(decode=True).hex()])
        print(json.dumps(out))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, dir + "/body", w.contentType()]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let parts = try JSONSerialization.jsonObject(with: data) as? [[String]] ?? []
        XCTAssertEqual(parts.count, Self.bodies.count)
        for (i, part) in parts.enumerated() {
            XCTAssertEqual(part[0], "part\(i)")
            XCTAssertEqual(part[1], "application/dicom")
            XCTAssertEqual(part[2], Self.bodies[i].map { String(format: "%02x", $0) }.joined(), "part \(i)")
        }
    }
}
