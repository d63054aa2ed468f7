import XCTest
import Foundation
import DICOMCore
import DICOMCoding
import CMRKit

/// The built `cmr inspect` judged by pydicom and DCMTK on a corpus made by cmr and by DCMTK.
final class InspectCommandTests: XCTestCase {
    /// cmr's synthetic study in every encoding, DCMTK's conversions of it, and DCMTK-compressed files.
    func corpus(_ dir: String) throws -> [String] {
        var files: [String] = []
        for (i, ts) in ["explicit", "implicit", "big-endian", "deflated"].enumerated() {
            let r = try Peers.run(try Peers.cmrPath(), ["synth", "--out", "\(dir)/\(ts)", "--patients", "1", "--series", "CT,MR",
                                                        "--instances", "2", "--rows", "8", "--columns", "8",
                                                        "--seed", "\(i + 1)", "--transfer-syntax", ts, "--print-paths"])
            XCTAssertEqual(r.status, 0, r.err)
            files += r.out.split(separator: "\n").map(String.init)
        }
        let dcmconv = try Peers.tool("/usr/bin/dcmconv")
        for (flag, name) in [("+ti", "dcmtk-implicit"), ("+tb", "dcmtk-big"), ("+td", "dcmtk-deflated")] {
            let out = "\(dir)/\(name).dcm"
            XCTAssertEqual(try Peers.run(dcmconv, [flag, files[0], out]).status, 0)
            files.append(out)
        }
        let rle = "\(dir)/dcmtk-rle.dcm"
        XCTAssertEqual(try Peers.run(try Peers.tool("/usr/bin/dcmcrle"), [files[0], rle]).status, 0)
        files.append(rle)
        // A JPEG made by DCMTK from cmr's pixels, wrapped by img2dcm: encapsulated JPEG baseline.
        let jpeg = "\(dir)/frame.jpg", wrapped = "\(dir)/dcmtk-img2dcm.dcm"
        XCTAssertEqual(try Peers.run(try Peers.tool("/usr/bin/dcmj2pnm"), ["+oj", "+Wm", files[0], jpeg]).status, 0)
        XCTAssertEqual(try Peers.run(try Peers.tool("/usr/bin/img2dcm"), [jpeg, wrapped]).status, 0)
        files.append(wrapped)
        return files
    }

    func testJSONAgreesWithPydicomValueForValue() throws {
        let python = try Peers.python()
        let cmr = try Peers.cmrPath()
        let dir = try Peers.temporaryFolder(self)
        let files = try corpus(dir)
        let r = try Peers.run(cmr, ["inspect", "--json", "--no-bulk"] + files)
        XCTAssertEqual(r.status, 0, r.err)
        let check = try Peers.run(python, [Peers.root + "/Tests/IntegrationTests/Scripts/compare_json.py"] + files, stdin: r.stdout)
        XCTAssertEqual(check.status, 0, check.out + check.err)
        XCTAssertTrue(check.out.contains("compared \(files.count) files, 0 differences"), check.out)
    }

    func testSummaryAgreesWithDcmdump() throws {
        let cmr = try Peers.cmrPath()
        let dcmdump = try Peers.tool("/usr/bin/dcmdump")
        let dir = try Peers.temporaryFolder(self)
        let files = try corpus(dir)
        let r = try Peers.run(cmr, ["inspect", "--summary", "--json", dir])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(lines.count, files.count)
        for line in lines {
            let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let path = try XCTUnwrap(obj["path"] as? String)
            let d = try Peers.run(dcmdump, ["-q", "-M", "+P", "0008,0018", "+P", "0010,0010", "+P", "0002,0010", path])
            XCTAssertEqual(d.status, 0, d.err)
            XCTAssertTrue(d.out.contains("[\(obj["sopInstanceUID"] as? String ?? "?")]"), "\(path): \(d.out)")
            if let name = obj["patientName"] as? String {
                XCTAssertTrue(d.out.contains("[\(name)]"), "\(path): \(d.out)")
            }
            XCTAssertEqual(obj["schemaVersion"] as? Int, 1)
        }
    }

