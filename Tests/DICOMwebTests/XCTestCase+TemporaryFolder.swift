import XCTest

extension XCTestCase {
    /// A fresh temporary folder, removed when the test ends.
    func temporaryFolder() throws -> String {
        let dir = NSTemporaryDirectory() + "cmr-web-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }
}
