import XCTest
@testable import DICOMDeidentify

final class DateShiftTests: XCTestCase {
    func testDAShiftsAcrossMonthsYearsAndLeapDays() {
        XCTAssertEqual(DateShift.shiftDA("20240301", days: -1), "20240229")
        XCTAssertEqual(DateShift.shiftDA("20230301", days: -1), "20230228")
        XCTAssertEqual(DateShift.shiftDA("20000101", days: -1), "19991231")
        XCTAssertEqual(DateShift.shiftDA("19000301", days: -1), "19000228")   // 1900 is not a leap year
        XCTAssertEqual(DateShift.shiftDA("20240115", days: -364), "20230116")
        XCTAssertEqual(DateShift.shiftDA("19700101", days: 0), "19700101")
    }

    func testIntervalsAreKept() {
        let a = DateShift.daysFromCivil(2021, 3, 14), b = DateShift.daysFromCivil(2024, 2, 29)
        let sa = DateShift.shiftDA("20210314", days: -1001)!, sb = DateShift.shiftDA("20240229", days: -1001)!
        func days(_ s: String) -> Int {
            let d = Array(s.utf8).map { Int($0) - 48 }
            return DateShift.daysFromCivil(d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3], d[4] * 10 + d[5], d[6] * 10 + d[7])
        }
        XCTAssertEqual(days(sb) - days(sa), b - a)
    }

    func testACRNEMAFormAndRanges() {
        XCTAssertEqual(DateShift.shiftDA("2024.03.01", days: -1), "20240229")
        XCTAssertEqual(DateShift.shiftDA("20240101-20240301", days: -7), "20231225-20240223")
        XCTAssertEqual(DateShift.shiftDA("-20240301", days: -1), "-20240229")
    }

    func testInvalidDatesAreRefused() {
        XCTAssertNil(DateShift.shiftDA("20240230", days: 1))
        XCTAssertNil(DateShift.shiftDA("2024", days: 1))
        XCTAssertNil(DateShift.shiftDA("UNKNOWN!", days: 1))
    }

    func testDTKeepsTimeOffsetAndPrecision() {
        XCTAssertEqual(DateShift.shiftDT("20240301123456.789+0100", days: -1), "20240229123456.789+0100")
        XCTAssertEqual(DateShift.shiftDT("202403", days: -31), "202401")
        XCTAssertEqual(DateShift.shiftDT("2024", days: -1), "2023")
        XCTAssertNil(DateShift.shiftDT("20X4", days: 1))
    }

    func testCivilRoundTripOverFourCenturies() {
        for day in stride(from: -150_000, through: 150_000, by: 37) {
            let (y, m, d) = DateShift.civilFromDays(day)
            XCTAssertEqual(DateShift.daysFromCivil(y, m, d), day)
        }
    }
}
