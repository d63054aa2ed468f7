import Compression
import Foundation
import XCTest

/// Cross-checks against CPython's zlib module (the reference zlib): its streams decode with our
/// inflater, and our streams decode with it. Skipped when python3 is missing, unless CI is set.
final class PythonZlibTests: XCTestCase {
    /// Inputs written as `<name>.bin` for the scripts.
    static func inputs() -> [(name: String, bytes: [UInt8])] {
        var records: [UInt8] = []
        for i in 0..<8000 {
            records += withUnsafeBytes(of: UInt32(i).littleEndian, Array.init)
            records += withUnsafeBytes(of: UInt16(i % 7).littleEndian, Array.init)
            records += Array("CT\0\0".utf8) + [UInt8(i % 251), 0]
        }
        return [
            ("empty", []),
            ("one-byte", [0x5A]),
            ("text", TestData.text(200_000, seed: 40)),
            ("random", TestData.random(70_000, seed: 41)),
            ("image16", TestData.image16(150_000, seed: 42)),
            ("zeros", [UInt8](repeating: 0, count: 100_000)),
            ("repeats", TestData.repeatedBlock(120_000, period: 20_000, seed: 43)),
            ("records", records),
            ("mixed", TestData.text(40_000, seed: 44) + TestData.random(30_000, seed: 45) + TestData.image16(40_000, seed: 46)),
        ]
    }

    func writeInputs(to directory: URL) throws -> [String: [UInt8]] {
        var byName: [String: [UInt8]] = [:]
        for (name, bytes) in Self.inputs() {
            try Data(bytes).write(to: directory.appendingPathComponent("\(name).bin"))
            byName[name] = bytes
        }
        return byName
    }

