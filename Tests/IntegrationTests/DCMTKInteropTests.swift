import XCTest
import Foundation
import DICOMCore
import DICOMCoding
import CMRKit

/// cmr's reader and writer judged by DCMTK and dicom3tools on a corpus the test builds:
/// cmr writes a synthetic study, DCMTK converts it into every encoding (and compresses it),
/// cmr must read every variant back to the same values, and what cmr writes must pass DCMTK.
final class DCMTKInteropTests: XCTestCase {
    func makeStudy(_ dir: String, ts: TransferSyntax = .explicitVRLittleEndian) throws -> [String] {
        var o = Synthesizer.Options()
        o.patients = 1
        o.series = ["CT", "MR"]
        o.instancesPerSeries = 2
        o.rows = 16
        o.columns = 16
        o.transferSyntax = ts
        return try Synthesizer(options: o).write(to: dir)
    }

    /// (path, VR, bytes) of every element, recursively, for comparing data sets.
    func flatten(_ ds: DataSet, prefix: String = "", privateVR: Bool = true) -> [String] {
        var out: [String] = []
        for e in ds {
            let key = prefix + e.tag.description
            switch e.value {
            case .sequence(let s):
                out.append(key + " SQ \(s.items.count)")
                for (i, item) in s.items.enumerated() { out += flatten(item.dataSet, prefix: key + "[\(i)]", privateVR: privateVR) }
            case .fragments(let f):
                out.append(key + " fragments \(f.fragments.count)")
            case .bytes, .bulk:
                var b = e.value.bytes
                if b.count % 2 == 1 { b.append(e.vr.paddingByte) }
                out.append(key + " " + (privateVR || !e.tag.isPrivate ? e.vr.rawValue : "") + " " + b.map { String($0, radix: 16) }.joined(separator: " "))
            }
        }
        return out
    }

    func testEveryDCMTKEncodingReadsBackTheSameValues() throws {
        let dcmconv = try Peers.tool("/usr/bin/dcmconv")
        let dir = try Peers.temporaryFolder(self)
        let files = try makeStudy(dir + "/src")
        for path in files {
            let original = try DICOMReader.read(contentsOf: path)
            XCTAssertEqual(original.issues, [])
            for (flag, uid) in [("+ti", "1.2.840.10008.1.2"), ("+te", "1.2.840.10008.1.2.1"),
                                ("+tb", "1.2.840.10008.1.2.2"), ("+td", "1.2.840.10008.1.2.1.99")] {
                let out = dir + "/conv" + flag + ".dcm"
                try? FileManager.default.removeItem(atPath: out)
                let r = try Peers.run(dcmconv, [flag, path, out])
                XCTAssertEqual(r.status, 0, r.err)
                let converted = try DICOMReader.read(contentsOf: out)
                XCTAssertEqual(converted.transferSyntax.uid, uid)
                XCTAssertEqual(converted.issues, [], "\(flag): \(converted.issues)")
                // Implicit VR cannot carry the VR of private elements: they read back as UN (DCMTK too).
                let a = flatten(converted.dataSet, privateVR: flag != "+ti"), b = flatten(original.dataSet, privateVR: flag != "+ti")
                XCTAssertEqual(a.count, b.count, "\(flag) \(path)")
                for (x, y) in zip(a, b) where x != y {
                    XCTFail("\(flag) \(path): DCMTK's file reads \(x), cmr wrote \(y)")
                    break
                }
                XCTAssertEqual(converted.dataSet.string(.patientName), original.dataSet.string(.patientName))
            }
        }
    }

    func testFilesCmrWritesInEveryEncodingPassDcmdump() throws {
        let dcmdump = try Peers.tool("/usr/bin/dcmdump")
        let dir = try Peers.temporaryFolder(self)
        for ts in [TransferSyntax.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian, .deflatedExplicitVRLittleEndian] {
            let files = try makeStudy(dir + "/" + ts.uid, ts: ts)
            for path in files {
                let r = try Peers.run(dcmdump, ["-dc", "+L", "-q", path])
                XCTAssertEqual(r.status, 0, "\(ts.name): \(r.err)")
                XCTAssertFalse(r.err.contains("E:") || r.err.contains("W:"), "\(ts.name): \(r.err)")
                XCTAssertTrue(r.out.contains("(0010,0010) PN ["), r.out)
                // DCMTK sees the same patient name and pixel spacing as cmr wrote.
                let mine = try DICOMReader.read(contentsOf: path).dataSet
                XCTAssertTrue(r.out.contains("[" + (mine.string(.patientName) ?? "?") + "]"), r.out)
                XCTAssertTrue(r.out.contains("(0002,0010) UI =\(dcmtkName(ts))") || r.out.contains(ts.uid), r.out)
            }
        }
    }

    func dcmtkName(_ ts: TransferSyntax) -> String {
        switch ts.uid {
        case "1.2.840.10008.1.2": return "LittleEndianImplicit"
        case "1.2.840.10008.1.2.1": return "LittleEndianExplicit"
        case "1.2.840.10008.1.2.2": return "BigEndianExplicit"
        default: return "DeflatedLittleEndianExplicit"
        }
    }

