import XCTest
@testable import CMRCrypto

final class ConstantTimeTests: XCTestCase {
    func testEquals() {
        XCTAssertTrue(ConstantTime.equals([UInt8](), [UInt8]()))
        XCTAssertTrue(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(ConstantTime.equals([1, 2, 3], [1, 2]))
        XCTAssertFalse(ConstantTime.equals([0], [0x80]))
        XCTAssertTrue(ConstantTime.equals([UInt8](repeating: 0xFF, count: 100)[...], Array(repeating: 0xFF, count: 100)))
        for bit in 0..<8 {
            XCTAssertFalse(ConstantTime.equals([0, 0], [0, 1 << bit]), "bit \(bit)")
        }
    }
}
