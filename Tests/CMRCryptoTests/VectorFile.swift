import Foundation
import XCTest
@testable import CMRCrypto

/// Reads the JSON test vectors in `Vectors/` beside this file.
enum VectorFile {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Vectors")

    /// The `vectors` array of the named file.
    static func load<Vector: Decodable>(_ name: String, as type: Vector.Type) throws -> [Vector] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONDecoder().decode(Contents<Vector>.self, from: data).vectors
    }

    /// A vector file: where its values come from, and the values.
    struct Contents<Vector: Decodable>: Decodable {
        let source: String
        let vectors: [Vector]
    }
}

/// Bytes of hexadecimal text written in a test, which must be valid.
func bytes(hex: String, file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
    do {
        return try Hex.decode(hex)
    } catch {
        XCTFail("bad hex in test data: \(error)", file: file, line: line)
        return []
    }
}

