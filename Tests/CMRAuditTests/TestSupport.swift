import Foundation
import XCTest
@testable import CMRAudit

/// A clock the test moves by hand.
final class ManualClock: AuditClock, @unchecked Sendable {
    private let lock = NSLock()
    private var reading: AuditClockReading

    init(milliseconds: Int64 = 1_795_000_000_000, monotonic: UInt64 = 1_000_000_000, boot: String = "test-boot") {
        reading = AuditClockReading(milliseconds: milliseconds, monotonic: monotonic, boot: boot)
    }

    /// Each reading advances wall time by 1 ms and the monotonic clock by 1 ms.
    func now() -> AuditClockReading {
        lock.lock()
        defer { lock.unlock() }
        let current = reading
        reading.milliseconds += 1
        reading.monotonic += 1_000_000
        return current
    }

    func set(milliseconds: Int64? = nil, monotonic: UInt64? = nil, boot: String? = nil) {
        lock.lock()
        defer { lock.unlock() }
        if let milliseconds { reading.milliseconds = milliseconds }
        if let monotonic { reading.monotonic = monotonic }
        if let boot { reading.boot = boot }
    }
}

/// A fresh temporary folder, removed at the end of the test.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "cmr-audit-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

func sampleDraft(_ index: Int) -> AuditRecordDraft {
    AuditRecordDraft(
        actor: AuditActor(user: "tester", host: "ward-7", pid: 4242, aeTitle: index % 3 == 0 ? "CMR_SCU" : nil),
        event: AuditEvent(code: AuditEvent.Code.export, action: .read, name: "send"),
        outcome: index % 10 == 9 ? AuditOutcome(code: .minorFailure, message: "1 of 12 refused") : .success,
        objects: [AuditObject(
            studyUID: "1.2.826.0.1.3680043.8.498.\(index)", seriesUID: "1.2.826.0.1.3680043.8.498.\(index).1",
            patientRef: "hmac:" + String(repeating: "ab", count: 16), count: UInt64(index % 50))],
        destination: "https://archive.example.org/dicomweb",
        mode: .deidentified,
        details: ["batch": String(index / 100)])
}

func readLines(_ path: String) throws -> [[UInt8]] {
    let data = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
    var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    if lines.last?.isEmpty == true { lines.removeLast() }
    return lines
}

func writeLines(_ lines: [[UInt8]], to path: String) throws {
    var bytes: [UInt8] = []
    for line in lines { bytes += line + [0x0A] }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// python3's path, nil (skipping) when it is missing, a failure when CI is set.
func pythonOrSkip(file: StaticString = #filePath, line: UInt = #line) throws -> String? {
    for candidate in ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"]
    where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    if ProcessInfo.processInfo.environment["CI"] != nil {
        XCTFail("python3 is required when CI is set", file: file, line: line)
        return nil
    }
    throw XCTSkip("python3 not found")
}

/// Runs python3 with `script` and `input` on stdin; returns stdout.
func runPython(_ python: String, _ script: String, input: [UInt8] = []) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script]
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    let errors = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw NSError(domain: "python", code: Int(process.terminationStatus),
                      userInfo: [NSLocalizedDescriptionKey: String(decoding: errors, as: UTF8.self)])
    }
    return Array(output)
}
