import XCTest
import Foundation
import DICOMCore
@testable import CMRKit
@testable import CMRCLI

/// Query keys, date ranges, the output layout and its sanitising, the --listen address.
final class PullSupportTests: XCTestCase {
    func testQueryKeys() throws {
        XCTAssertEqual(try QueryKey.parse("PatientID=123"), QueryKey(.patientID, "123"))
        XCTAssertEqual(try QueryKey.parse("0010,0020=12=3"), QueryKey(.patientID, "12=3"))
        XCTAssertEqual(try QueryKey.parse("(0008,1030)=*HEAD*"), QueryKey(.studyDescription, "*HEAD*"))
        XCTAssertEqual(try QueryKey.parse("StudyDescription"), QueryKey(.studyDescription, nil))
        XCTAssertEqual(try QueryKey.parse("PatientName=").value, "")
        for bad in ["NoSuchKeyword=1", "ReferencedSeriesSequence", "12345=1"] {
            XCTAssertThrowsError(try QueryKey.parse(bad), bad) { XCTAssertEqual(($0 as? CMRError)?.kind, .usage) }
        }
    }

    func testDateRanges() throws {
        XCTAssertEqual(try QueryKey.dateRange("20260101-20260131"), "20260101-20260131")
        XCTAssertEqual(try QueryKey.dateRange("2026-01-01..2026-01-31"), "20260101-20260131")
        XCTAssertEqual(try QueryKey.dateRange("2026-01-01"), "20260101")
        XCTAssertEqual(try QueryKey.dateRange("20260101"), "20260101")
        XCTAssertEqual(try QueryKey.dateRange("20260101-"), "20260101-")
        XCTAssertEqual(try QueryKey.dateRange("-20260131"), "-20260131")
        XCTAssertEqual(try QueryKey.dateRange("..2026-01-31"), "-20260131")
        for bad in ["2026", "20261301", "20260131-20260101", "-", "..", "a-b", "20260101-20260102-20260103"] {
            XCTAssertThrowsError(try QueryKey.dateRange(bad), bad)
        }
    }

    func testIdentifierHasLevelKeysAndReturnKeys() throws {
        let request = QueryRequest(level: .series, keys: [QueryKey(.studyInstanceUID, "1.2.3"), QueryKey(.bodyPartExamined)])
        let ds = try request.identifier()
        XCTAssertEqual(ds.string(.queryRetrieveLevel), "SERIES")
        XCTAssertEqual(ds.string(.studyInstanceUID), "1.2.3")
        for tag in QueryRequest.columns(for: .series) + [.bodyPartExamined] { XCTAssertNotNil(ds[tag], "\(tag)") }
        XCTAssertEqual(QueryRequest(level: .image, keys: [QueryKey(.studyInstanceUID, "1")]).missingHigherKeys(), [.seriesInstanceUID])
        let utf8 = try QueryRequest(keys: [QueryKey(.patientName, "Müller^*")]).identifier()
        XCTAssertEqual(utf8.string(.specificCharacterSet), "ISO_IR 192")
        XCTAssertEqual(utf8.string(.patientName), "Müller^*")
    }

    func testLayoutAndSanitising() {
        XCTAssertEqual(OutputLayout.tree.relativePath(patientID: "P1", studyUID: "1.2", seriesUID: "1.2.3", sopInstanceUID: "1.2.3.4"), "P1/1.2/1.2.3/1.2.3.4.dcm")
        XCTAssertEqual(OutputLayout.flat.relativePath(patientID: "P1", studyUID: "1.2", seriesUID: "1.2.3", sopInstanceUID: "1.2.3.4"), "1.2.3.4.dcm")
        XCTAssertEqual(OutputLayout.component("../../etc", fallback: "x"), "_._.._etc")
        XCTAssertEqual(OutputLayout.component("..", fallback: "x"), "_.")
        XCTAssertEqual(OutputLayout.component(".hidden", fallback: "x"), "_hidden")
        XCTAssertEqual(OutputLayout.component("a/b\\c d\u{0}", fallback: "x"), "a_b_c_d")
        XCTAssertEqual(OutputLayout.component("  ", fallback: "unknown"), "unknown")
        XCTAssertEqual(OutputLayout.component("Müller", fallback: "x"), "M_ller")
        XCTAssertEqual(OutputLayout.component(String(repeating: "9", count: 100), fallback: "x").count, 64)
        let path = OutputLayout.tree.relativePath(patientID: "../x", studyUID: "/abs", seriesUID: ".", sopInstanceUID: "..")
        XCTAssertFalse(path.split(separator: "/").contains { $0 == ".." || $0 == "." || $0.hasPrefix(".") }, path)
        XCTAssertFalse(path.hasPrefix("/"))
    }

    func testPlacementNeverReplaces() throws {
        let dir = NSTemporaryDirectory() + "cmr-place-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let staging = try FilePlacement.makeStaging(in: try { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true); return dir }())
        FileManager.default.createFile(atPath: staging + "/a", contents: Data("one".utf8))
        XCTAssertEqual(try FilePlacement.place(staging + "/a", at: dir + "/p/s/a.dcm"), .placed)
        FileManager.default.createFile(atPath: staging + "/b", contents: Data("two".utf8))
        XCTAssertEqual(try FilePlacement.place(staging + "/b", at: dir + "/p/s/a.dcm"), .exists)
        XCTAssertEqual(try String(contentsOfFile: dir + "/p/s/a.dcm", encoding: .utf8), "one")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: staging), [])
    }

    func testListenAddresses() throws {
        XCTAssertEqual(try DIMSEAddress.parseListen("CMR@127.0.0.1:11113"), DIMSEAddress(aeTitle: "CMR", host: "127.0.0.1", port: 11113))
        XCTAssertEqual(try DIMSEAddress.parseListen("CMR"), DIMSEAddress(aeTitle: "CMR", host: "127.0.0.1", port: 11112))
        XCTAssertEqual(try DIMSEAddress.parseListen("CMR@4242"), DIMSEAddress(aeTitle: "CMR", host: "127.0.0.1", port: 4242))
        XCTAssertEqual(try DIMSEAddress.parseListen("CMR@0.0.0.0"), DIMSEAddress(aeTitle: "CMR", host: "0.0.0.0", port: 11112))
        XCTAssertEqual(try DIMSEAddress.parseListen("CMR@[::1]:5").host, "::1")
        for bad in ["@h:1", "CMR@h:0", "CMR@:5", "SEVENTEENCHARSXXXX@h:1"] { XCTAssertThrowsError(try DIMSEAddress.parseListen(bad), bad) }
    }

    func testStorageClassesFitOneAssociation() {
        let classes = RetrieveContexts.storageClasses()
        XCTAssertEqual(classes.count, 127)
        XCTAssertEqual(Set(classes).count, 127)
        XCTAssertEqual(classes.first, "1.2.840.10008.5.1.4.1.1.2")   // CT Image Storage first
    }
}
