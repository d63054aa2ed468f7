import XCTest
@testable import CMRCrypto

/// Group operations on edwards25519.
final class EdwardsPointTests: XCTestCase {
    let order = bytes(hex: "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")

    func scalarBytes(_ value: UInt8) -> [UInt8] {
        [value] + [UInt8](repeating: 0, count: 31)
    }

    func testBasePoint() {
        XCTAssertEqual(
            Hex.encode(EdwardsPoint.base.encoded),
            "5866666666666666666666666666666666666666666666666666666666666666")
        XCTAssertTrue(EdwardsPoint.multiplyBase(scalarBytes(1)) == .base)
        XCTAssertTrue(EdwardsPoint.multiplyBase(scalarBytes(0)) == .identity)
        XCTAssertTrue(EdwardsPoint.multiplyBase(order) == .identity, "ℓ·B is the neutral element")
        XCTAssertEqual(EdwardsPoint.identity.encoded, scalarBytes(1))
    }

    func testSmallMultiplesAgree() {
        var sum = EdwardsPoint.identity
        for n in 0...40 {
            XCTAssertTrue(EdwardsPoint.multiplyBase(scalarBytes(UInt8(n))) == sum, "\(n)·B")
            XCTAssertEqual(EdwardsPoint(decoding: sum.encoded).map { $0 == sum }, true)
            sum = sum + EdwardsPoint.base
        }
        let four = EdwardsPoint.base.doubled().doubled()
        XCTAssertTrue(four == EdwardsPoint.multiplyBase(scalarBytes(4)))
        XCTAssertTrue(four - EdwardsPoint.base.projectiveNiels == EdwardsPoint.multiplyBase(scalarBytes(3)))
    }

    /// [a]([c]B) + [b]B = [a·c + b]B.
    func testDoubleScalarMultiplication() {
        var generator = SplitMix64(seed: 3)
        for _ in 0..<20 {
            let a = Scalar(reducing: generator.bytes(64))
            let b = Scalar(reducing: generator.bytes(64))
            let c = Scalar(reducing: generator.bytes(64))
            let point = EdwardsPoint.multiplyBase(c.encoded)
            let left = EdwardsPoint.multiplyAndAddBase(a.encoded, point, b.encoded)
            let right = EdwardsPoint.multiplyBase(Scalar.multiplyAdd(a, c, b).encoded)
            XCTAssertTrue(left == right)
            XCTAssertEqual(left.encoded, right.encoded)
        }
    }

    func testNonAdjacentFormSumsToTheScalar() {
        var generator = SplitMix64(seed: 5)
        for width in [2, 5, 8] {
            for _ in 0..<50 {
                var scalar = generator.bytes(32)
                scalar[31] &= 0x1F
                let digits = EdwardsPoint.nonAdjacentForm(scalar, width: width)
                // Rebuild the number from its digits, as little-endian bytes with signed carries.
                var total = [Int](repeating: 0, count: 33)
                for (position, digit) in digits.enumerated() where digit != 0 {
                    XCTAssertEqual(Int(digit) & 1, 1)
                    XCTAssertLessThan(abs(Int(digit)), 1 << (width - 1))
                    total[position / 8] += Int(digit) << (position % 8)
                }
                var carry = 0
                var rebuilt = [UInt8](repeating: 0, count: 32)
                for index in 0..<32 {
                    let value = total[index] + carry
                    rebuilt[index] = UInt8(truncatingIfNeeded: value)
                    carry = value >> 8
                }
                XCTAssertEqual(rebuilt, scalar, "width \(width)")
                XCTAssertEqual(carry + total[32], 0)
            }
        }
    }
}
