import Foundation
import XCTest
import DICOMNetwork

/// Running the independent tools the integration tests judge cmr by.
enum Peers {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: Data
        var out: String { String(decoding: stdout, as: UTF8.self) }
        var err: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// The package root, from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "0" } ?? false }

    /// The built cmr executable: $CMR_BIN, or .build/debug/cmr.
    static func cmrPath() throws -> String {
        if let p = ProcessInfo.processInfo.environment["CMR_BIN"], FileManager.default.isExecutableFile(atPath: p) { return p }
        let p = root + "/.build/debug/cmr"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
        throw XCTSkip("cmr binary not built (swift build --product cmr)")
    }

    /// Python with pydicom: $CMR_PYTHON or .venv/bin/python.
    static func python() throws -> String {
        let candidates = [ProcessInfo.processInfo.environment["CMR_PYTHON"], root + "/.venv/bin/python"].compactMap { $0 }
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            if (try? run(c, ["-c", "import pydicom"]).status) == 0 { return c }
        }
        return try missing("pydicom (run scripts/install-test-deps)")
    }

    /// A tool by full path (DCMTK's are called by full path: pip's pynetdicom installs tools of the same names).
    static func tool(_ path: String) throws -> String {
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        return try missing(path)
    }

    /// Skips the test, or fails it in CI, where every peer must be present.
    static func missing(_ what: String) throws -> String {
        if isCI { XCTFail("\(what) is missing in CI"); throw XCTSkip("\(what) missing") }
        throw XCTSkip("\(what) is not installed")
    }

    @discardableResult
    static func run(_ path: String, _ args: [String], stdin: Data? = nil, cwd: String? = nil,
                    environment extra: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        if path.hasSuffix("/cmr"), environment["CMR_AUDIT_LOG"] == nil {
            // cmr appends audit records: never to the real home folder from a test.
            environment["CMR_AUDIT_LOG"] = NSTemporaryDirectory() + "cmr-it-audit-\(getpid()).log"
        }
        if !extra.isEmpty || path.hasSuffix("/cmr") { p.environment = environment.merging(extra) { $1 } }
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        p.standardInput = inPipe
        try p.run()
        if let stdin { inPipe.fileHandleForWriting.write(stdin) }
        try inPipe.fileHandleForWriting.close()
        final class Box: @unchecked Sendable { var data = Data() }
        let out = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { out.data = outPipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: out.data, stderr: err)
    }

    /// Waits until something accepts connections on 127.0.0.1:`port` (5 s at most).
    static func waitForPort(_ port: UInt16) -> Bool {
        for _ in 0..<100 {
            if let t = try? SocketTransport.connect(host: "127.0.0.1", port: port, timeout: 1) { t.close(); return true }
            usleep(50_000)
        }
        return false
    }

    /// A dcmqrscp configuration: one storage area `QRSCP` in `database`, and the C-MOVE
    /// destinations (AE title → port on 127.0.0.1).
    static func dcmqrscpConfig(port: UInt16, database: String, moveDestinations: [(ae: String, port: UInt16)]) -> String {
        let hosts = moveDestinations.map { "\($0.ae.lowercased()) = (\($0.ae), 127.0.0.1, \($0.port))" }.joined(separator: "\n")
        return """
        NetworkTCPPort = \(port)
        MaxPDUSize = 16384
        MaxAssociations = 16
        HostTable BEGIN
        \(hosts)
        HostTable END
        VendorTable BEGIN
        VendorTable END
        AETable BEGIN
        QRSCP \(database) RW (200, 1024mb) ANY
        AETable END
        """
    }

    /// A fresh temporary folder, removed at the end of the test.
    static func temporaryFolder(_ test: XCTestCase, _ name: String = #function) throws -> String {
        let dir = NSTemporaryDirectory() + "cmr-it-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber })-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }
}
