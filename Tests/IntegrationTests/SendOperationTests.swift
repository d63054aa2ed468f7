import Foundation
import XCTest
import DICOMCore
import DICOMCoding
import DICOMNetwork
@testable import CMRKit

/// The parts of `cmr send` that need no peer: the presentation plan, the exit status rules, and
/// transcoding of compressed files judged by DCMTK's own decompressors.
final class SendOperationTests: XCTestCase {
    func testPlanProposesEachPairAndTheFallbackAndSplitsPast128Contexts() {
        let pairs = (1...100).map { (sopClass: "1.2.3.\($0)", transferSyntax: TransferSyntax.explicitVRLittleEndianUID) }
            + [(sopClass: "1.2.3.1", transferSyntax: "1.2.840.10008.1.2.5")]
        let plan = PresentationPlan(pairs: pairs)
        XCTAssertEqual(plan.groups.count, 2)
        XCTAssertTrue(plan.groups.allSatisfy { $0.proposals.count <= 128 })
        XCTAssertEqual(plan.groups.map(\.proposals.count).reduce(0, +), 100 * 2 + 1)
        // Every class in exactly one group, with all its contexts there.
        for sop in Set(pairs.map(\.sopClass)) {
            XCTAssertEqual(plan.groups.filter { $0.sopClasses.contains(sop) }.count, 1)
            let g = plan.groups[plan.group(of: sop)!]
            XCTAssertTrue(g.proposals.contains { $0.abstractSyntax == sop && $0.transferSyntaxes == PresentationPlan.fallback })
        }
        let first = plan.groups[plan.group(of: "1.2.3.1")!].proposals.filter { $0.abstractSyntax == "1.2.3.1" }.map(\.transferSyntaxes)
        XCTAssertEqual(first, [[TransferSyntax.explicitVRLittleEndianUID], ["1.2.840.10008.1.2.5"], PresentationPlan.fallback])
    }

    func testExitStatusRules() {
        func records(_ statuses: [(TransferRecord.Status, Int32?)]) -> ([TransferRecord], TransferSummary) {
            var summary = TransferSummary(command: "send", peer: "p")
            let rs = statuses.map { s -> TransferRecord in
                var r = TransferRecord(path: "f", status: s.0)
                r.exitStatus = s.1
                summary.count(r)
                return r
            }
            return (rs, summary)
        }
        let lost = CMRError(.peerUnavailable, "lost")
        var (r, s) = records([(.stored, nil), (.skipped, nil), (.warning, nil)])
        XCTAssertEqual(SendOperation.exitStatus(r, summary: s, stop: nil, deadlinePassed: false), 0)
        (r, s) = records([(.stored, nil), (.failed, 69)])
        XCTAssertEqual(SendOperation.exitStatus(r, summary: s, stop: lost, deadlinePassed: false), 1)
        XCTAssertEqual(SendOperation.exitStatus(r, summary: s, stop: lost, deadlinePassed: true), 75)
        (r, s) = records([(.failed, 69), (.failed, 69)])
        XCTAssertEqual(SendOperation.exitStatus(r, summary: s, stop: lost, deadlinePassed: false), 69)
        (r, s) = records([(.failed, 77), (.failed, 77)])
        XCTAssertEqual(SendOperation.exitStatus(r, summary: s, stop: nil, deadlinePassed: false), 77)
        (r, s) = records([(.failed, 77), (.failed, 1)])
        XCTAssertEqual(SendOperation.exitStatus(r, summary: s, stop: nil, deadlinePassed: false), 1)
    }

