import Compression
import Foundation
import XCTest

/// A small, fast, seedable generator (SplitMix64) so test data is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Synthetic inputs of the kinds a DICOM toolbox compresses.
enum TestData {
    /// Incompressible bytes.
    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var bytes = [UInt8](repeating: 0, count: count)
        var i = 0
        while i < count {
            var word = rng.next()
            for _ in 0..<8 where i < count {
                bytes[i] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                i += 1
            }
        }
        return bytes
    }

    /// English-like text: words from a small vocabulary with punctuation and numbers.
    static func text(_ count: Int, seed: UInt64) -> [UInt8] {
        let words = [
            "the", "patient", "study", "series", "image", "of", "and", "a", "to", "in", "with",
            "contrast", "axial", "slice", "thickness", "mm", "reconstruction", "kernel", "is",
            "DICOM", "tag", "value", "representation", "sequence", "item", "private", "creator",
            "window", "center", "width", "pixel", "spacing", "modality", "CT", "MR", "report",
        ]
        var rng = SplitMix64(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(count + 32)
        while out.count < count {
            let r = rng.next()
            out.append(contentsOf: words[Int(r % UInt64(words.count))].utf8)
            switch (r >> 32) % 16 {
            case 0: out.append(contentsOf: ". ".utf8)
            case 1: out.append(contentsOf: ", ".utf8)
            case 2: out.append(contentsOf: " \((r >> 40) % 1000) ".utf8)
            case 3: out.append(0x0A)
            default: out.append(0x20)
            }
        }
        return Array(out.prefix(count))
    }

    /// 16-bit little-endian samples of a smooth image with noise, like CT pixel data.
    static func image16(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var out = [UInt8](repeating: 0, count: count)
        var i = 0
        var x = 0
        while i + 1 < count {
            let base = 1000 + 400 * ((x / 64) % 5) + (x % 512) / 4
            let sample = UInt16(clamping: base + Int(rng.next() % 9) - 4)
            out[i] = UInt8(truncatingIfNeeded: sample)
            out[i + 1] = UInt8(truncatingIfNeeded: sample >> 8)
            i += 2
            x += 1
        }
        return out
    }

    /// A random block repeated, with occasional changed bytes: matches at long distances.
    static func repeatedBlock(_ count: Int, period: Int, seed: UInt64) -> [UInt8] {
        let block = random(period, seed: seed)
        var rng = SplitMix64(seed: seed ^ 0xABCD)
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            out[i] = rng.next() % 97 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : block[i % period]
        }
        return out
    }
}

/// The stable name of a ``CompressionError`` case, as the vector file spells it.
func caseName(_ error: CompressionError) -> String {
    switch error {
    case .invalidHeader: return "invalidHeader"
    case .presetDictionaryUnsupported: return "presetDictionaryUnsupported"
    case .invalidBlockType: return "invalidBlockType"
    case .invalidStoredLength: return "invalidStoredLength"
    case .invalidCodeLengths: return "invalidCodeLengths"
    case .invalidSymbol: return "invalidSymbol"
    case .distanceTooFarBack: return "distanceTooFarBack"
    case .truncatedInput: return "truncatedInput"
    case .adler32Mismatch: return "adler32Mismatch"
    case .crc32Mismatch: return "crc32Mismatch"
    case .lengthMismatch: return "lengthMismatch"
    case .outputLimitExceeded: return "outputLimitExceeded"
    }
}

/// The case name of a ``CompressionError``, or a description of any other error.
func errorName(_ error: any Error) -> String {
    (error as? CompressionError).map(caseName) ?? "\(error)"
}

/// Decodes `input` by feeding it in chunks whose sizes cycle through `chunkSizes`, then
/// checks the stream is complete. Returns the output and the bytes of `input` consumed.
func inflateInChunks(
    _ input: [UInt8], format: CompressionFormat, chunkSizes: [Int], maximumOutputSize: Int? = nil
) throws -> (output: [UInt8], consumed: Int) {
    let inflater = Inflater(format: format, maximumOutputSize: maximumOutputSize)
    var output: [UInt8] = []
    var offset = 0
    var consumed = 0
    var turn = 0
    while offset < input.count && !inflater.isFinished {
        let n = min(chunkSizes[turn % chunkSizes.count], input.count - offset)
        turn += 1
        consumed += try input[offset..<(offset + n)].withUnsafeBytes { bytes in
            try inflater.process(bytes) { output.append(contentsOf: $0) }
        }
        offset += n
    }
    try inflater.finish()
    return (output, consumed)
}

extension [UInt8] {
    init(hex: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: continue
            }
            if let h = high {
                bytes.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        self = bytes
    }
}

/// The vectors in `Vectors/inflate-vectors.json` (written by `Vectors/generate.py`).
struct InflateVector: Decodable {
    var name: String
    var format: String
    var input: String
    var output: String?
    var outputLength: Int?
    var outputCRC32: String?
    var error: String?

    var compressionFormat: CompressionFormat {
        switch format {
        case "zlib": return .zlib
        case "gzip": return .gzip
        default: return .raw
        }
    }

    var inputBytes: [UInt8] { [UInt8](hex: input) }

    static func load(filePath: String = #filePath) throws -> [InflateVector] {
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
            .appendingPathComponent("Vectors/inflate-vectors.json")
        return try JSONDecoder().decode([InflateVector].self, from: Data(contentsOf: url))
    }

    /// Fails the test unless `output` is what the vector says the stream decodes to.
    func check(_ output: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        if let expected = self.output {
            XCTAssertEqual(output, [UInt8](hex: expected), name, file: file, line: line)
        }
        if let length = outputLength {
            XCTAssertEqual(output.count, length, name, file: file, line: line)
        }
        if let crc = outputCRC32 {
            XCTAssertEqual(CRC32.checksum(output), UInt32(crc, radix: 16), name, file: file, line: line)
        }
    }
}

/// Runs python3 scripts for cross-checks against CPython's zlib.
enum Python {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "python3 is required when CI is set, but it is not on PATH" }
    }

    struct Failed: Error, CustomStringConvertible {
        var status: Int32
        var output: String
        var description: String { "python3 exited with \(status): \(output)" }
    }

    /// The python3 executable; skips the test if there is none, or fails it when CI is set.
    static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        if ProcessInfo.processInfo.environment["CI"] != nil { throw Missing() }
        throw XCTSkip("python3 not found on PATH")
    }

    /// Runs `script` with `arguments`; returns what it printed (stdout and stderr together).
    static func run(_ script: String, arguments: [String] = []) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = ["-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw Failed(status: process.terminationStatus, output: output) }
        return output
    }
}

/// A fresh temporary directory, removed by the test's teardown.
func makeTemporaryDirectory(_ testCase: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("cmr-compression-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}
