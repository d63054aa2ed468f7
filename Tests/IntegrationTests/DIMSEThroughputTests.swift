import Foundation
import XCTest
import DICOMCore
import DICOMCoding
import DICOMNetwork
import CMRKit

/// Files per second of C-STORE of small files into one storescp: DICOMNetwork's SCU against
/// DCMTK's storescu, with storescp's Nagle on (Debian's default) and off (TCP_NODELAY=1).
/// Informative, not a gate: runs only with CMR_BENCH_DIMSE=1 and prints its figures.
final class DIMSEThroughputTests: XCTestCase {
    func testSmallFileThroughputAgainstStorescu() throws {
        guard ProcessInfo.processInfo.environment["CMR_BENCH_DIMSE"] == "1" else { throw XCTSkip("set CMR_BENCH_DIMSE=1 to measure") }
        let storescu = try Peers.tool("/usr/bin/storescu")
        let dir = try Peers.temporaryFolder(self)
        var o = Synthesizer.Options()
        o.patients = 5
        o.series = ["CT"]
        o.instancesPerSeries = 60
        o.rows = 64
        o.columns = 64
        let paths = try Synthesizer(options: o).write(to: dir + "/src").sorted()
        let bytes = try paths.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
        var lines = ["\(paths.count) files, \(bytes / paths.count) bytes on average"]
        for nodelay in [false, true] {
            let peer = try DIMSEInteropTests.startStorescp(environment: nodelay ? ["TCP_NODELAY": "1"] : ["TCP_NODELAY": "0"])
            defer { DIMSEInteropTests.stop(peer) }

            var start = Date()
            let files = try paths.map { try DICOMFileSource(path: $0) }
            var p = AssociationParameters(callingAETitle: "CMR", calledAETitle: "STORESCP")
            for (sop, ts) in Set(files.map { [$0.sopClassUID, $0.transferSyntaxUID] }).map({ ($0[0], $0[1]) }) {
                p.propose(sop, transferSyntaxes: [ts])
            }
            let association = try Association.request(host: "127.0.0.1", port: peer.port, parameters: p)
            for f in files { XCTAssertEqual(try association.store(file: f).status, .success) }
            try association.release()
            let cmrSeconds = Date().timeIntervalSince(start)

            var figures = String(format: "DICOMNetwork %.0f files/s", Double(paths.count) / cmrSeconds)
            for scuNodelay in ["0", "1"] {
                start = Date()
                let r = try Peers.run("/usr/bin/env", ["TCP_NODELAY=" + scuNodelay, storescu, "-aec", "STORESCP", "127.0.0.1", String(peer.port)] + paths)
                let seconds = Date().timeIntervalSince(start)
                XCTAssertEqual(r.status, 0, r.err)
                figures += String(format: ", storescu (TCP_NODELAY=%@) %.0f files/s (cmr %.1fx)", scuNodelay, Double(paths.count) / seconds, seconds / cmrSeconds)
            }
            lines.append((nodelay ? "storescp TCP_NODELAY=1: " : "storescp Nagle on: ") + figures)
        }
        print("DIMSE throughput: " + lines.joined(separator: "\n  "))
    }
}