    /// JPEG lossless (SV1) and JPEG-LS files made by DCMTK, transcoded for a peer that takes only
    /// implicit VR little endian: the pixels equal the original's, and what dcmdjpeg/dcmdjpls give.
    func testCompressedFilesDecodeToTheOriginalPixels() throws {
        let dir = try Peers.temporaryFolder(self)
        var o = Synthesizer.Options()
        (o.patients, o.series, o.instancesPerSeries, o.rows, o.columns) = (1, ["CT"], 1, 48, 40)
        let original = try Synthesizer(options: o).write(to: dir + "/src")[0]
        let pixels = try DICOMReader.read(contentsOf: original).dataSet[.pixelData]?.value.bytes
        for (compressor, args, decompressor) in [("/usr/bin/dcmcjpeg", ["+e1"], "/usr/bin/dcmdjpeg"), ("/usr/bin/dcmcjpls", [], "/usr/bin/dcmdjpls")] {
            let compressed = dir + "/c.dcm", judged = dir + "/d.dcm"
            XCTAssertEqual(try Peers.run(try Peers.tool(compressor), args + [original, compressed]).status, 0)
            XCTAssertEqual(try Peers.run(try Peers.tool(decompressor), [compressed, judged]).status, 0)
            let source = try DICOMFileSource(path: compressed)
            XCTAssertTrue(TransferSyntax(uid: source.transferSyntaxUID).isEncapsulated)
            let (bytes, ts) = try SendTranscoder.transcode(source, into: [TransferSyntax.implicitVRLittleEndianUID])
            XCTAssertEqual(ts, TransferSyntax.implicitVRLittleEndianUID)
            let sent = try DICOMReader.read(ByteStorage(bytes)).dataSet
            let dcmtk = try DICOMReader.read(contentsOf: judged).dataSet
            XCTAssertEqual(sent[.pixelData]?.value.bytes, pixels, compressor)
            XCTAssertEqual(sent[.pixelData]?.value.bytes, dcmtk[.pixelData]?.value.bytes, decompressor)
            XCTAssertEqual(sent.string(.photometricInterpretation), dcmtk.string(.photometricInterpretation))
        }
        // Nothing is compressed: a peer that takes only JPEG gets no uncompressed file.
        XCTAssertThrowsError(try SendTranscoder.transcode(try DICOMFileSource(path: original), into: ["1.2.840.10008.1.2.4.70"]))
    }

    /// An RGB image that dcmcjpeg +eb turns into JPEG baseline YBR_FULL_422: transcoded, it is RGB
    /// with the Planar Configuration dcmdjpeg writes, and pixels within the rounding of two IDCTs.
    func testJPEGBaselineYBRBecomesRGBAsDcmdjpegMakesIt() throws {
        let dir = try Peers.temporaryFolder(self)
        var f = PixelFixture()
        (f.bitsAllocated, f.bitsStored, f.samplesPerPixel, f.photometric) = (8, 8, 3, "RGB")
        f.samples = (0..<(32 * 32)).flatMap { i in [i % 32 * 8, i / 32 * 8, 128] }
        let original = try f.write(dir + "/rgb.dcm")
        let compressed = dir + "/ybr.dcm", judged = dir + "/d.dcm"
        XCTAssertEqual(try Peers.run(try Peers.tool("/usr/bin/dcmcjpeg"), ["+eb", original, compressed]).status, 0)
        XCTAssertEqual(try Peers.run(try Peers.tool("/usr/bin/dcmdjpeg"), [compressed, judged]).status, 0)
        XCTAssertEqual(try DICOMReader.read(contentsOf: compressed).dataSet.string(.photometricInterpretation), "YBR_FULL_422")
        let (bytes, _) = try SendTranscoder.transcode(try DICOMFileSource(path: compressed), into: [TransferSyntax.explicitVRLittleEndianUID])
        let sent = try DICOMReader.read(ByteStorage(bytes)).dataSet
        let dcmtk = try DICOMReader.read(contentsOf: judged).dataSet
        XCTAssertEqual(sent.string(.photometricInterpretation), "RGB")
        XCTAssertEqual(dcmtk.string(.photometricInterpretation), "RGB")
        XCTAssertEqual(sent.int(.planarConfiguration), dcmtk.int(.planarConfiguration))
        let a = sent[.pixelData]?.value.bytes ?? [], b = dcmtk[.pixelData]?.value.bytes ?? []
        XCTAssertEqual(a.count, b.count)
        let worst = zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 3, "largest difference from dcmdjpeg")
    }
}
