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
        // Parallel associations (one thread each) into storescp --fork, which serves them in parallel.
        let forking = try DIMSEInteropTests.startStorescp(["--fork"])
        defer { DIMSEInteropTests.stop(forking) }
        for n in [2, 4] {
            let start = Date()
            final class Box: @unchecked Sendable { var failures = 0; let lock = NSLock() }
            let box = Box()
            DispatchQueue.concurrentPerform(iterations: n) { i in
                do {
                    let mine = try stride(from: i, to: paths.count, by: n).map { try DICOMFileSource(path: paths[$0]) }
                    var p = AssociationParameters(callingAETitle: "CMR", calledAETitle: "STORESCP")
                    for (sop, ts) in Set(mine.map { [$0.sopClassUID, $0.transferSyntaxUID] }).map({ ($0[0], $0[1]) }) {
                        p.propose(sop, transferSyntaxes: [ts])
                    }
                    let a = try Association.request(host: "127.0.0.1", port: forking.port, parameters: p)
                    for f in mine where try a.store(file: f).status != .success { box.lock.withLock { box.failures += 1 } }
                    try a.release()
                } catch {
                    box.lock.withLock { box.failures += 1 }
                }
            }
            XCTAssertEqual(box.failures, 0)
            lines.append(String(format: "storescp --fork, %d associations: DICOMNetwork %.0f files/s", n, Double(paths.count) / Date().timeIntervalSince(start)))
        }
        print("DIMSE throughput: " + lines.joined(separator: "\n  "))
    }

    /// Resident set size of this process now, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    /// Runs `body` while sampling the resident set every 5 ms; returns the peak above the start.
    static func peakResidentGrowth(_ body: () throws -> Void) rethrows -> Int {
        final class Box: @unchecked Sendable { var peak = 0; var done = false; let lock = NSLock() }
        let box = Box()
        let base = residentBytes()
        let sampler = Thread {
            while !box.lock.withLock({ box.done }) {
                let r = residentBytes()
                box.lock.withLock { box.peak = max(box.peak, r) }
                usleep(5_000)
            }
        }
        sampler.start()
        defer { box.lock.withLock { box.done = true } }
        try body()
        return box.lock.withLock { max(0, box.peak - base) }
    }

    /// One 134 MB CT (4 frames of 4096²) to storescp, against a raw TCP copy of the same bytes into
    /// a file, with the resident memory growth of this process while sending.
    func testLargeFileThroughputAndMemory() throws {
        guard ProcessInfo.processInfo.environment["CMR_BENCH_DIMSE"] == "1" else { throw XCTSkip("set CMR_BENCH_DIMSE=1 to measure") }
        let cmr = try Peers.cmrPath()
        let storescu = try Peers.tool("/usr/bin/storescu")
        let dir = try Peers.temporaryFolder(self)
        let made = try Peers.run(cmr, ["synth", "--out", dir + "/src", "--patients", "1", "--series", "CT", "--instances", "1",
                                       "--rows", "4096", "--columns", "4096", "--frames", "4", "--no-private"])
        XCTAssertEqual(made.status, 0, made.err)
        let path = try XCTUnwrap(FileManager.default.enumerator(atPath: dir + "/src")?.compactMap { $0 as? String }.first { $0.hasSuffix(".dcm") })
        let file = dir + "/src/" + path
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let peer = try DIMSEInteropTests.startStorescp(["-pdu", "131072"])
        defer { DIMSEInteropTests.stop(peer) }

        // Raw TCP copy into a file: the ceiling for the same bytes over loopback to disk.
        let listener = try SocketListener(host: "127.0.0.1", port: 0)
        let sink = dir + "/raw.bin"
        let received = DispatchSemaphore(value: 0)
        Thread {
            defer { received.signal() }
            guard let c = try? listener.accept(timeout: 10) else { return }
            FileManager.default.createFile(atPath: sink, contents: nil)
            guard let h = FileHandle(forWritingAtPath: sink) else { return }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while let n = try? buffer.withUnsafeMutableBytes({ try c.read(into: $0, timeout: 10) }), n > 0 { h.write(Data(buffer[0..<n])) }
            try? h.synchronize()
            try? h.close()
        }.start()
        var start = Date()
        let source = try DICOMFileSource(path: file)
        let raw = try SocketTransport.connect(host: "127.0.0.1", port: listener.port, timeout: 5)
        var p = 0
        while p < source.storage.count {
            let end = min(source.storage.count, p + (1 << 20))
            try raw.write([source.storage.buffer(p..<end)])
            p = end
        }
        raw.close()
        received.wait()
        let rawSeconds = Date().timeIntervalSince(start)

        var cmrSeconds = 0.0
        let growth = try Self.peakResidentGrowth {
            start = Date()
            let f = try DICOMFileSource(path: file)
            var params = AssociationParameters(callingAETitle: "CMR", calledAETitle: "STORESCP")
            params.propose(f.sopClassUID, transferSyntaxes: [f.transferSyntaxUID])
            let a = try Association.request(host: "127.0.0.1", port: peer.port, parameters: params)
            XCTAssertEqual(try a.store(file: f).status, .success)
            try a.release()
            cmrSeconds = Date().timeIntervalSince(start)
        }
        start = Date()
        let r = try Peers.run("/usr/bin/env", ["TCP_NODELAY=1", storescu, "-aec", "STORESCP", "127.0.0.1", String(peer.port), file])
        let dcmtkSeconds = Date().timeIntervalSince(start)
        XCTAssertEqual(r.status, 0, r.err)
        let mb = Double(size) / 1e6
        print(String(format: "DIMSE large file: %.0f MB; raw TCP copy to a file %.0f MB/s; DICOMNetwork to storescp %.0f MB/s (%.0f%% of raw), resident growth %.1f MB; storescu %.0f MB/s",
                     mb, mb / rawSeconds, mb / cmrSeconds, 100 * rawSeconds / cmrSeconds, Double(growth) / 1e6, mb / dcmtkSeconds))
    }
}
