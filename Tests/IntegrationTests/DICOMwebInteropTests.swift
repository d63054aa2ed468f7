import XCTest
import Foundation
import DICOMCore
import DICOMCoding
import DICOMweb
import CMRKit

/// The DICOMweb client against a real Orthanc with its DICOMweb plugin on loopback: store a
/// synthetic study with STOW-RS, find it with QIDO-RS, retrieve it with WADO-RS and compare.
final class DICOMwebInteropTests: XCTestCase {
    nonisolated(unsafe) static var orthanc: OrthancPeer?
    nonisolated(unsafe) static var startError: Error?

    override class func setUp() {
        super.setUp()
        do { orthanc = try OrthancPeer.start() } catch { startError = error }
    }

    override class func tearDown() {
        orthanc?.stop()
        orthanc = nil
        super.tearDown()
    }

    func peer() throws -> OrthancPeer { try OrthancPeer.use(Self.orthanc, Self.startError) }

    func client(_ o: OrthancPeer, password: String = OrthancPeer.password) throws -> DICOMwebClient {
        try DICOMwebClient(base: o.base, options: .init(credentials: .basic(user: OrthancPeer.user, password: password)),
                           transport: URLSessionTransport(idleTimeout: 20))
    }

    /// One patient, one study, CT and MR series of three 32×32 instances each; a new seed per
    /// call so tests do not see each other's studies.
    func synthesize(_ dir: String, seed: UInt64) throws -> [String] {
        var o = Synthesizer.Options()
        o.patients = 1
        o.series = ["CT", "MR"]
        o.instancesPerSeries = 3
        o.rows = 32
        o.columns = 32
        o.seed = seed
        return try Synthesizer(options: o).write(to: dir).map { $0.hasPrefix("/") ? $0 : dir + "/" + $0 }
    }

    func testStoreQueryRetrieveAndMetadata() throws {
        let o = try peer()
        let c = try client(o)
        let dir = try Peers.temporaryFolder(self)
        let files = try synthesize(dir + "/src", seed: 71)
        let instances = try files.map { try STOWInstance(path: $0) }
        let study = instances[0].studyInstanceUID

        // STOW-RS in batches of at most 4 files.
        let batches = STOWInstance.batches(instances, maxCount: 4, maxBytes: 64 << 20)
        XCTAssertEqual(batches.map(\.count), [4, 2])
        for b in batches {
            let r = try c.store(b)
            XCTAssertEqual(r.status, 200, "\(r.error.map { "\($0)" } ?? "")")
            XCTAssertTrue(r.isComplete, "\(r.instances.map(\.outcome))")
            XCTAssertNil(r.error)
        }

        // QIDO-RS: the study, its series, its instances (paged by 4).
        let studies = try c.search(QIDOQuery(.studies, keys: [.init("StudyInstanceUID", study)], includeFields: ["PatientID"]))
        XCTAssertEqual(studies.map { $0.string(.studyInstanceUID) }, [study])
        let series = try c.search(QIDOQuery(.series, study: study))
        XCTAssertEqual(Set(series.compactMap { $0.string(Tag(0x0008_0060)) }), ["CT", "MR"])
        var pages: [Int] = []
        let found = try c.searchAll(QIDOQuery(.instances, study: study), pageSize: 4) { pages.append($0.count) }
        XCTAssertEqual(pages, [4, 2])
        XCTAssertEqual(Set(found.compactMap { $0.string(.sopInstanceUID) }), Set(instances.map(\.sopInstanceUID)))

        // WADO-RS: the whole study into a folder, one file per instance, same data.
        let out = dir + "/retrieved"
        let parts = try c.retrieve(.study(study), into: out)
        XCTAssertEqual(Set(parts.compactMap(\.sopInstanceUID)), Set(instances.map(\.sopInstanceUID)))
        for i in instances {
            let original = try DICOMReader.read(contentsOf: i.path)
            let copy = try DICOMReader.read(contentsOf: out + "/" + i.sopInstanceUID + ".dcm")
            XCTAssertEqual(copy.issues, [])
            XCTAssertEqual(copy.dataSet.string(.sopInstanceUID), i.sopInstanceUID)
            XCTAssertEqual(copy.dataSet[Tag(0x7FE0_0010)]?.value.bytes, original.dataSet[Tag(0x7FE0_0010)]?.value.bytes, i.sopInstanceUID)
            XCTAssertEqual(copy.dataSet.string(Tag(0x0010_0020)), original.dataSet.string(Tag(0x0010_0020)))
        }

        // The same series streamed straight from the delegate (no spool file): the same bytes.
        let streamed = try c.retrieve(.series(study: study, series: instances[0].seriesInstanceUID), into: dir + "/streamed", spool: false)
        XCTAssertFalse(streamed.isEmpty)
        for p in streamed {
            XCTAssertEqual(FileManager.default.contents(atPath: p.path), FileManager.default.contents(atPath: out + "/" + FilePath.name(of: p.path)))
        }

        // WADO-RS frames: frame 1 of an instance, raw, equal to its Pixel Data (one frame).
        let i0 = instances[0]
        let frames = try c.retrieve(.frames(study: study, series: i0.seriesInstanceUID, instance: i0.sopInstanceUID, frames: [1]), into: dir + "/frames")
        XCTAssertEqual(frames.map { FilePath.name(of: $0.path) }, [i0.sopInstanceUID + ".frame-1.raw"])
        let pixels = try DICOMReader.read(contentsOf: i0.path).dataSet[Tag(0x7FE0_0010)]?.value.bytes ?? []
        XCTAssertEqual(frames.first.flatMap { FileManager.default.contents(atPath: $0.path) }.map(Array.init), pixels)

        // WADO-RS metadata.
        let meta = try c.metadata(.study(study))
        XCTAssertEqual(Set(meta.compactMap { $0.string(.sopInstanceUID) }), Set(instances.map(\.sopInstanceUID)))
        let one = try c.metadata(.instance(study: study, series: instances[0].seriesInstanceUID, instance: instances[0].sopInstanceUID))
        XCTAssertEqual(one.count, 1)
    }

