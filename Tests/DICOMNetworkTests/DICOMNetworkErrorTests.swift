import XCTest
@testable import DICOMNetwork

final class DICOMNetworkErrorTests: XCTestCase {
    func testDescriptionIsTheMessage() {
        XCTAssertEqual(DICOMNetworkError(.rejected, "PACS@10.0.0.5:104 rejected the association").description,
                       "PACS@10.0.0.5:104 rejected the association")
    }
}
