import XCTest
import DICOMDictionary

final class ValueMultiplicityTests: XCTestCase {
    func testParsing() throws {
        let cases: [(String, Int, Int?, Int)] = [
            ("1", 1, 1, 1), ("16", 16, 16, 1), ("1-3", 1, 3, 1), ("1-n", 1, nil, 1), ("2-2n", 2, nil, 2),
            ("3-3n", 3, nil, 3), ("6-n", 6, nil, 1), ("1-N", 1, nil, 1), (" 1-n or 1 ", 1, nil, 1),
        ]
        for (text, min, max, step) in cases {
            let vm = try XCTUnwrap(ValueMultiplicity(parsing: text), text)
            XCTAssertEqual(vm, ValueMultiplicity(min: min, max: max, step: step), text)
        }
        for bad in ["", "n", "-1", "1-", "a", "3-1", "1-0n", "1 or", "or 1", "1-2-3", "1 2"] {
            XCTAssertNil(ValueMultiplicity(parsing: bad), bad)
        }
    }

    func testDescriptionRoundTrips() {
        for text in ["1", "2", "1-2", "1-99", "1-n", "2-2n", "3-3n", "6-n"] {
            XCTAssertEqual(ValueMultiplicity(parsing: text)?.description, text)
        }
        for e in DataDictionary.allEntries {
            XCTAssertEqual(ValueMultiplicity(parsing: e.vm.description), e.vm)
        }
    }

    func testAllows() throws {
        let one = ValueMultiplicity.one
        XCTAssertFalse(one.allows(0))
        XCTAssertTrue(one.allows(1))
        XCTAssertFalse(one.allows(2))
        let range = try XCTUnwrap(ValueMultiplicity(parsing: "1-3"))
        XCTAssertEqual((0...4).map(range.allows), [false, true, true, true, false])
        let pairs = try XCTUnwrap(ValueMultiplicity(parsing: "2-2n"))
        XCTAssertEqual((0...6).map(pairs.allows), [false, false, true, false, true, false, true])
        let triples = try XCTUnwrap(ValueMultiplicity(parsing: "3-3n"))
        XCTAssertEqual((0...9).filter(triples.allows), [3, 6, 9])
        XCTAssertTrue(ValueMultiplicity.oneOrMore.allows(10_000))
    }
}
