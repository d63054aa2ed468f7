import XCTest
@testable import DICOMDeidentify

final class PseudonymKeyTests: XCTestCase {
    let key = PseudonymKey(secret: Array(repeating: 7, count: 32))!

    func testShortKeysAreRefused() {
        XCTAssertNil(PseudonymKey(secret: Array(repeating: 1, count: 31)))
    }

    func testUIDsAre225UUIDsDerivedDeterministically() {
        let a = key.uid(for: "1.2.3.4")
        XCTAssertEqual(a, key.uid(for: "1.2.3.4"))
        XCTAssertNotEqual(a, key.uid(for: "1.2.3.5"))
        XCTAssertNotEqual(a, PseudonymKey(secret: Array(repeating: 8, count: 32))!.uid(for: "1.2.3.4"))
        XCTAssertTrue(a.hasPrefix("2.25."))
        XCTAssertLessThanOrEqual(a.count, 64)
        let digits = a.dropFirst(5)
        XCTAssertTrue(digits.allSatisfy(\.isNumber))
        XCTAssertFalse(digits.hasPrefix("0"))
    }

    func testUIDCarriesUUIDVersion8AndVariantBits() throws {
        // Parse the decimal back to 128 bits and check the RFC 9562 version and variant fields.
        let digits = key.uid(for: "1.2.840.113619.2.55.3").dropFirst(5)
        var high: UInt64 = 0, low: UInt64 = 0
        for d in digits {
            let v = UInt64(d.wholeNumberValue!)
            // (high, low) = (high, low) * 10 + v
            let lowProduct = low.multipliedFullWidth(by: 10)
            let (newLow, carry) = lowProduct.low.addingReportingOverflow(v)
            low = newLow
            high = high &* 10 &+ lowProduct.high &+ (carry ? 1 : 0)
        }
        XCTAssertEqual((high >> 12) & 0xF, 8, "version nibble")
        XCTAssertEqual(low >> 62, 0b10, "variant bits")
    }

    func testDecimalOf128BitValues() {
        XCTAssertEqual(PseudonymKey.decimal(high: 0, low: 0), "0")
        XCTAssertEqual(PseudonymKey.decimal(high: 0, low: 12345), "12345")
        XCTAssertEqual(PseudonymKey.decimal(high: 1, low: 0), "18446744073709551616")
        XCTAssertEqual(PseudonymKey.decimal(high: .max, low: .max), "340282366920938463463374607431768211455")
    }

    func testBase32MatchesRFC4648Vectors() {
        XCTAssertEqual(PseudonymKey.base32(Array("f".utf8)), "MY")
        XCTAssertEqual(PseudonymKey.base32(Array("fooba".utf8)), "MZXW6YTB")
        XCTAssertEqual(PseudonymKey.base32(Array("foobar".utf8)), "MZXW6YTBOI")
    }

    func testPatientPseudonymAndShiftDependOnIssuerAndID() {
        let p = PatientIdentity(issuer: "HOSP", patientID: "12345")
        let q = PatientIdentity(issuer: "OTHER", patientID: "12345")
        XCTAssertEqual(key.patientPseudonym(of: p), key.patientPseudonym(of: p))
        XCTAssertNotEqual(key.patientPseudonym(of: p), key.patientPseudonym(of: q))
        XCTAssertEqual(key.patientPseudonym(of: p).count, 20)
        let shift = key.dateShiftDays(of: p)
        XCTAssertEqual(shift % 7, 0)
        XCTAssertTrue((-3640 ... -7).contains(shift))
    }

    func testPatientWithoutIDFallsBackToStudy() {
        let a = PatientIdentity(issuer: "", patientID: "", fallbackStudyUID: "1.2.3")
        let b = PatientIdentity(issuer: "", patientID: "", fallbackStudyUID: "1.2.4")
        XCTAssertNotEqual(key.patientPseudonym(of: a), key.patientPseudonym(of: b))
        XCTAssertNil(PatientIdentity(issuer: "", patientID: "X", fallbackStudyUID: "1.2.3").fallbackStudyUID)
    }

    func testFingerprintNamesTheKeyWithoutRevealingIt() {
        XCTAssertEqual(key.fingerprint.count, 16)
        XCTAssertNotEqual(key.fingerprint, PseudonymKey(secret: Array(repeating: 8, count: 32))!.fingerprint)
    }
}
