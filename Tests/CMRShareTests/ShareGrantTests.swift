import XCTest
@testable import CMRShare

final class ShareGrantTests: XCTestCase {
    func testSeriesCoverage() {
        var g = ShareGrant(id: "00", issuer: "site", recipient: "a@b", studyUID: "1.2", scope: .view,
                           notBefore: Date(timeIntervalSince1970: 0), expires: Date(timeIntervalSince1970: 10), mode: "deidentified")
        XCTAssertTrue(g.covers(series: "1.2.3"))
        g.seriesUIDs = ["1.2.4"]
        XCTAssertFalse(g.covers(series: "1.2.3"))
        XCTAssertTrue(g.covers(series: "1.2.4"))
        XCTAssertEqual(GrantRefusal.usesExhausted(3).reason, "uses-exhausted")
    }
}
