import Foundation
import XCTest
@testable import CMRCrypto

/// Random inputs checked against Python's hashlib, hmac and the `cryptography` package
/// (`Python/crosscheck.py`). Skipped when python3 is absent, unless the CI environment variable
/// is set, in which case a missing python3 fails the test.
final class PythonCrossCheckTests: XCTestCase {
    struct Case: Codable {
        var message: String
        var hmacKey: String
        var hkdfInputKeyMaterial: String
        var hkdfSalt: String
        var hkdfInfo: String
        var hkdfLength: Int
        var seed: String
        var swiftPublicKey: String
        var swiftSignature: String
        var wideScalar: String
    }

    struct Request: Encodable {
        let cases: [Case]
        let generate: Int
    }

    struct Answer: Decodable {
        let sha256: String
        let sha512: String
        let hmacSHA256: String
        let hmacSHA512: String
        let hkdf: String
        let publicKey: String
        let signature: String
        let swiftSignatureValid: Bool
        let reducedScalar: String
    }

    struct Generated: Decodable {
        let seed: String
        let message: String
        let publicKey: String
        let signature: String
    }

    struct Response: Decodable {
        let results: [Answer]
        let generated: [Generated]
    }

    static let caseCount = 50
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Python/crosscheck.py")

    func testAgainstPython() throws {
        guard let python = try pythonOrSkip() else { return }
        let seed = ProcessInfo.processInfo.environment["CMR_CRYPTO_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        var generator = SplitMix64(seed: seed)
        let context = "seed \(seed) (rerun with CMR_CRYPTO_SEED=\(seed))"

        // Lengths at the block edges of both hashes, then random ones.
        let edgeLengths = [0, 1, 55, 56, 63, 64, 65, 111, 112, 119, 127, 128, 129, 255, 256, 1000]
        var cases: [Case] = []
        for index in 0..<Self.caseCount {
            let length = index < edgeLengths.count ? edgeLengths[index] : Int(generator.next() % 3000)
            let message = generator.bytes(length)
            let seedBytes = generator.bytes(32)
            let key = try Ed25519.PrivateKey(seed: seedBytes)
            cases.append(Case(
                message: Hex.encode(message),
                hmacKey: Hex.encode(generator.bytes(Int(generator.next() % 300))),
                hkdfInputKeyMaterial: Hex.encode(generator.bytes(Int(generator.next() % 100))),
                hkdfSalt: Hex.encode(generator.bytes(Int(generator.next() % 100))),
                hkdfInfo: Hex.encode(generator.bytes(Int(generator.next() % 100))),
                hkdfLength: index == 0 ? 255 * 32 : 1 + Int(generator.next() % 600),
                seed: Hex.encode(seedBytes),
                swiftPublicKey: Hex.encode(key.publicKey.rawRepresentation),
                swiftSignature: Hex.encode(key.signature(for: message)),
                wideScalar: Hex.encode(index == 1 ? [UInt8](repeating: 0xFF, count: 64) : generator.bytes(64))))
        }

        let response = try run(python, Request(cases: cases, generate: Self.caseCount))
        XCTAssertEqual(response.results.count, cases.count)
        for (index, (input, answer)) in zip(cases, response.results).enumerated() {
            let label = "case \(index), \(context)"
            let message = try Hex.decode(input.message)
            let hmacKey = try Hex.decode(input.hmacKey)
            XCTAssertEqual(Hex.encode(SHA256.hash(message)), answer.sha256, label)
            XCTAssertEqual(Hex.encode(SHA512.hash(message)), answer.sha512, label)
            XCTAssertEqual(Hex.encode(HMAC<SHA256>.authenticationCode(for: message, key: hmacKey)), answer.hmacSHA256, label)
            XCTAssertEqual(Hex.encode(HMAC<SHA512>.authenticationCode(for: message, key: hmacKey)), answer.hmacSHA512, label)
            let okm = try HKDF<SHA256>.derive(
                inputKeyMaterial: Hex.decode(input.hkdfInputKeyMaterial),
                salt: Hex.decode(input.hkdfSalt),
                info: Hex.decode(input.hkdfInfo),
                outputByteCount: input.hkdfLength)
            XCTAssertEqual(Hex.encode(okm), answer.hkdf, label)
            XCTAssertEqual(input.swiftPublicKey, answer.publicKey, label)
            XCTAssertEqual(input.swiftSignature, answer.signature, label)
            XCTAssertTrue(answer.swiftSignatureValid, "cryptography rejected a Swift signature, \(label)")
            XCTAssertEqual(Hex.encode(Scalar(reducing: try Hex.decode(input.wideScalar)).encoded), answer.reducedScalar, label)
        }

        XCTAssertEqual(response.generated.count, Self.caseCount)
        for (index, generated) in response.generated.enumerated() {
            let label = "Python-made case \(index)"
            let message = try Hex.decode(generated.message)
            let signature = try Hex.decode(generated.signature)
            let key = try Ed25519.PrivateKey(seed: Hex.decode(generated.seed))
            XCTAssertEqual(Hex.encode(key.publicKey.rawRepresentation), generated.publicKey, label)
            XCTAssertEqual(Hex.encode(key.signature(for: message)), generated.signature, label)
            let publicKey = try Ed25519.PublicKey(rawRepresentation: Hex.decode(generated.publicKey))
            XCTAssertTrue(publicKey.isValidSignature(signature, for: message), label)
            XCTAssertFalse(publicKey.isValidSignature(signature, for: message + [0]), label)
        }
    }

    /// The path of python3 on PATH; nil (after failing) or a skip when there is none.
    private func pythonOrSkip() throws -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("python3")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        if ProcessInfo.processInfo.environment["CI"] != nil {
            XCTFail("python3 is not on PATH, and CI is set: the cross-check cannot be skipped")
            return nil
        }
        throw XCTSkip("python3 is not on PATH")
    }

    /// Runs the script on `request` and decodes its answer.
    private func run(_ python: URL, _ request: Request) throws -> Response {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cmr-crypto-crosscheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let requestFile = directory.appendingPathComponent("request.json")
        let outputFile = directory.appendingPathComponent("response.json")
        let errorFile = directory.appendingPathComponent("stderr.txt")
        try JSONEncoder().encode(request).write(to: requestFile)
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputFile)
        let standardError = try FileHandle(forWritingTo: errorFile)
        defer {
            try? output.close()
            try? standardError.close()
        }

        let process = Process()
        process.executableURL = python
        process.arguments = [Self.script.path, requestFile.path]
        process.standardOutput = output
        process.standardError = standardError
        try process.run()
        process.waitUntilExit()
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            XCTFail("crosscheck.py exited with \(process.terminationStatus) (is the cryptography package installed?):\n\(errors)")
            throw CocoaError(.executableLoad)
        }
        return try JSONDecoder().decode(Response.self, from: Data(contentsOf: outputFile))
    }
}
