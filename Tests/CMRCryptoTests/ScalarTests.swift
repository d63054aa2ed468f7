import XCTest
@testable import CMRCrypto

/// Arithmetic modulo ℓ.
final class ScalarTests: XCTestCase {
    let order = bytes(hex: "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")

    func testReducingWideValues() {
        XCTAssertEqual(
            Hex.encode(Scalar(reducing: [UInt8](repeating: 0xFF, count: 64)).encoded),
            "000f9c44e31106a447938568a71b0ed065bef517d273ecce3d9a307c1b419903",
            "(2⁵¹² − 1) mod ℓ")
        XCTAssertEqual(Scalar(reducing: order + [UInt8](repeating: 0, count: 32)).encoded, [UInt8](repeating: 0, count: 32))
        var orderMinusOne = order
        orderMinusOne[0] -= 1
        XCTAssertEqual(Scalar(reducing: orderMinusOne + [UInt8](repeating: 0, count: 32)).encoded, orderMinusOne)
        let small = [UInt8](repeating: 0, count: 64)
        XCTAssertEqual(Scalar(reducing: small).encoded, [UInt8](repeating: 0, count: 32))
    }

    func testMultiplyAdd() {
        let a = Scalar(bytes: Array(0..<32))
        let b = Scalar(bytes: bytes(hex: "fcc5b77f9550d7aab986b1577ba27acc7375767778797a7b7c7d7e7f80818203"))
        let c = Scalar(bytes: bytes(hex: "d23259b65b62cdfe173e48eaa72ba5b3d7d9dadbdcdddedfe0e1e2e3e4e5e607"))
        XCTAssertEqual(
            Hex.encode(Scalar.multiplyAdd(a, b, c).encoded),
            "8e468d83287c7716d83a208ac81402b7694bf4839d84d74963108212e712870f")
    }

    func testAdditionWrapsAtTheOrder() {
        var orderMinusOne = order
        orderMinusOne[0] -= 1
        let one = Scalar(bytes: [1] + [UInt8](repeating: 0, count: 31))
        XCTAssertEqual((Scalar(bytes: orderMinusOne) + one).encoded, [UInt8](repeating: 0, count: 32))
        XCTAssertEqual((Scalar(bytes: orderMinusOne) + one + one).encoded, one.encoded)
    }
}
