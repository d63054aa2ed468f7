import XCTest
import Foundation
@testable import DICOMCoding
@testable import DICOMCore

/// Inputs that libFuzzer found (scripts/fuzz), kept as regression tests with the property that failed.
final class FuzzRegressionTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions")

    /// DICOM JSON that decodes must re-encode to a fixed point: encode(decode(encode(x))) == encode(x).
    func testDICOMJSONRoundTripIsAFixedPoint() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasPrefix("json-") }.sorted()
        XCTAssertFalse(files.isEmpty)
        for name in files {
            let bytes = Array(try Data(contentsOf: Self.folder.appendingPathComponent(name)))
            guard let list = try? DICOMJSON.decodeList(bytes) else { continue }
            for dataSet in list {
                let once = DICOMJSON.encode(dataSet)
                let again = try DICOMJSON.decode(once)
                let twice = DICOMJSON.encode(again)
                if twice != once {
                    let a = String(decoding: once, as: UTF8.self), b = String(decoding: twice, as: UTF8.self)
                    let i = zip(a, b).prefix { $0 == $1 }.count
                    XCTFail("\(name): differs at \(i): \(a.dropFirst(max(0, i - 60)).prefix(140)) vs \(b.dropFirst(max(0, i - 60)).prefix(140))")
                }
            }
        }
    }
}
