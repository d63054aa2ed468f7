import Foundation
import XCTest

/// `cmr render` run as users run it, judged by DCMTK (`dcm2pnm`, the compressors), GDCM,
/// `pngcheck` and Pillow: synthetic CT and MR files, DCMTK-compressed copies of them, multi-frame
/// files, thumbnails, a contact sheet, the errors and exit statuses, and the audit record.
final class RenderCommandTests: XCTestCase {
    var cmr = ""
    var dir = ""
    var audit = ""

    override func setUpWithError() throws {
        cmr = try Peers.cmrPath()
        dir = try Peers.temporaryFolder(self)
        audit = dir + "/audit.log"
    }

    @discardableResult
    func render(_ args: [String], status expected: Int32? = 0, stdin: Data? = nil) throws -> Peers.Result {
        let r = try Peers.run("/usr/bin/env", ["CMR_AUDIT_LOG=\(audit)", cmr, "render"] + args, stdin: stdin)
        if let expected { XCTAssertEqual(r.status, expected, "cmr render \(args.joined(separator: " ")): \(r.err)") }
        return r
    }

    /// A synthetic study: `series` (CT, MR) with `instances` images each; the sorted file paths.
    func synth(_ name: String, series: String = "CT,MR", instances: Int = 3, frames: Int = 1, rows: Int = 64) throws -> [String] {
        let out = dir + "/" + name
        let r = try Peers.run("/usr/bin/env", ["CMR_AUDIT_LOG=\(audit)", cmr, "synth", "--out", out, "--patients", "1",
                                               "--series", series, "--instances", String(instances), "--frames", String(frames),
                                               "--rows", String(rows), "--columns", String(rows + 16), "--seed", "5", "--print-paths"])
        XCTAssertEqual(r.status, 0, r.err)
        return r.out.split(separator: "\n").map(String.init).sorted()
    }

    /// Size and every sample of PNGs, by Pillow: one [width, height, mode, [samples]] per file.
    func pixels(_ paths: [String]) throws -> [[String: AnyHashable]] {
        let python = try Peers.python()
        let script = """
            import json, sys, numpy
            from PIL import Image
            for p in sys.argv[1:]:
                im = Image.open(p)
                print(json.dumps({"w": im.width, "h": im.height, "mode": im.mode, "px": numpy.asarray(im).flatten().tolist()}))
            """
        let r = try Peers.run(python, ["-c", script] + paths)
        guard r.status == 0 else {
            XCTFail("Pillow cannot read \(paths): \(r.err)")
            throw CocoaError(.fileReadCorruptFile)
        }
        return r.out.split(separator: "\n").map { line in
            let o = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return ["w": o["w"] as! Int, "h": o["h"] as! Int, "mode": o["mode"] as! String,
                    "px": (o["px"] as! [Int]).map { String($0) }.joined(separator: ",")]
        }
    }

    func pngcheck(_ paths: [String]) throws {
        let tool = try Peers.tool("/usr/bin/pngcheck")
        let r = try Peers.run(tool, ["-q"] + paths)
        XCTAssertEqual(r.status, 0, "pngcheck: \(r.out) \(r.err)")
    }

    func testMatchesDcm2pnmAndLosslessCopiesGiveTheSamePixels() throws {
        let files = try synth("study")
        let ct = files.first { $0.contains("CT") } ?? files[0]
        let mr = files.last { $0.contains("MR") } ?? files[files.count - 1]
        let dcm2pnm = try Peers.tool("/usr/bin/dcm2pnm")
        for (name, file) in [("ct", ct), ("mr", mr)] {
            try render(["--window-index", "1", "--out", "\(dir)/\(name).png", file])
            let d = try Peers.run(dcm2pnm, ["+Wi", "1", "+on", file, "\(dir)/\(name)-dcmtk.png"])
            XCTAssertEqual(d.status, 0, d.err)
            let p = try pixels(["\(dir)/\(name).png", "\(dir)/\(name)-dcmtk.png"])
            XCTAssertEqual(p[0], p[1], "\(name): cmr render and dcm2pnm +Wi 1 differ")
            try pngcheck(["\(dir)/\(name).png"])
        }
        // Lossless compressed copies: the same PNG pixels as the uncompressed original.
        try render(["--out", "\(dir)/original.png", ct])
        var copies: [String] = []
        for (tool, options) in [("dcmcjpeg", ["+e1"]), ("dcmcjpeg", ["+el"]), ("dcmcrle", []), ("dcmcjpls", [])] {
            let path = "\(dir)/\(tool)\(options.joined()).dcm"
            let c = try Peers.run(try Peers.tool("/usr/bin/\(tool)"), options + [ct, path])
            XCTAssertEqual(c.status, 0, "\(tool): \(c.err)")
            copies.append(path)
        }
        try render(["--out", "\(dir)/copies"] + copies)
        let outputs = copies.map { "\(dir)/copies/\(URL(fileURLWithPath: $0).lastPathComponent).png" }
        let p = try pixels(["\(dir)/original.png"] + outputs)
        for (i, copy) in copies.enumerated() { XCTAssertEqual(p[i + 1], p[0], "\(copy) renders differently from its original") }
        try pngcheck(outputs)
    }