    /// Python compresses each input at levels 1, 6 and 9 in all three wrappers, with every
    /// strategy, and with a small window; we must decode each stream exactly, whole and streamed.
    func testInflatesPythonStreams() throws {
        _ = try Python.executable()
        let directory = try makeTemporaryDirectory(self)
        let originals = try writeInputs(to: directory)
        let script = """
            import os, sys, zlib
            d = sys.argv[1]
            def put(name, data): open(os.path.join(d, name), 'wb').write(data)
            for name in sorted(os.listdir(d)):
                if not name.endswith('.bin'):
                    continue
                base = name[:-4]
                data = open(os.path.join(d, name), 'rb').read()
                for level in (1, 6, 9):
                    for fmt, wbits in (('raw', -15), ('zlib', 15), ('gzip', 31)):
                        c = zlib.compressobj(level, zlib.DEFLATED, wbits)
                        put('%s.%d-%s.%s' % (base, level, 'default', fmt), c.compress(data) + c.flush())
                for strategy in ('FILTERED', 'HUFFMAN_ONLY', 'RLE', 'FIXED'):
                    if hasattr(zlib, 'Z_' + strategy):
                        c = zlib.compressobj(6, zlib.DEFLATED, -15, 9, getattr(zlib, 'Z_' + strategy))
                        put('%s.6-%s.raw' % (base, strategy), c.compress(data) + c.flush())
                c = zlib.compressobj(9, zlib.DEFLATED, -9, 1)
                put('%s.9-window512.raw' % base, c.compress(data) + c.flush())
                c = zlib.compressobj(6, zlib.DEFLATED, 15)
                half = len(data) // 2
                put('%s.6-syncflush.zlib' % base,
                    c.compress(data[:half]) + c.flush(zlib.Z_SYNC_FLUSH) + c.compress(data[half:]) + c.flush())
            print('ok')
            """
        XCTAssertEqual(try Python.run(script, arguments: [directory.path]).trimmingCharacters(in: .whitespacesAndNewlines), "ok")

        var checked = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
            let parts = name.split(separator: ".")
            guard parts.count == 3, parts[2] != "bin", let original = originals[String(parts[0])] else { continue }
            let format: CompressionFormat = parts[2] == "zlib" ? .zlib : parts[2] == "gzip" ? .gzip : .raw
            let stream = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
            let result = try Inflate.decompress(stream, format: format)
            XCTAssertEqual(result.output, original, name)
            XCTAssertEqual(result.consumedInputCount, stream.count, name)
            let streamed = try inflateInChunks(stream, format: format, chunkSizes: [997, 1, 13, 4096])
            XCTAssertEqual(streamed.output, original, "\(name) streamed")
            checked += 1
        }
        XCTAssertEqual(checked, Self.inputs().count * (9 + 4 + 2))
    }

    /// Python decompresses what we compress, at every level and in every wrapper, and our level-6
    /// output is within 15% of zlib's level-6 size.
    func testPythonInflatesOurStreams() throws {
        _ = try Python.executable()
        let directory = try makeTemporaryDirectory(self)
        let originals = try writeInputs(to: directory)
        var ourDefaultSizes: [String: Int] = [:]
        var written = 0
        for (name, bytes) in originals {
            for level in 0...9 {
                let formats: [CompressionFormat] = level == 1 || level == 6 ? [.raw, .zlib, .gzip] : [.raw]
                for format in formats {
                    let stream = Deflate.compress(bytes, format: format, level: CompressionLevel(level))
                    try Data(stream).write(to: directory.appendingPathComponent("\(name).\(level).\(format).ours"))
                    if level == 6 && format == .raw { ourDefaultSizes[name] = stream.count }
                    written += 1
                }
            }
            // Streamed in odd chunks, too.
            let deflater = Deflater(level: .default, format: .zlib)
            var stream: [UInt8] = []
            var offset = 0
            while offset < bytes.count {
                let n = min(7777, bytes.count - offset)
                bytes[offset..<(offset + n)].withUnsafeBytes { chunk in
                    deflater.process(chunk) { stream.append(contentsOf: $0) }
                }
                offset += n
            }
            deflater.finish { stream.append(contentsOf: $0) }
            try Data(stream).write(to: directory.appendingPathComponent("\(name).6s.zlib.ours"))
            written += 1
        }
        let script = """
            import os, sys, zlib
            d = sys.argv[1]
            checked = 0
            for name in sorted(os.listdir(d)):
                if not name.endswith('.ours'):
                    continue
                base, level, fmt, _ = name.split('.')
                original = open(os.path.join(d, base + '.bin'), 'rb').read()
                wbits = {'raw': -15, 'zlib': 15, 'gzip': 31}[fmt]
                o = zlib.decompressobj(wbits)
                try:
                    out = o.decompress(open(os.path.join(d, name), 'rb').read()) + o.flush()
                except zlib.error as e:
                    print('FAIL', name, e)
                    continue
                if out != original:
                    print('FAIL', name, 'decodes to different bytes')
                elif not o.eof or o.unused_data:
                    print('FAIL', name, 'stream end wrong')
                checked += 1
            for name in sorted(os.listdir(d)):
                if name.endswith('.bin'):
                    data = open(os.path.join(d, name), 'rb').read()
                    c = zlib.compressobj(6, zlib.DEFLATED, -15)
                    print('SIZE', name[:-4], len(c.compress(data) + c.flush()))
            print('CHECKED', checked)
            """
        let report = try Python.run(script, arguments: [directory.path])
        var checked = 0
        for line in report.split(separator: "\n") {
            let fields = line.split(separator: " ")
            switch fields.first {
            case "FAIL":
                XCTFail(String(line))
            case "SIZE":
                let name = String(fields[1])
                let theirs = Int(fields[2])!
                let ours = ourDefaultSizes[name]!
                XCTAssertLessThanOrEqual(Double(ours), Double(theirs) * 1.15 + 16, "\(name): ours \(ours), zlib \(theirs)")
            case "CHECKED":
                checked = Int(fields[1])!
            default:
                XCTFail("unexpected: \(line)")
            }
        }
        XCTAssertEqual(checked, written)
    }
}
