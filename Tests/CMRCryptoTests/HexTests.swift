import XCTest
@testable import CMRCrypto

final class HexTests: XCTestCase {
    func testRoundTrip() throws {
        let all = (0...255).map { UInt8($0) }
        let text = Hex.encode(all)
        XCTAssertEqual(text.count, 512)
        XCTAssertTrue(text.hasPrefix("000102"))
        XCTAssertTrue(text.hasSuffix("fdfeff"))
        XCTAssertEqual(try Hex.decode(text), all)
        XCTAssertEqual(try Hex.decode(text.uppercased()), all)
        XCTAssertEqual(Hex.encode([]), "")
        XCTAssertEqual(try Hex.decode(""), [])
    }

    func testRejectsBadText() {
        XCTAssertThrowsError(try Hex.decode("abc")) { XCTAssertEqual($0 as? CryptoError, .invalidHex(offset: 3)) }
        XCTAssertThrowsError(try Hex.decode("0g")) { XCTAssertEqual($0 as? CryptoError, .invalidHex(offset: 1)) }
        XCTAssertThrowsError(try Hex.decode("x0")) { XCTAssertEqual($0 as? CryptoError, .invalidHex(offset: 0)) }
        XCTAssertThrowsError(try Hex.decode("00 1")) { XCTAssertEqual($0 as? CryptoError, .invalidHex(offset: 2)) }
    }
}
