import XCTest
@testable import DICOMweb

final class DICOMwebErrorTests: XCTestCase {
    func testStatusIsKept() {
        let e = DICOMwebError(.httpStatus(503), "https://archive/dicomweb/studies: 503")
        XCTAssertEqual(e.kind, .httpStatus(503))
        XCTAssertEqual(e.description, "https://archive/dicomweb/studies: 503")
    }
}
