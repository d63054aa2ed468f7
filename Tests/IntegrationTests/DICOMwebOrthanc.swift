import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Orthanc with its DICOMweb plugin, started for a test class on a free loopback port from a copy
/// of the binary (the Debian init script stops any process at /usr/sbin/Orthanc), with its own
/// storage in a temporary folder, HTTP basic auth on, remote access and the DICOM port off.
/// Orthanc 1.10 cannot bind to 127.0.0.1 only; with `RemoteAccessAllowed: false` it answers
/// non-loopback clients with 403, and it lives only for the test class.
final class OrthancPeer: @unchecked Sendable {
    static let binary = "/usr/sbin/Orthanc"
    static let plugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"
    static let user = "cmr"
    static let password = "s3cret-\(getpid())"

    let folder: String
    let port: Int
    private(set) var process: Process
    var base: URL { URL(string: "http://127.0.0.1:\(port)/dicom-web")! }
    var log: String { (try? String(contentsOfFile: folder + "/Orthanc.log", encoding: .utf8)) ?? "" }

    /// Why Orthanc could not be started (thrown from a class's setUp, where XCTFail cannot be
    /// called; `use()` turns it into a skip, or a failure in CI).
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts Orthanc, or throws `Unavailable` saying why.
    static func start() throws -> OrthancPeer {
        for p in [binary, plugin] where !FileManager.default.fileExists(atPath: p) {
            throw Unavailable(description: "\(p) is missing (Debian orthanc and orthanc-dicomweb; run scripts/install-test-deps)")
        }
        let folder = NSTemporaryDirectory() + "cmr-orthanc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder + "/db", withIntermediateDirectories: true)
        let copy = folder + "/Orthanc"
        try FileManager.default.copyItem(atPath: binary, toPath: copy)
        let port = try freePort()
        let config: [String: Any] = [
            "Name": "cmr-test", "StorageDirectory": folder + "/db", "IndexDirectory": folder + "/db",
            "HttpPort": port, "DicomServerEnabled": false, "DicomPort": 0,
            "RemoteAccessAllowed": false, "AuthenticationEnabled": true,
            "RegisteredUsers": [user: password], "TcpNoDelay": true, "HttpThreadsCount": 4,
            "Plugins": [plugin],
            "DicomWeb": ["Enable": true, "Root": "/dicom-web/", "EnableWado": false],
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: folder + "/orthanc.json"))
        let peer = OrthancPeer(folder: folder, port: port, process: Process())
        try peer.launch()
        return peer
    }

    /// Runs the copied binary on this folder and port, and waits until it answers.
    private func launch() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: folder + "/Orthanc")
        p.arguments = ["--logdir=" + folder, folder + "/orthanc.json"]
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if !p.isRunning { break }
            if ready() { return }
            usleep(100_000)
        }
        let log = self.log
        stop()
        throw Unavailable(description: "Orthanc did not start on port \(port): \(log.suffix(500))")
    }

    /// kill -9, keeping the storage (a server that dies in the middle of a transfer).
    func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts it again on the same port with the same storage, after `kill()`.
    func restart() throws {
        if process.isRunning { kill() }
        try launch()
    }

    /// The peer for a test: a skip when it could not be started, a failure in CI.
    static func use(_ peer: OrthancPeer?, _ error: Error?) throws -> OrthancPeer {
        if let peer { return peer }
        let why = error.map { "\($0)" } ?? "Orthanc was not started"
        _ = try Peers.missing(why)
        throw XCTSkip(why)
    }

    private init(folder: String, port: Int, process: Process) {
        self.folder = folder
        self.port = port
        self.process = process
    }

    /// Whether the HTTP port accepts connections.
    func ready() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return r == 0
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A port the kernel just gave out on 127.0.0.1.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = 0
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &a) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw XCTSkip("no free port") }
        return Int(UInt16(bigEndian: a.sin_port))
    }
}

/// One Orthanc for a test class: `start()` in the class's `setUp`, `stop()` in its `tearDown`,
/// `use()` in each test (a skip when it could not be started, a failure in CI).
final class OrthancSlot: @unchecked Sendable {
    private var peer: OrthancPeer?
    private var error: Error?

    func start() {
        do { peer = try OrthancPeer.start() } catch let e { error = e }
    }

    func stop() {
        peer?.stop()
        peer = nil
    }

    func use() throws -> OrthancPeer { try OrthancPeer.use(peer, error) }
}

/// A test class with one Orthanc of its own (`OrthancSlot`), started before its first test and
/// stopped after its last; `peer()` in each test.
class OrthancTestCase: XCTestCase {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var slots: [ObjectIdentifier: OrthancSlot] = [:]

    /// This class's slot.
    static var orthanc: OrthancSlot {
        lock.withLock {
            if let s = slots[ObjectIdentifier(self)] { return s }
            let s = OrthancSlot()
            slots[ObjectIdentifier(self)] = s
            return s
        }
    }

    override class func setUp() {
        super.setUp()
        orthanc.start()
    }

    override class func tearDown() {
        orthanc.stop()
        super.tearDown()
    }

    func peer() throws -> OrthancPeer { try Self.orthanc.use() }

    struct Scratch {
        var dir: String
        var environment: [String: String]
        var audit: String { dir + "/audit.log" }
        var userFile: String { dir + "/user" }
        var tmp: String { dir + "/tmp" }
    }

    /// A folder for a test with its own audit log, journal folder, fast retries, `TMPDIR` (`tmp`,
    /// empty) and a `--user-file` with `password`.
    func scratch(password: String = OrthancPeer.password, _ name: String = #function) throws -> Scratch {
        let dir = try Peers.temporaryFolder(self, name)
        let s = Scratch(dir: dir, environment: ["CMR_AUDIT_LOG": dir + "/audit.log", "CMR_JOURNAL_DIR": dir + "/journal",
                                                "CMR_RETRY_BASE_SECONDS": "0.01", "TMPDIR": dir + "/tmp"])
        try FileManager.default.createDirectory(atPath: s.tmp, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: s.userFile, contents: Data("\(OrthancPeer.user):\(password)\n".utf8),
                                       attributes: [.posixPermissions: 0o600])
        return s
    }
}