    func testTagValuesTreeAndErrors() throws {
        let cmr = try Peers.cmrPath()
        let dir = try Peers.temporaryFolder(self)
        let files = try corpus(dir)
        let ds = try DICOMReader.read(contentsOf: files[0]).dataSet

        let one = try Peers.run(cmr, ["inspect", "--tag", "PatientID", "--tag", "0020,000D", files[0]])
        XCTAssertEqual(one.status, 0)
        XCTAssertEqual(one.out, "\(ds.string(.patientID)!)\t\(ds.string(.studyInstanceUID)!)\n")

        let tree = try Peers.run(cmr, ["inspect", files[0]])
        XCTAssertEqual(tree.status, 0)
        XCTAssertTrue(tree.out.contains("(0010,0010) PN [\(ds.string(.patientName)!)]"), tree.out)
        XCTAssertTrue(tree.out.contains("(0009,1001) LO ["), "private element shown")

        // Paths on stdin, NUL-separated.
        let viaStdin = try Peers.run(cmr, ["inspect", "--summary", "-0", "-"], stdin: Data((files.joined(separator: "\0") + "\0").utf8))
        XCTAssertEqual(viaStdin.status, 0, viaStdin.err)
        XCTAssertEqual(viaStdin.out.split(separator: "\n").count, files.count)

        // A missing file: 66; a file that is not DICOM: 65; one good one bad: 1, the good one still printed.
        XCTAssertEqual(try Peers.run(cmr, ["inspect", dir + "/nope.dcm"]).status, 66)
        let text = dir + "/notes.txt"
        try Data("not dicom at all, just some words".utf8).write(to: URL(fileURLWithPath: text))
        let bad = try Peers.run(cmr, ["inspect", text])
        XCTAssertEqual(bad.status, 65)
        XCTAssertTrue(bad.err.contains("notes.txt"), bad.err)
        let mixed = try Peers.run(cmr, ["inspect", "--summary", files[0], text])
        XCTAssertEqual(mixed.status, 1)
        XCTAssertEqual(mixed.out.split(separator: "\n").count, 1)
        // In a folder, a non-DICOM file is skipped with a note: not a failure.
        let folder = try Peers.run(cmr, ["inspect", "--summary", dir])
        XCTAssertEqual(folder.status, 0, folder.err)
        XCTAssertTrue(folder.err.contains("skipped"), folder.err)

        // A truncated file: what could be read is printed, the problem named with offset and tag, status 65.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: files[0]))
        let cut = dir + "/cut.dcm"
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: cut))
        let truncated = try Peers.run(cmr, ["inspect", cut])
        XCTAssertEqual(truncated.status, 65)
        XCTAssertTrue(truncated.out.contains("(0010,0010) PN"), "read as far as it goes")
        XCTAssertTrue(truncated.err.contains("cut.dcm: offset") && truncated.err.contains("(7FE0,0010)") && truncated.err.contains("truncated"), truncated.err)
    }

    func testValidateFindsBadValues() throws {
        let cmr = try Peers.cmrPath()
        let dump2dcm = try Peers.tool("/usr/bin/dump2dcm")
        let dir = try Peers.temporaryFolder(self)
        let dump = dir + "/bad.dump"
        try """
        (0008,0016) UI =CTImageStorage
        (0008,0018) UI [1.2.03.4]
        (0008,0020) DA [20231301]
        (0008,0060) CS [ct]
        (0010,0010) PN [Doe^Jane]
        (0020,0013) IS [12a]
        """.write(toFile: dump, atomically: true, encoding: .utf8)
        let file = dir + "/bad.dcm"
        XCTAssertEqual(try Peers.run(dump2dcm, [dump, file]).status, 0)
        let r = try Peers.run(cmr, ["inspect", "--validate", file])
        XCTAssertEqual(r.status, 1, r.out + r.err)
        for tag in ["(0008,0018)", "(0008,0020)", "(0008,0060)", "(0020,0013)"] {
            XCTAssertTrue(r.out.contains(tag), "\(tag) not reported: \(r.out)")
        }
        XCTAssertFalse(r.out.contains("(0010,0010)"), r.out)
        let json = try Peers.run(cmr, ["inspect", "--validate", "--json", file])
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        XCTAssertEqual(obj["valid"] as? Bool, false)
        // The four bad values, and the bad UID once more in the meta header's copy of it.
        XCTAssertEqual((obj["problems"] as? [Any])?.count, 5)
    }
}
