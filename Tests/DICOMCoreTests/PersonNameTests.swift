import XCTest
@testable import DICOMCore

final class PersonNameTests: XCTestCase {
    func testParsesFiveComponents() {
        let name = PersonName(parsing: "Adams^John Robert Quincy^^Rev.^B.A. M.Div.")
        XCTAssertEqual(name.alphabetic.familyName, "Adams")
        XCTAssertEqual(name.alphabetic.givenName, "John Robert Quincy")
        XCTAssertEqual(name.alphabetic.middleName, "")
        XCTAssertEqual(name.alphabetic.namePrefix, "Rev.")
        XCTAssertEqual(name.alphabetic.nameSuffix, "B.A. M.Div.")
        XCTAssertTrue(name.ideographic.isEmpty)
        XCTAssertTrue(name.phonetic.isEmpty)
        XCTAssertEqual(name.formatted, "Adams^John Robert Quincy^^Rev.^B.A. M.Div.")
    }

    func testParsesThreeGroups() {
        // PS3.5 §6.2.1.2, example 1.
        let name = PersonName(parsing: "Yamada^Tarou=山田^太郎=やまだ^たろう")
        XCTAssertEqual(name.alphabetic, PersonName.ComponentGroup(familyName: "Yamada", givenName: "Tarou"))
        XCTAssertEqual(name.ideographic, PersonName.ComponentGroup(familyName: "山田", givenName: "太郎"))
        XCTAssertEqual(name.phonetic, PersonName.ComponentGroup(familyName: "やまだ", givenName: "たろう"))
        XCTAssertEqual(name.formatted, "Yamada^Tarou=山田^太郎=やまだ^たろう")
        XCTAssertEqual(name.groups.count, 3)
    }

    func testTrailingEmptyComponentsAndGroupsAreTrimmed() {
        XCTAssertEqual(PersonName(parsing: "Doe^John^^^").formatted, "Doe^John")
        XCTAssertEqual(PersonName(parsing: "Doe^John^^^==").formatted, "Doe^John")
        XCTAssertEqual(PersonName(parsing: "A^B==C^^").formatted, "A^B==C")
        XCTAssertEqual(PersonName(parsing: "=山田^太郎").formatted, "=山田^太郎")
        XCTAssertEqual(PersonName(parsing: "^Bob^^Dr.").formatted, "^Bob^^Dr.")
        XCTAssertEqual(PersonName(parsing: "^^^^").formatted, "")
        XCTAssertEqual(PersonName(parsing: "==").formatted, "")
        XCTAssertTrue(PersonName(parsing: "^^=^=").isEmpty)
        XCTAssertTrue(PersonName(parsing: "").isEmpty)
    }

    func testInternalEmptyGroupsAreKept() {
        let name = PersonName(parsing: "==やまだ^たろう")
        XCTAssertTrue(name.alphabetic.isEmpty)
        XCTAssertTrue(name.ideographic.isEmpty)
        XCTAssertEqual(name.phonetic.familyName, "やまだ")
        XCTAssertEqual(name.formatted, "==やまだ^たろう")
    }

    func testExtraDelimitersStayInTheLastPart() {
        let name = PersonName(parsing: "A^B^C^D^E^F=G=H=I")
        XCTAssertEqual(name.alphabetic.nameSuffix, "E^F")
        XCTAssertEqual(name.phonetic.familyName, "H=I")
        XCTAssertEqual(name.formatted, "A^B^C^D^E^F=G=H=I")
    }

    func testBuildsFromComponents() {
        let name = PersonName(alphabetic: .init(familyName: "Doe", givenName: "Jane", namePrefix: "Dr."))
        XCTAssertEqual(name.formatted, "Doe^Jane^^Dr.")
        XCTAssertEqual(name.description, "Doe^Jane^^Dr.")
        XCTAssertEqual(PersonName(parsing: name.formatted), name)
    }

    func testComponentGroupTextAsWritten() {
        XCTAssertEqual(PersonName.componentGroups(of: "A^B^^=C^^").map(String.init), ["A^B^^", "C^^"])
        XCTAssertEqual(PersonName.componentGroups(of: "").map(String.init), [""])
        XCTAssertEqual(PersonName.componentGroups(of: "A=B=C=D").map(String.init), ["A", "B", "C=D"])
        XCTAssertEqual(PersonName.joining(groups: ["A", "", "C"]), "A==C")
        XCTAssertEqual(PersonName.joining(groups: ["", "B", ""]), "=B")
        XCTAssertEqual(PersonName.joining(groups: ["", "", ""]), "")
        XCTAssertEqual(PersonName.joining(groups: [String]()), "")
    }
}
