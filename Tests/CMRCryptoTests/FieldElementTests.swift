import XCTest
@testable import CMRCrypto

/// GF(2²⁵⁵ − 19) arithmetic in radix 2⁵¹.
final class FieldElementTests: XCTestCase {
    /// p, little-endian.
    let p = bytes(hex: "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")

    func element(_ value: UInt64) -> FieldElement {
        FieldElement(value, 0, 0, 0, 0)
    }

    func testEncodingRoundTripsAndReduces() {
        var generator = SplitMix64(seed: 1)
        for _ in 0..<200 {
            var encoding = generator.bytes(32)
            encoding[31] &= 0x7F
            guard FieldElement.isCanonical(encoding) else { continue }
            XCTAssertEqual(FieldElement(bytes: encoding).encoded, encoding)
        }
        // p + 5 ≡ 5, and p itself is zero.
        var pPlus5 = p
        pPlus5[0] += 5
        XCTAssertEqual(FieldElement(bytes: pPlus5).encoded, element(5).encoded)
        XCTAssertTrue(FieldElement(bytes: p).isZero)
        XCTAssertFalse(FieldElement.isCanonical(p))
        var pMinus1 = p
        pMinus1[0] -= 1
        XCTAssertTrue(FieldElement.isCanonical(pMinus1))
        XCTAssertEqual(FieldElement(bytes: pMinus1), -FieldElement.one)
    }

    func testConstants() {
        XCTAssertEqual(FieldElement.sqrtMinusOne.squared(), -FieldElement.one)
        XCTAssertEqual(FieldElement.d * element(121_666), -element(121_665))
        XCTAssertEqual(FieldElement.d + FieldElement.d, FieldElement.d2)
    }

    func testFieldLaws() {
        var generator = SplitMix64(seed: 2)
        func random() -> FieldElement {
            var encoding = generator.bytes(32)
            encoding[31] &= 0x7F
            return FieldElement(bytes: encoding)
        }
        for _ in 0..<100 {
            let a = random(), b = random(), c = random()
            XCTAssertEqual(a * a.inverted(), .one)
            XCTAssertEqual(a * (b + c), a * b + a * c)
            XCTAssertEqual((a - b) + b, a)
            XCTAssertEqual(a.squared(), a * a)
            XCTAssertEqual(a.squared(times: 3), a * a * a * a * a * a * a * a)
            XCTAssertEqual(-(-a), a)
            var selected = a
            selected.conditionalAssign(b, mask: 0)
            XCTAssertEqual(selected, a)
            selected.conditionalAssign(b, mask: ~0)
            XCTAssertEqual(selected, b)
        }
        XCTAssertTrue(FieldElement.zero.inverted().isZero)
    }

    /// Limbs at the top of the documented input bounds still multiply correctly.
    func testLooseLimbs() {
        let loose = FieldElement((1 << 54) - 1, (1 << 54) - 1, (1 << 54) - 1, (1 << 54) - 1, (1 << 54) - 1)
        let tight = FieldElement(bytes: loose.encoded)
        XCTAssertEqual(loose * loose, tight * tight)
        XCTAssertEqual(loose.squared(), tight.squared())
        XCTAssertEqual(loose - tight, .zero)
    }
}