    func testFramesSizesDepthAndJSON() throws {
        let files = try synth("cine", series: "MR", instances: 1, frames: 5)
        // cmr synth repeats one picture in every frame: pydicom makes each frame its own, and
        // DCMTK's RLE encoder a compressed copy (one fragment per frame).
        let file = dir + "/cine.dcm", rle = dir + "/cine-rle.dcm"
        let script = """
            import sys, pydicom
            d = pydicom.dcmread(sys.argv[1])
            a = d.pixel_array.copy()
            for i in range(a.shape[0]):
                a[i] = (a[i].astype("int64") * (i + 1) // 2 + 50 * i).clip(0, 4095).astype(a.dtype)
            d.PixelData = a.tobytes()
            d.save_as(sys.argv[2])
            """
        let made = try Peers.run(try Peers.python(), ["-c", script, files[0], file])
        XCTAssertEqual(made.status, 0, made.err)
        XCTAssertEqual(try Peers.run(try Peers.tool("/usr/bin/dcmcrle"), [file, rle]).status, 0)
        // --frame 3 is the third frame: the same pixels as frame 3 of --all-frames.
        try render(["--frame", "3", "--out", "\(dir)/f3.png", file])
        try render(["--all-frames", "--out", "\(dir)/all", file])
        let name = URL(fileURLWithPath: file).lastPathComponent
        let all = (1...5).map { "\(dir)/all/\(name)-000\($0).png" }
        for path in all { XCTAssertTrue(FileManager.default.fileExists(atPath: path), path) }
        let p = try pixels(["\(dir)/f3.png"] + all)
        XCTAssertEqual(p[0], p[3])
        XCTAssertNotEqual(p[1], p[3], "frames 1 and 3 of the synthetic cine should differ")
        // dcm2pnm's frame 3 (+F 3 is 1-based), same window.
        let d = try Peers.run(try Peers.tool("/usr/bin/dcm2pnm"), ["+Wi", "1", "+F", "3", "+on", file, "\(dir)/f3-dcmtk.png"])
        XCTAssertEqual(d.status, 0, d.err)
        XCTAssertEqual(try pixels(["\(dir)/f3-dcmtk.png"])[0], p[0], "frame 3: cmr render and dcm2pnm +F 3 differ")
        // The RLE copy: frame 3 alone gives the same picture.
        try render(["--frame", "3", "--out", "\(dir)/f3-rle.png", rle])
        XCTAssertEqual(try pixels(["\(dir)/f3-rle.png"])[0], p[0])
        // A frame that does not exist.
        let missing = try render(["--frame", "9", "--out", "\(dir)/f9.png", file], status: 64)
        XCTAssertTrue(missing.err.contains("frame 9"), missing.err)
        // --size: fits the box, aspect ratio kept (80x64 → 40x32 in 40x40).
        let j = try render(["--size", "40x40", "--json", "--out", "\(dir)/small.png", file])
        let o = try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as! [String: Any]
        XCTAssertEqual(o["width"] as? Int, 40)
        XCTAssertEqual(o["height"] as? Int, 32)
        XCTAssertEqual(o["frame"] as? Int, 1)
        XCTAssertEqual(o["output"] as? String, "\(dir)/small.png")
        XCTAssertNotNil(o["window"] as? String)
        let small = try pixels(["\(dir)/small.png"])[0]
        XCTAssertEqual(small["w"], 40)
        XCTAssertEqual(small["h"], 32)
        // 16-bit grey, and one PNG on standard output.
        try render(["--depth", "16", "--out", "\(dir)/deep.png", file])
        XCTAssertEqual(try pixels(["\(dir)/deep.png"])[0]["mode"], "I;16")
        let piped = try render(["--out", "-", file])
        try piped.stdout.write(to: URL(fileURLWithPath: "\(dir)/piped.png"))
        XCTAssertEqual(try pixels(["\(dir)/piped.png"])[0], p[1])
        try pngcheck(all + ["\(dir)/small.png", "\(dir)/deep.png", "\(dir)/piped.png"])
    }

