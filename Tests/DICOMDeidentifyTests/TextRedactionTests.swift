import XCTest
@testable import DICOMDeidentify

final class TextRedactionTests: XCTestCase {
    func testTokensAreRedactedAtWordBoundariesWithoutRegardToCase() {
        let r = TextRedaction(tokens: [Array("SMITH".utf8), Array("Li".utf8)])
        let (out, changed) = r.redact(Array("CT for Smith; smithson; clinical; LI".utf8))
        XCTAssertTrue(changed)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "CT for *****; smithson; clinical; **")
    }

    func testLongerTokensGoFirstAndLengthIsKept() {
        let r = TextRedaction(tokens: [Array("JOHN".utf8), Array("JOHN SMITH".utf8)])
        let input = Array("seen by John Smith".utf8)
        let (out, _) = r.redact(input)
        XCTAssertEqual(out.count, input.count)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "seen by **********")
    }

    func testNothingToRedact() {
        let (out, changed) = TextRedaction(tokens: [Array("DOE".utf8)]).redact(Array("CHEST PA".utf8))
        XCTAssertFalse(changed)
        XCTAssertEqual(out, Array("CHEST PA".utf8))
    }

    func testLeakCheckFindsPatternsAnywhere() {
        let patterns = [LeakPattern(bytes: Array("DOE^JANE".utf8), source: "(0010,0010)"),
                        LeakPattern(bytes: Array("1.2.3.4".utf8), source: "(0008,0018)")]
        let found = LeakCheck.scan(Array("xxDOE^JANEyy".utf8), for: patterns)
        XCTAssertEqual(found.map(\.source), ["(0010,0010)"])
        XCTAssertEqual(LeakCheck.scan(Array("1.2.3.4".utf8), for: patterns).map(\.source), ["(0008,0018)"])
        XCTAssertEqual(LeakCheck.scan(Array("1.2.3".utf8), for: patterns), [])
        XCTAssertEqual(LeakCheck.scan([], for: patterns), [])
    }
}