    func testCorruptInstanceInABatchIsReportedWhileTheOthersAreStored() throws {
        let o = try peer()
        let c = try client(o)
        let dir = try Peers.temporaryFolder(self)
        let files = try synthesize(dir + "/src", seed: 72)
        var batch = try files.prefix(3).map { try STOWInstance(path: $0) }
        let junk = dir + "/junk.dcm"
        FileManager.default.createFile(atPath: junk, contents: Data(repeating: 0x42, count: 2000))
        batch.insert(STOWInstance(path: junk, sopClassUID: "1.2.840.10008.5.1.4.1.1.7", sopInstanceUID: "2.25.1", studyInstanceUID: "", size: 2000), at: 1)
        let r = try c.store(batch)
        XCTAssertNotEqual(r.instances[1].outcome, .stored)
        XCTAssertFalse(r.isComplete)
        // What Orthanc says it stored is what it has.
        let study = batch[0].studyInstanceUID
        let present = Set(try c.search(QIDOQuery(.instances, study: study)).compactMap { $0.string(.sopInstanceUID) })
        for i in r.instances where i.outcome == .stored { XCTAssertTrue(present.contains(i.instance.sopInstanceUID)) }
        XCTAssertEqual(present, Set([batch[0], batch[2], batch[3]].map(\.sopInstanceUID)), "outcomes: \(r.instances.map(\.outcome)), status \(r.status ?? 0)")
    }

    func testWrongPasswordIsAnHTTPError() throws {
        let o = try peer()
        let c = try client(o, password: "wrong")
        XCTAssertThrowsError(try c.search(QIDOQuery(.studies))) {
            XCTAssertEqual(($0 as? DICOMwebError)?.status, 401)
            XCTAssertEqual(($0 as? DICOMwebError)?.url, o.base.absoluteString + "/studies")
        }
    }

    func testUnknownStudyAndStoppedServer() throws {
        let o = try peer()
        let c = try client(o)
        XCTAssertThrowsError(try c.retrieve(.study("1.2.3.4.5.6.7.8.9"), into: try Peers.temporaryFolder(self))) {
            XCTAssertEqual(($0 as? DICOMwebError)?.status, 404, "\($0)")
        }
        let nobody = try DICOMwebClient(base: URL(string: "http://127.0.0.1:\(try OrthancPeer.freePort())/dicom-web")!)
        XCTAssertThrowsError(try nobody.search(QIDOQuery(.studies))) {
            XCTAssertEqual(($0 as? DICOMwebError)?.kind, .unavailable, "\($0)")
        }
    }
}