    func testFolderMirrorsTheTreeAndContactSheetHasOneTilePerSeries() throws {
        let files = try synth("tree", series: "CT,MR", instances: 3)
        let r = try render(["--print-paths", "--out", "\(dir)/png", "\(dir)/tree"])
        let printed = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(printed.count, files.count)
        for f in files {
            let inside = String(f.dropFirst(dir.count + 1))      // tree/…
            XCTAssertTrue(printed.contains("\(dir)/png/\(inside).png"), "\(inside) not mirrored: \(printed)")
        }
        // Two series → two 64x64 tiles side by side with 4-pixel gaps, each captioned.
        let j = try render(["--contact-sheet", "--size", "64x64", "--json", "--out", "\(dir)/sheet.png", "\(dir)/tree"])
        let o = try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as! [String: Any]
        XCTAssertEqual((o["tiles"] as? [String])?.count, 2)
        let sheet = try pixels(["\(dir)/sheet.png"])[0]
        XCTAssertEqual(sheet["w"], 2 * 64 + 3 * 4)
        XCTAssertEqual(sheet["h"], 64 + 11 + 2 * 4, "a tile, its caption strip (5x7 font + 4) and the gaps")
        try pngcheck(["\(dir)/sheet.png"])
        // The audit record: instances accessed, read, with the export's details.
        let show = try Peers.run(cmr, ["audit", "show", "--json", audit])
        let records = show.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let renders = records.filter { (($0["event"] as? [String: Any])?["name"] as? String) == "render" }
        XCTAssertEqual(renders.count, 2)
        let event = renders[0]["event"] as? [String: Any]
        XCTAssertEqual(event?["code"] as? String, "110103")
        XCTAssertEqual(event?["action"] as? String, "R")
        let details = renders[0]["details"] as? [String: String]
        XCTAssertEqual(details?["outputs"], String(files.count))
        XCTAssertEqual(details?["format"], "png")
        XCTAssertEqual((renders[0]["objects"] as? [Any])?.count, files.count)
        XCTAssertEqual(renders[1]["details"].flatMap { ($0 as? [String: String])?["contact-sheet"] }, "true")
        XCTAssertEqual(try Peers.run(cmr, ["audit", "verify", audit]).status, 0)
    }

    func testErrorsAndExitStatuses() throws {
        let files = try synth("bad", series: "CT", instances: 1)
        let good = files[0]
        // Existing output: 73, and the file is left alone; --overwrite replaces it.
        try render(["--out", "\(dir)/x.png", good])
        let again = try render(["--out", "\(dir)/x.png", good], status: 73)
        XCTAssertTrue(again.err.contains("already exists"), again.err)
        try render(["--overwrite", "--out", "\(dir)/x.png", good])
        // Not DICOM: 65, named.
        let text = dir + "/notes.txt"
        try Data("not an image\n".utf8).write(to: URL(fileURLWithPath: text))
        let notDICOM = try render(["--out", "\(dir)/n.png", text], status: 65)
        XCTAssertTrue(notDICOM.err.contains("notes.txt"), notDICOM.err)
        // Missing: 66.
        try render(["--out", "\(dir)/m.png", dir + "/absent.dcm"], status: 66)
        // JPEG 2000: 65, naming the syntax, with the workaround as hint.
        if let gdcmconv = try? Peers.tool("/usr/bin/gdcmconv") {
            let j2k = dir + "/j2k.dcm"
            let c = try Peers.run(gdcmconv, ["--j2k", good, j2k])
            XCTAssertEqual(c.status, 0, c.err)
            let r = try render(["--out", "\(dir)/j.png", j2k], status: 65)
            XCTAssertTrue(r.err.contains("JPEG 2000"), r.err)
            XCTAssertTrue(r.err.contains("hint:") && r.err.contains("gdcmconv --raw"), r.err)
        }
        // A damaged RLE stream: 65, naming the file and the frame (1-based), nothing written.
        let rle = dir + "/rle.dcm", cut = dir + "/cut.dcm"
        XCTAssertEqual(try Peers.run(try Peers.tool("/usr/bin/dcmcrle"), [good, rle]).status, 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: rle))
        for i in (bytes.count - 400)..<(bytes.count - 100) { bytes[i] = 0x80 }   // RLE no-ops: rows come out short
        try bytes.write(to: URL(fileURLWithPath: cut))
        let damaged = try render(["--out", "\(dir)/cut.png", cut], status: 65)
        XCTAssertTrue(damaged.err.contains("cut.dcm: frame 1: RLE"), damaged.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/cut.png"))
        // A batch goes on past a bad file: 1, the good one written.
        let batch = try render(["--out", "\(dir)/batch", good, text, dir + "/absent.dcm"], status: 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/batch/\(URL(fileURLWithPath: good).lastPathComponent).png"), batch.err)
        // Standard output takes one frame only.
        try render(["--out", "-", good, good], status: 64)
    }
}
