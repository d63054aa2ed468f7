import CMRCrypto
import XCTest
@testable import CMRAudit

final class AuditRecordTests: XCTestCase {
    func record() -> AuditRecord {
        sampleDraft(0).record(seq: 7, prev: String(repeating: "1", count: 64),
                              clock: AuditClockReading(milliseconds: 1_795_934_400_123, monotonic: 42, boot: "b"))
    }

    func testCanonicalForm() throws {
        let line = String(decoding: record().canonicalBytes, as: UTF8.self)
        XCTAssertEqual(line, #"{"actor":{"aeTitle":"CMR_SCU","host":"ward-7","pid":4242,"user":"tester"},"boot":"b","destination":"https://archive.example.org/dicomweb","details":{"batch":"0"},"event":{"action":"R","code":"110106","name":"send"},"mode":"deidentified","monotonic":42,"objects":[{"count":0,"patientRef":"hmac:abababababababababababababababab","seriesUID":"1.2.826.0.1.3680043.8.498.0.1","studyUID":"1.2.826.0.1.3680043.8.498.0"}],"outcome":{"code":0},"prev":"1111111111111111111111111111111111111111111111111111111111111111","seq":7,"time":"2026-11-29T06:40:00.123Z","version":1}"#)
        XCTAssertEqual(try AuditRecord(canonicalLine: Array(line.utf8)), record())
        XCTAssertEqual(record().recordHash, SHA256.hash([0] + Array(line.utf8)))
    }

    func testRejectsSchemaViolations() {
        let good = String(decoding: record().canonicalBytes, as: UTF8.self)
        let bad = [
            good.replacingOccurrences(of: #""version":1"#, with: #""version":2"#),
            good.replacingOccurrences(of: #""mode":"deidentified","#, with: #""mode":"secret","#),
            good.replacingOccurrences(of: #""boot":"b","#, with: ""),
            good.replacingOccurrences(of: #""boot":"b","#, with: #""boot":"b","color":"red","#),
            good.replacingOccurrences(of: #""seq":7"#, with: #""seq":"7""#),
            good.replacingOccurrences(of: #""code":0"#, with: #""code":3"#),
            good.replacingOccurrences(of: #""action":"R""#, with: #""action":"X""#),
            good.replacingOccurrences(of: #""pid":4242"#, with: #""pid": 4242"#),
        ]
        for line in bad {
            XCTAssertThrowsError(try AuditRecord(canonicalLine: Array(line.utf8)), line)
        }
    }

    func testCodableForDisplay() throws {
        let data = try JSONEncoder().encode(record())
        XCTAssertEqual(try JSONDecoder().decode(AuditRecord.self, from: data), record())
    }

    func testDefaultPath() {
        XCTAssertEqual(AuditLog.defaultPath(environment: ["CMR_AUDIT_LOG": "/x/a.log", "HOME": "/h"]), "/x/a.log")
        XCTAssertEqual(AuditLog.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]), "/s/cmr/audit.log")
        XCTAssertEqual(AuditLog.defaultPath(environment: ["HOME": "/h"]), "/h/.local/state/cmr/audit.log")
        XCTAssertNil(AuditLog.defaultPath(environment: [:]))
    }
}
