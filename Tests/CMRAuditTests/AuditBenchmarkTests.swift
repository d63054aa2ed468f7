import Foundation
import XCTest
@testable import CMRAudit

/// Speed figures, run only with CMR_AUDIT_BENCH set (build with `-c release`):
/// durable single appends per second, and verify of a 1,000,000-record log beside `sha256sum`.
final class AuditBenchmarkTests: XCTestCase {
    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    func testSpeed() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["CMR_AUDIT_BENCH"] != nil else { throw XCTSkip("set CMR_AUDIT_BENCH to run") }
        let records = Int(environment["CMR_AUDIT_BENCH_RECORDS"] ?? "") ?? 1_000_000
        let folder = try environment["CMR_AUDIT_BENCH_DIR"] ?? temporaryDirectory(self)
        let path = folder + "/bench-\(getpid()).log"
        defer { unlink(path) }
        let log = AuditLog(path: path)

        let durable = 2000
        let appendTime = try seconds { for index in 0..<durable { try log.append(sampleDraft(index)) } }
        print("append (one record, one fdatasync each): \(Int(Double(durable) / appendTime)) records/s")
        let batchTime = try seconds {
            var index = durable
            while index < records {
                let count = min(10_000, records - index)
                try log.append((index..<(index + count)).map(sampleDraft))
                index += count
            }
        }
        print("append (batches of 10,000): \(Int(Double(records - durable) / batchTime)) records/s")

        var result = AuditVerification()
        let verifyTime = try seconds { result = try AuditVerifier.verify(logPath: path) }
        XCTAssertTrue(result.intact)
        XCTAssertEqual(result.recordCount, UInt64(records))
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let shaTime = try seconds {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            process.arguments = [path]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
        }
        print("log: \(records) records, \(size / 1_000_000) MB")
        print("verify: \(String(format: "%.2f", verifyTime)) s, \(Int(Double(records) / verifyTime)) records/s, \(Int(Double(size) / verifyTime / 1e6)) MB/s")
        print("sha256sum: \(String(format: "%.2f", shaTime)) s, \(Int(Double(records) / shaTime)) records/s, \(Int(Double(size) / shaTime / 1e6)) MB/s")
        print("ratio verify/sha256sum: \(String(format: "%.2f", verifyTime / shaTime))")
    }
}
