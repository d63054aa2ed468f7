import Foundation
import XCTest
import DICOMCore
import DICOMCoding
@testable import DICOMweb

/// The STOW body produced while it is sent: the same bytes as `MultipartWriter` whatever the
/// reader's buffer size, and every way it must stop instead of sending a wrong body.
final class MultipartFileStreamTests: XCTestCase {
    private func folder() throws -> String {
        let d = NSTemporaryDirectory() + "cmr-mfs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
        return d
    }

    private func write(_ dir: String, _ name: String, _ bytes: [UInt8]) -> String {
        let p = dir + "/" + name
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    private func drain(_ s: MultipartFileStream, step: Int) -> (bytes: [UInt8], status: Int) {
        s.open()
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: step)
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { s.read($0.baseAddress!, maxLength: step) }
            if n <= 0 { return (out, n) }
            out += buffer[0..<n]
        }
    }

    func testSameBytesAsTheWriterAtEveryBufferSize() throws {
        let dir = try folder()
        var rng = SystemRandomNumberGenerator()
        let sizes = [0, 1, 130, 70_000, 5]
        let paths = sizes.enumerated().map { i, n in write(dir, "f\(i)", (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        var w = MultipartWriter(boundary: "cmr-test-b", sink: MemorySink())
        for p in paths { try w.writePart(headers: [.init("Content-Type", "application/dicom")], file: p) }
        let expected = try w.close().bytes
        let mapped = try MappedFile.open(paths[3])
        for step in [1, 2, 7, 64, 4096, 65536, 1 << 20] {
            let s = MultipartFileStream(files: paths.enumerated().map { ($1, $0 == 3 ? mapped : nil) }, boundary: "cmr-test-b")
            XCTAssertEqual(s.length, expected.count)
            let (bytes, status) = drain(s, step: step)
            XCTAssertEqual(status, 0, "step \(step)")
            XCTAssertEqual(bytes, expected, "step \(step)")
            XCTAssertEqual(s.streamStatus, .atEnd)
            XCTAssertFalse(s.hasBytesAvailable)
            XCTAssertEqual(s.contentType, w.contentType())
        }
        // No file: just the close delimiter, as the writer.
        var empty = MultipartWriter(boundary: "cmr-test-b", sink: MemorySink())
        XCTAssertEqual(drain(MultipartFileStream(files: [], boundary: "cmr-test-b"), step: 100).bytes, try empty.close().bytes)
    }

    func testBoundaryInsideAFileStopsTheStream() throws {
        let dir = try folder()
        let clean = write(dir, "a", Array("plain data".utf8))
        // The delimiter split across reads, and right at the start of the data (after the header CRLF).
        for (name, content) in [("mid", "xx\r\n--B-1yy"), ("start", "--B-1 at once")] {
            let bad = write(dir, name, Array(content.utf8))
            for step in [1, 3, 4096] {
                let s = MultipartFileStream(files: [(clean, nil), (bad, nil)], boundary: "B-1")
                let (_, status) = drain(s, step: step)
                XCTAssertEqual(status, -1, "\(name) step \(step)")
                XCTAssertEqual(s.failure, .boundaryInData(path: bad))
                XCTAssertEqual(s.streamStatus, .error)
                XCTAssertTrue(s.hasBytesAvailable, "the transport must read the -1, not take the body as complete")
                var b: UInt8 = 0
                XCTAssertEqual(s.read(&b, maxLength: 1), -1)
            }
        }
        // Boundary-like bytes that are not the delimiter pass.
        let near = write(dir, "near", Array("\r\n--B-\r\n-B-1--B-1".utf8))
        XCTAssertEqual(drain(MultipartFileStream(files: [(near, nil)], boundary: "B-1"), step: 2).status, 0)
    }

    func testMissingFileIsLeftOutAndAFileThatChangesSizeFails() throws {
        let dir = try folder()
        let a = write(dir, "a", [1, 2, 3])
        let s = MultipartFileStream(files: [(dir + "/gone", nil), (a, nil), (dir, nil)], boundary: "b")
        XCTAssertEqual(s.failedToOpen.map(\.path), [dir + "/gone", dir])
        XCTAssertEqual(s.sentPaths, [a])
        XCTAssertEqual(drain(s, step: 10).bytes, Array("--b\r\nContent-Type: application/dicom\r\n\r\n\u{1}\u{2}\u{3}\r\n--b--\r\n".utf8))

        let grows = write(dir, "grows", [UInt8](repeating: 7, count: 100))
        let g = MultipartFileStream(files: [(grows, nil)], boundary: "b")
        g.open()
        var buffer = [UInt8](repeating: 0, count: 50)
        XCTAssertEqual(g.read(&buffer, maxLength: 50), 50)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: grows))
        h.seekToEndOfFile(); h.write(Data([1, 2, 3])); h.closeFile()
        var status = 1
        while status > 0 { status = g.read(&buffer, maxLength: 50) }
        XCTAssertEqual(status, -1)
        guard case .read(let p, let reason)? = g.failure else { return XCTFail("\(String(describing: g.failure))") }
        XCTAssertEqual(p, grows)
        XCTAssertTrue(reason.contains("changed size"), reason)

        let shrinks = write(dir, "shrinks", [UInt8](repeating: 7, count: 100))
        let k = MultipartFileStream(files: [(shrinks, nil)], boundary: "b")
        k.open()
        XCTAssertEqual(k.read(&buffer, maxLength: 50), 50)
        truncate(shrinks, 10)
        status = 1
        while status > 0 { status = k.read(&buffer, maxLength: 50) }
        XCTAssertEqual(status, -1)
        XCTAssertNotNil(k.failure)
    }
}
