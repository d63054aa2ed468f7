import XCTest
import Foundation
import DICOMCore
import DICOMCoding
import DICOMweb
#if canImport(Glibc)
import Glibc
#endif

/// Large STOW-RS and WADO-RS transfers against Orthanc, measuring this process's peak resident
/// memory and the time, side by side with curl on the same prepared body and the same study.
/// Opt-in (a few hundred MB of disk and a minute): set CMR_WEB_BENCH=1 (size per file in MiB
/// with CMR_WEB_BENCH_MB, default 100). Run one test per process, so the peak is this test's:
/// `.build/debug/cmrPackageTests.xctest IntegrationTests.DICOMwebMemoryTests/testLargeStudyInBoundedMemory`
final class DICOMwebMemoryTests: XCTestCase {
    /// A Part 10 file of about `megabytes` MiB written without holding its pixels in memory: the
    /// header by cmr's writer, then Pixel Data appended in 1 MiB chunks.
    static func writeLargeInstance(_ path: String, uid: String, study: String, series: String, megabytes: Int) throws {
        var ds = DataSet()
        ds.setString(.sopClassUID, "1.2.840.10008.5.1.4.1.1.7", vr: .UI)
        ds.setString(.sopInstanceUID, uid, vr: .UI)
        ds.setString(.studyInstanceUID, study, vr: .UI)
        ds.setString(.seriesInstanceUID, series, vr: .UI)
        ds.setString(Tag(0x0010_0020), "BENCH", vr: .LO)
        ds.setString(Tag(0x0008_0060), "OT", vr: .CS)
        var header = try DICOMWriter.encode(DICOMFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian))
        let length = UInt32(megabytes << 20)
        header += [0xE0, 0x7F, 0x10, 0x00, UInt8(ascii: "O"), UInt8(ascii: "B"), 0, 0]
        header += withUnsafeBytes(of: length.littleEndian) { Array($0) }
        var w = try AtomicFileWriter(path: path)
        try w.write(header)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        for i in chunk.indices { chunk[i] = UInt8(truncatingIfNeeded: (i &* 31) ^ (i >> 9)) }
        for _ in 0..<megabytes { try w.write(chunk) }
        try w.commit()
    }

    static func peakResidentMiB() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    /// Runs curl under /usr/bin/time; returns (seconds, peak resident MiB).
    func curl(_ args: [String], output: String = "/dev/null") throws -> (Double, Int) {
        let t = Date()
        let r = try Peers.run("/usr/bin/time", ["-f", "%M", "/usr/bin/curl", "-s", "-S", "-o", output, "-w", "%{http_code}"] + args)
        let secs = Date().timeIntervalSince(t)
        XCTAssertEqual(r.out, "200", r.err)
        let kb = Int(r.err.split(separator: "\n").last ?? "") ?? 0
        return (secs, kb / 1024)
    }

    func testLargeStudyInBoundedMemory() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["CMR_WEB_BENCH"] == "1" else { throw XCTSkip("set CMR_WEB_BENCH=1 to run the large-transfer measurement") }
        _ = try Peers.tool("/usr/bin/curl")
        let o: OrthancPeer
        do { o = try OrthancPeer.start() } catch { o = try OrthancPeer.use(nil, error) }
        defer { o.stop() }
        let mb = Int(env["CMR_WEB_BENCH_MB"] ?? "") ?? 100
        let dir = try Peers.temporaryFolder(self)
        let study = "2.25.\(UInt32.random(in: 1...UInt32.max))"
        var files: [String] = []
        for i in 1...3 {
            let p = dir + "/big\(i).dcm"
            try Self.writeLargeInstance(p, uid: study + ".1.\(i)", study: study, series: study + ".1", megabytes: mb)
            files.append(p)
        }
        let c = try DICOMwebClient(base: o.base, options: .init(credentials: .basic(user: OrthancPeer.user, password: OrthancPeer.password)),
                                   transport: URLSessionTransport(idleTimeout: 120))
        let before = Self.peakResidentMiB()
        var t = Date()
        let r = try c.store(try files.map { try STOWInstance(path: $0) })
        let stowSeconds = Date().timeIntervalSince(t)
        XCTAssertTrue(r.isComplete, "\(r.instances.map(\.outcome)) \(r.error.map { "\($0)" } ?? "")")
        let afterStow = Self.peakResidentMiB()

        t = Date()
        let parts = try c.retrieve(.study(study), into: dir + "/out")
        let wadoSeconds = Date().timeIntervalSince(t)
        XCTAssertEqual(parts.count, 3)
        for (p, f) in zip(parts.sorted { $0.path < $1.path }, files) {
            XCTAssertEqual(p.size, (try FileManager.default.attributesOfItem(atPath: f)[.size] as? Int) ?? -1)
        }
        let afterWado = Self.peakResidentMiB()

        // curl: the same multipart body (prepared beforehand, streamed with -T), the same study.
        t = Date()
        var w = MultipartWriter(sink: try AtomicFileWriter(path: dir + "/body"))
        for f in files { try w.writePart(headers: [.init("Content-Type", "application/dicom")], file: f) }
        var sink = try w.close()
        try sink.commit()
        let bodySeconds = Date().timeIntervalSince(t)
        let auth = OrthancPeer.user + ":" + OrthancPeer.password
        let (curlStow, curlStowMiB) = try curl(["-u", auth, "-X", "POST", "-H", "Content-Type: " + w.contentType(), "-H", "Accept: application/dicom+json",
                                                "-H", "Expect:", "-T", dir + "/body", o.base.absoluteString + "/studies"])
        let (curlWado, curlWadoMiB) = try curl(["-u", auth, "-H", "Accept: " + DICOMwebClient.acceptDICOM(), o.base.absoluteString + "/studies/" + study])
        // curl writing the response to a file (cmr writes and syncs every part) for a fairer line.
        let (curlWadoFile, _) = try curl(["-u", auth, "-H", "Accept: " + DICOMwebClient.acceptDICOM(), o.base.absoluteString + "/studies/" + study], output: dir + "/curl-wado.bin")
        let total = 3 * mb
        let report = """
        DICOMweb bench, 3 files × \(mb) MiB (\(total) MiB), Orthanc on loopback, debug build:
          STOW  cmr \(String(format: "%.2f", stowSeconds)) s, peak RSS \(afterStow) MiB (was \(before) MiB before) | curl -T \(String(format: "%.2f", curlStow)) s, peak RSS \(curlStowMiB) MiB
          (writing the multipart body file alone, synced: \(String(format: "%.2f", bodySeconds)) s)
          WADO  cmr \(String(format: "%.2f", wadoSeconds)) s, peak RSS \(afterWado) MiB | curl \(String(format: "%.2f", curlWado)) s to /dev/null, \(String(format: "%.2f", curlWadoFile)) s to a file, peak RSS \(curlWadoMiB) MiB
        """
        print(report)
        try? report.write(toFile: NSTemporaryDirectory() + "cmr-dicomweb-bench.txt", atomically: true, encoding: .utf8)
        XCTAssertLessThan(afterWado - before, 64, "peak memory grew by \(afterWado - before) MiB for \(total) MiB of data")
    }
}
