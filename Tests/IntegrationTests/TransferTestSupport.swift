import Foundation
import XCTest

/// A folder for a transfer test with its own audit log, journal folder and fast retries.
struct TransferScratch {
    var dir: String
    var environment: [String: String]
    var audit: String { dir + "/audit.log" }
}

/// What the `cmr send` tests share (SendCommandTests, TransferFaultTests).
extension XCTestCase {
    /// A folder for the test with its own audit log, journal folder and fast retries.
    func transferScratch() throws -> TransferScratch {
        let dir = try Peers.temporaryFolder(self)
        return TransferScratch(dir: dir, environment: ["CMR_AUDIT_LOG": dir + "/audit.log", "CMR_JOURNAL_DIR": dir + "/journal",
                                               "CMR_RETRY_BASE_SECONDS": "0.01"])
    }

    /// `cmr synth` into `dir`: the paths written.
    func synth(_ s: TransferScratch, _ dir: String, _ args: [String]) throws -> [String] {
        let r = try Peers.run(try Peers.cmrPath(), ["synth", "--out", dir, "--print-paths"] + args, environment: s.environment)
        XCTAssertEqual(r.status, 0, r.err)
        return r.out.split(separator: "\n").map(String.init)
    }

    func cmr(_ s: TransferScratch, _ args: [String]) throws -> Peers.Result {
        try Peers.run(try Peers.cmrPath(), args, environment: s.environment)
    }

    func url(_ peer: DIMSEInteropTests.Peer, ae: String = "STORESCP") -> String { "dicom://\(ae)@127.0.0.1:\(peer.port)" }

    /// The report's records and summary.
    func transferReport(_ path: String) throws -> (records: [[String: Any]], summary: [String: Any]) {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        return (objects.dropLast().map { $0 }, objects.last?["summary"] as? [String: Any] ?? [:])
    }

    /// SOP Instance UIDs of the files storescp wrote (it names them MODALITY.UID).
    func received(_ peer: DIMSEInteropTests.Peer) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: peer.directory)) ?? []
        return Set(names.compactMap { name in name.firstIndex(of: ".").map { String(name[name.index(after: $0)...]) } })
    }

}
