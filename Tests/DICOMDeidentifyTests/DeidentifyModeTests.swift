import XCTest
@testable import DICOMDeidentify

final class DeidentifyModeTests: XCTestCase {
    func testModesAreTheFourOfTheDesign() {
        XCTAssertEqual(DeidentifyMode.allCases.map(\.rawValue), ["identified", "pseudonymous", "deidentified", "anonymous"])
    }
}
