import XCTest
@testable import CMRCLI

final class SuggestionsTests: XCTestCase {
    private func distance(_ a: String, _ b: String) -> Int {
        Suggestions.damerauLevenshtein(Array(a), Array(b))
    }

    func testDistances() {
        XCTAssertEqual(distance("", ""), 0)
        XCTAssertEqual(distance("", "abc"), 3)
        XCTAssertEqual(distance("abc", ""), 3)
        XCTAssertEqual(distance("json", "json"), 0)
        XCTAssertEqual(distance("jsn", "json"), 1)
        XCTAssertEqual(distance("kitten", "sitting"), 3)
        XCTAssertEqual(distance("inpsect", "inspect"), 1)
        // Unrestricted Damerau–Levenshtein: an edit between transposed letters is allowed
        // (optimal string alignment would give 3).
        XCTAssertEqual(distance("ca", "abc"), 2)
    }

    func testClosest() {
        let options = ["--json", "--summary", "--validate", "--tag", "--recursive", "--no-recursive"]
        XCTAssertEqual(Suggestions.closest(to: "--jsno", among: options), ["--json"])
        XCTAssertEqual(Suggestions.closest(to: "--sum", among: options), ["--summary"])
        XCTAssertEqual(Suggestions.closest(to: "--xyzzy", among: options), [])
        XCTAssertEqual(Suggestions.closest(to: "--TAG", among: options), ["--tag"])
        XCTAssertEqual(Suggestions.closest(to: "bsh", among: ["bash", "zsh", "fish"]), ["bash", "zsh"])
        // Short words allow one edit only.
        XCTAssertEqual(Suggestions.closest(to: "ab", among: ["xy"]), [])
    }

    func testHintWording() {
        XCTAssertEqual(Suggestions.hint(for: "--jsn", among: ["--json"]), "did you mean '--json'?")
        XCTAssertEqual(Suggestions.hint(for: "bsh", among: ["bash", "zsh", "fish"]), "did you mean 'bash' or 'zsh'?")
        XCTAssertEqual(Suggestions.hint(for: "ab", among: ["ax", "ay", "az"]), "did you mean 'ax', 'ay' or 'az'?")
        XCTAssertNil(Suggestions.hint(for: "qqqq", among: ["json"]))
    }
}
