import XCTest
@testable import CMRCrypto

final class SecureRandomTests: XCTestCase {
    func testCountsAndVariety() throws {
        XCTAssertEqual(try SecureRandom.bytes(count: 0), [])
        for count in [1, 32, 255, 256, 257, 1000, 70_000] {
            XCTAssertEqual(try SecureRandom.bytes(count: count).count, count)
        }
        // 1000 bytes that are all one value, or two draws that agree, would be a broken source.
        let first = try SecureRandom.bytes(count: 1000)
        let second = try SecureRandom.bytes(count: 1000)
        XCTAssertNotEqual(first, second)
        XCTAssertGreaterThan(Set(first).count, 200)
    }

    func testDeviceFallback() throws {
        var buffer = [UInt8](repeating: 0, count: 5000)
        try buffer.withUnsafeMutableBytes { try SecureRandom.fillFromDevice($0) }
        XCTAssertGreaterThan(Set(buffer).count, 200)
    }
}