    func testCompressedFilesFromDCMTKAreReadAndRewrittenIntact() throws {
        let dir = try Peers.temporaryFolder(self)
        let files = try makeStudy(dir + "/src")
        for (tool, flags, uid) in [("/usr/bin/dcmcrle", [String](), "1.2.840.10008.1.2.5"),
                                   ("/usr/bin/dcmcjpeg", ["+e1"], "1.2.840.10008.1.2.4.70"),
                                   ("/usr/bin/dcmcjpls", [String](), "1.2.840.10008.1.2.4.80")] {
            let exe = try Peers.tool(tool)
            let out = dir + "/c-" + (tool as NSString).lastPathComponent + ".dcm"
            let r = try Peers.run(exe, flags + [files[0], out])
            XCTAssertEqual(r.status, 0, r.err)
            let f = try DICOMReader.read(contentsOf: out)
            XCTAssertEqual(f.transferSyntax.uid, uid)
            XCTAssertEqual(f.issues, [])
            guard case .fragments(let frags)? = f.dataSet[.pixelData]?.value else { XCTFail("\(tool): no fragments"); continue }
            XCTAssertGreaterThan(frags.fragments.count, 0)
            // Rewritten by cmr (same transfer syntax), DCMTK decompresses it to the original pixels.
            let rewritten = dir + "/rw-" + (tool as NSString).lastPathComponent + ".dcm"
            try AtomicFileWriter.write(to: rewritten) { try DICOMWriter.write(f, to: &$0) }
            let back = dir + "/back-" + (tool as NSString).lastPathComponent + ".dcm"
            let d = try Peers.run(try Peers.tool("/usr/bin/" + decompressor(uid)), [rewritten, back])
            XCTAssertEqual(d.status, 0, d.err)
            let orig = try DICOMReader.read(contentsOf: files[0])
            let decoded = try DICOMReader.read(contentsOf: back)
            XCTAssertEqual(decoded.dataSet[.pixelData]?.value.bytes, orig.dataSet[.pixelData]?.value.bytes, tool)
        }
    }

    func testImg2dcmJPEGIsReadAsEncapsulatedBaseline() throws {
        let dir = try Peers.temporaryFolder(self)
        let files = try makeStudy(dir + "/src")
        let jpeg = dir + "/frame.jpg", wrapped = dir + "/wrapped.dcm"
        XCTAssertEqual(try Peers.run(try Peers.tool("/usr/bin/dcmj2pnm"), ["+oj", "+Wm", files[0], jpeg]).status, 0)
        XCTAssertEqual(try Peers.run(try Peers.tool("/usr/bin/img2dcm"), [jpeg, wrapped]).status, 0)
        let f = try DICOMReader.read(contentsOf: wrapped)
        XCTAssertEqual(f.transferSyntax.uid, "1.2.840.10008.1.2.4.50")
        XCTAssertEqual(f.issues, [])
        guard case .fragments(let frags)? = f.dataSet[.pixelData]?.value else { return XCTFail("no fragments") }
        // img2dcm drops the JFIF APPn segments but keeps the coded image: SOI first, EOI last.
        var joined = frags.fragments.flatMap { $0.withUnsafeBytes { Array($0) } }
        while joined.last == 0 { joined.removeLast() }
        XCTAssertEqual(Array(joined.prefix(2)), [0xFF, 0xD8])
        XCTAssertEqual(Array(joined.suffix(2)), [0xFF, 0xD9])
        XCTAssertEqual(f.dataSet.int(.rows), 16)
    }

    func decompressor(_ uid: String) -> String {
        switch uid {
        case "1.2.840.10008.1.2.5": return "dcmdrle"
        case "1.2.840.10008.1.2.4.80": return "dcmdjpls"
        default: return "dcmdjpeg"
        }
    }

    func testDciodvfyFindsNoNewErrorsInFilesCmrWrites() throws {
        let dciodvfy = try Peers.tool("/usr/bin/dciodvfy")
        let dcmconv = try Peers.tool("/usr/bin/dcmconv")
        let dir = try Peers.temporaryFolder(self)
        let files = try makeStudy(dir + "/src")
        for path in files {
            // The same data written by DCMTK is the baseline: cmr's encoding must add no error.
            let baseline = dir + "/baseline.dcm"
            try? FileManager.default.removeItem(atPath: baseline)
            XCTAssertEqual(try Peers.run(dcmconv, ["+te", path, baseline]).status, 0)
            let mine = errors(try Peers.run(dciodvfy, [path]))
            let theirs = errors(try Peers.run(dciodvfy, [baseline]))
            XCTAssertEqual(mine.subtracting(theirs), [], "dciodvfy errors only in cmr's file \(path)")
        }
    }

    func errors(_ r: Peers.Result) -> Set<String> {
        Set((r.out + r.err).split(separator: "\n").filter { $0.hasPrefix("Error") }.map(String.init))
    }
}
