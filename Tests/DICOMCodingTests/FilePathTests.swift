import XCTest
@testable import DICOMCoding

final class FilePathTests: XCTestCase {
    // Regression: NSString.deletingLastPathComponent crashed on "k" (cmr key new k).
    func testPathsWithoutSlash() {
        XCTAssertEqual(FilePath.directory(of: "k"), "")
        XCTAssertEqual(FilePath.name(of: "k"), "k")
    }

    func testFolderAndName() {
        XCTAssertEqual(FilePath.directory(of: "a/b/c.dcm"), "a/b")
        XCTAssertEqual(FilePath.name(of: "a/b/c.dcm"), "c.dcm")
        XCTAssertEqual(FilePath.directory(of: "/c"), "/")
        XCTAssertEqual(FilePath.name(of: "/c"), "c")
        XCTAssertEqual(FilePath.directory(of: "a/b/"), "a")
        XCTAssertEqual(FilePath.name(of: "a/b/"), "b")
        XCTAssertEqual(FilePath.name(of: "/"), "/")
        XCTAssertEqual(FilePath.directory(of: "a//b"), "a")
    }

    func testAtomicWriteOfABareFileName() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cmr-filepath-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(folder)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        try AtomicFileWriter.write(to: "k") { try $0.write([1, 2, 3]) }
        XCTAssertEqual(FileManager.default.contents(atPath: folder + "/k"), Data([1, 2, 3]))
    }
}
