import Foundation
import XCTest
import DICOMCore
import DICOMCoding
import DICOMImaging

/// The pixel pipeline judged by DCMTK's dcm2pnm (same file, same VOI choice, PGM/PPM output) and by
/// pydicom. Each comparison prints its largest difference so the figures can be quoted.
final class PixelPipelineTests: XCTestCase {
    /// Renders `fixture` with cmr (`options`) and with `dcm2pnm args`, and returns the largest
    /// sample difference; fails when it is above `tolerance`.
    @discardableResult
    func compare(_ fixture: PixelFixture, _ args: [String], _ options: RenderOptions, tolerance: Int = 0,
                 _ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let dcm2pnm = try Peers.tool("/usr/bin/dcm2pnm")
        let dir = try Peers.temporaryFolder(self, name)
        let path = try fixture.write(dir + "/in.dcm")
        let out = dir + "/out.pnm"
        let r = try Peers.run(dcm2pnm, args + [options.depth == 16 ? "+opw" : "+op", path, out])
        XCTAssertEqual(r.status, 0, "\(name): dcm2pnm \(args): \(r.err)", file: file, line: line)
        let theirs = try PNM(path: out)
        let (ds, frame) = try PixelFixture.frame(path, description: fixture.description)
        let ours = try PixelPipeline.render(frame, dataSet: ds, options: options).image
        XCTAssertEqual(ours.width, theirs.width, file: file, line: line)
        XCTAssertEqual(ours.height, theirs.height, file: file, line: line)
        let a = ours.samples, b = theirs.samples
        XCTAssertEqual(a.count, b.count, "\(name): sample counts", file: file, line: line)
        var maxDiff = 0, differing = 0, firstAt = -1
        for i in 0..<min(a.count, b.count) where a[i] != b[i] {
            differing += 1
            if firstAt < 0 { firstAt = i }
            maxDiff = max(maxDiff, abs(a[i] - b[i]))
        }
        print("PixelPipeline vs dcm2pnm \(args.joined(separator: " ")) [\(name)]: max difference \(maxDiff), \(differing) of \(a.count) samples differ")
        if maxDiff > tolerance {
            let s = firstAt / (fixture.samplesPerPixel == 3 || fixture.photometric == "PALETTE COLOR" ? 3 : 1)
            XCTFail("\(name): max difference \(maxDiff) > \(tolerance); first at sample \(firstAt) (stored \(fixture.samples.indices.contains(s) ? fixture.samples[s] : -1)): cmr \(a[firstAt]), dcm2pnm \(b[firstAt])",
                    file: file, line: line)
        }
        return maxDiff
    }

    /// A 64×64 12-bit image spanning the whole stored range, with Window Center/Width pairs,
    /// rescale (intercept, slope) and further attributes when given.
    func ct(signed: Bool = true, rows: Int = 64, columns: Int = 64, windows: [(String, String)] = [], rescale: (String, String)? = nil,
            attributes: @escaping (inout DataSet) -> Void = { _ in }) -> PixelFixture {
        var f = PixelFixture()
        f.rows = rows
        f.columns = columns
        f.signed = signed
        f.samples = signed ? PixelFixture.spread(rows * columns, -2048, 2047) : PixelFixture.spread(rows * columns, 0, 4095)
        f.attributes = { ds in
            if !windows.isEmpty {
                ds.setStrings(.windowCenter, windows.map(\.0), vr: .DS)
                ds.setStrings(.windowWidth, windows.map(\.1), vr: .DS)
            }
            if let rescale {
                ds.setStrings(.rescaleIntercept, [rescale.0], vr: .DS)
                ds.setStrings(.rescaleSlope, [rescale.1], vr: .DS)
            }
            attributes(&ds)
        }
        return f
    }

    // MARK: Greyscale against dcm2pnm

    func testSignedCTWithRescaleAndFileWindows() throws {
        let f = ct(windows: [("40", "400"), ("-600.5", "1501")], rescale: ("-1024", "1"))
        try compare(f, ["+Wi", "1"], RenderOptions(window: .fileWindow(index: 0)), "CT window 1")
        try compare(f, ["+Wi", "2"], RenderOptions(window: .fileWindow(index: 1)), "CT window 2")
        try compare(f, ["+Wi", "1"], RenderOptions(), "CT automatic = window 1")
        try compare(f, ["+Wi", "1"], RenderOptions(window: .fileWindow(index: 0), depth: 16), "CT window 1, 16-bit")
    }

    func testExplicitWindowsAtTheEdges() throws {
        let f = ct(signed: false)
        for (c, w) in [(2048.0, 4096.0), (1000, 1), (1000, 2), (1000.5, 3), (37.25, 100.5), (4095, 10), (0, 50)] {
            try compare(f, ["+Ww", "\(c)", "\(w)"], RenderOptions(window: .explicit(center: c, width: w)), "window \(c)/\(w)")
        }
        try compare(f, ["+Ww", "1500", "800"], RenderOptions(window: .explicit(center: 1500, width: 800), depth: 16), "window 16-bit")
    }

    func testMinMaxWindow() throws {
        try compare(ct(), ["+Wm"], RenderOptions(window: .minMax), "signed min-max")
        var f = ct(signed: false)
        f.samples = PixelFixture.spread(64 * 64, 100, 3000)
        try compare(f, ["+Wm"], RenderOptions(window: .minMax), "unsigned min-max")
    }

    func testNoWindowingIsTheFullRange() throws {
        try compare(ct(), ["-W"], RenderOptions(window: .fullRange), "signed full range")
        try compare(ct(signed: false), ["-W"], RenderOptions(window: .fullRange), "unsigned full range")
        try compare(ct(signed: false), ["-W"], RenderOptions(window: .fullRange, depth: 16), "unsigned full range 16-bit")
    }

    func testSigmoid() throws {
        let f = ct(signed: false)
        try compare(f, ["+Ww", "2000", "1000", "+Wfs"], RenderOptions(window: .explicit(center: 2000, width: 1000, function: .sigmoid)), "sigmoid")
        let g = ct(signed: false, windows: [("1000", "700")]) { $0.setString(.voilutFunction, "SIGMOID") }
        try compare(g, ["+Wi", "1"], RenderOptions(), "sigmoid from file")
    }

    func testMonochrome1() throws {
        var f = ct(signed: false, windows: [("1800", "2501")])
        f.photometric = "MONOCHROME1"
        try compare(f, ["+Wi", "1"], RenderOptions(), "MONOCHROME1 window")
        try compare(f, ["+Ww", "100", "50"], RenderOptions(window: .explicit(center: 100, width: 50)), "MONOCHROME1 narrow window")
        try compare(f, ["+Wm"], RenderOptions(window: .minMax), "MONOCHROME1 min-max")
        try compare(f, ["+Wi", "1"], RenderOptions(depth: 16), "MONOCHROME1 16-bit")
    }

    /// Where cmr follows the standard rather than DCMTK 3.6.7, the difference is measured and pinned:
    /// inverted VOI LUT and no-VOI output (DCMTK scales by one level less when inverting, so its
    /// darkest level is 1: at most 1 level apart). Inverted sigmoid and MONOCHROME1 with Presentation
    /// LUT Shape INVERSE (one inversion, not two) agree exactly.
    func testDocumentedDifferencesFromDCMTK() throws {
        var lut = ct(signed: false) { ds in
            var item = DataSet()
            item.setInts(.lutDescriptor, [4096, 0, 12], vr: .US)
            item.setInts(.lutData, Array(0..<4096), vr: .US)
            ds.setItems(.voilutSequence, [item])
        }
        lut.photometric = "MONOCHROME1"
        let a = try compare(lut, ["+Wl", "1"], RenderOptions(window: .fileLUT(index: 0)), tolerance: 1, "MONOCHROME1 VOI LUT")
        let b = try compare(lut, ["-W"], RenderOptions(window: .fullRange), tolerance: 1, "MONOCHROME1 no VOI")
        var s = ct(signed: false)
        s.photometric = "MONOCHROME1"
        let c = try compare(s, ["+Ww", "2000", "1000", "+Wfs"], RenderOptions(window: .explicit(center: 2000, width: 1000, function: .sigmoid)),
                            "MONOCHROME1 sigmoid")
        var both = ct(signed: false, windows: [("2048", "4096")]) { $0.setString(.presentationLUTShape, "INVERSE") }
        both.photometric = "MONOCHROME1"
        let d = try compare(both, ["+Wi", "1"], RenderOptions(), "MONOCHROME1 with INVERSE shape")
        // DCMTK 3.6.7 has no LINEAR_EXACT: it renders such a window as LINEAR.
        let exact = ct(signed: false, windows: [("1000.5", "301")]) { $0.setString(.voilutFunction, "LINEAR_EXACT") }
        try compare(exact, ["+Wi", "1"], RenderOptions(window: .explicit(center: 1000.5, width: 301, function: .linear)), "LINEAR_EXACT in DCMTK is LINEAR")
        let e = try compare(exact, ["+Wi", "1"], RenderOptions(), tolerance: 1, "LINEAR_EXACT per the standard")
        print("documented differences from DCMTK: inverted VOI LUT \(a), inverted no-VOI \(b), inverted sigmoid \(c), MONOCHROME1+INVERSE \(d), LINEAR_EXACT \(e)")
    }

    func testPresentationLUTShapeInverse() throws {
        let f = ct(signed: false, windows: [("2048", "4096")]) { $0.setString(.presentationLUTShape, "INVERSE") }
        try compare(f, ["+Wi", "1"], RenderOptions(), "INVERSE shape")
    }

    func testEightBitAndOneBit() throws {
        var f = PixelFixture()
        f.bitsAllocated = 8
        f.bitsStored = 8
        f.samples = PixelFixture.spread(32 * 32, 0, 255)
        try compare(f, ["+Ww", "128", "256"], RenderOptions(window: .explicit(center: 128, width: 256)), "8-bit")
        try compare(f, ["+Wm"], RenderOptions(window: .minMax), "8-bit min-max")
        f.bitsStored = 7
        f.signed = true
        f.samples = PixelFixture.spread(32 * 32, -64, 63)
        try compare(f, ["+Wm"], RenderOptions(window: .minMax), "7-bit signed in 8")
        var b = PixelFixture()
        b.bitsAllocated = 1
        b.bitsStored = 1
        b.samples = (0..<(32 * 32)).map { ($0 / 3 + $0 / 32) & 1 }
        try compare(b, ["+Wm"], RenderOptions(window: .minMax), "1-bit")
    }

    func testSixteenBitStoredSigned() throws {
        var f = PixelFixture()
        f.bitsStored = 16
        f.signed = true
        f.samples = PixelFixture.spread(64 * 64, -32768, 32767)
        try compare(f, ["+Ww", "0", "20000"], RenderOptions(window: .explicit(center: 0, width: 20000)), "16-bit signed")
        try compare(f, ["+Wm"], RenderOptions(window: .minMax), "16-bit signed min-max")
    }

    func testVOILUTSequence() throws {
        let lut12 = (0..<1024).map { ($0 * $0) / 256 }  // 0 ... 4088: a 12-bit curve
        let f = ct(signed: false) { ds in
            var item = DataSet()
            item.setInts(.lutDescriptor, [1024, 1000, 12], vr: .US)
            item.setInts(.lutData, lut12, vr: .US)
            ds.setItems(.voilutSequence, [item])
        }
        try compare(f, ["+Wl", "1"], RenderOptions(window: .fileLUT(index: 0)), "VOI LUT 12-bit, first mapped 1000")
        try compare(f, ["+Wl", "1"], RenderOptions(), "automatic = VOI LUT")
        try compare(f, ["+Wl", "1"], RenderOptions(window: .fileLUT(index: 0), depth: 16), "VOI LUT 16-bit output")
        let g = ct(signed: false) { ds in
            var item = DataSet()
            item.setInts(.lutDescriptor, [256, 0, 8], vr: .US)
            item.setInts(.lutData, (0..<256).map { 255 - $0 }, vr: .US)
            ds.setItems(.voilutSequence, [item])
        }
        try compare(g, ["+Wl", "1"], RenderOptions(window: .fileLUT(index: 0)), "VOI LUT 8-bit")
    }

    func testModalityLUTSequence() throws {
        var f = ct(signed: false, windows: [("25000", "9000")]) { ds in
            var item = DataSet()
            item.setInts(.lutDescriptor, [2048, 1024, 16], vr: .US)
            item.setInts(.lutData, (0..<2048).map { 30000 - $0 * 7 }, vr: .US)
            ds.setItems(.modalityLUTSequence, [item])
        }
        try compare(f, ["+Wi", "1"], RenderOptions(), "modality LUT + window")
        try compare(f, ["+Wm"], RenderOptions(window: .minMax), "modality LUT + min-max")
        try compare(f, ["-W"], RenderOptions(window: .fullRange), "modality LUT, no VOI")
        f.signed = true
        f.samples = PixelFixture.spread(64 * 64, -2048, 2047)
        try compare(f, ["+Wi", "1"], RenderOptions(), "modality LUT, signed input")
    }

    func testNonIntegerRescale() throws {
        let f = ct(windows: [("-1000", "600")], rescale: ("-1000.25", "0.5"))
        // DCMTK keeps rescaled values in integers (truncated toward zero); cmr keeps them exact,
        // as the standard does: the two may differ by one level near truncated values.
        try compare(f, ["+Wi", "1"], RenderOptions(), tolerance: 1, "slope 0.5, intercept -1000.25")
    }

    func testMultiFrameFunctionalGroups() throws {
        var f = ct(signed: false)
        f.frames = 2
        f.samples = PixelFixture.spread(64 * 64, 0, 4095) + PixelFixture.spread(64 * 64, 0, 4095, seed: 9)
        f.attributes = { ds in
            func group(_ c: String, _ w: String, slope: String) -> DataSet {
                var voi = DataSet()
                voi.setStrings(.windowCenter, [c], vr: .DS)
                voi.setStrings(.windowWidth, [w], vr: .DS)
                var pvt = DataSet()
                pvt.setStrings(.rescaleIntercept, ["-1024"], vr: .DS)
                pvt.setStrings(.rescaleSlope, [slope], vr: .DS)
                var g = DataSet()
                g.setItems(.frameVOILUTSequence, [voi])
                g.setItems(.pixelValueTransformationSequence, [pvt])
                return g
            }
            ds.setItems(.perFrameFunctionalGroupsSequence, [group("40", "400", slope: "1"), group("500", "3000", slope: "2")])
        }
        let dir = try Peers.temporaryFolder(self)
        let path = try f.write(dir + "/mf.dcm")
        for frame in 0..<2 {
            let (ds, native) = try PixelFixture.frame(path, index: frame, description: f.description)
            let ours = try PixelPipeline.render(native, dataSet: ds, frameIndex: frame).image
            let expected: (Double, Double, Double) = frame == 0 ? (40, 400, 1) : (500, 3000, 2)
            let stored = Array(f.samples[(frame * 4096)..<((frame + 1) * 4096)])
            let want = stored.map { VOITransform.window(center: expected.0, width: expected.1, function: .linear)
                .output(Double($0) * expected.2 - 1024, maxOutput: 255, inverted: false) }
            XCTAssertEqual(ours.samples, want, "frame \(frame)")
        }
        // The same frames through dcm2pnm, one file a frame with the frame's attributes at top level.
        for frame in 0..<2 {
            var g = ct(signed: false, windows: [frame == 0 ? ("40", "400") : ("500", "3000")], rescale: ("-1024", frame == 0 ? "1" : "2"))
            g.samples = Array(f.samples[(frame * 4096)..<((frame + 1) * 4096)])
            try compare(g, ["+Wi", "1"], RenderOptions(), "frame \(frame) as single frame")
        }
    }

    func testThirtyTwoBitSamples() throws {
        var f = PixelFixture()
        f.bitsAllocated = 32
        f.bitsStored = 32
        f.signed = true
        f.samples = PixelFixture.spread(32 * 32, -100_000, 250_000)
        try compare(f, ["+Wm"], RenderOptions(window: .minMax), "32-bit signed min-max")
        try compare(f, ["+Ww", "1000", "50000"], RenderOptions(window: .explicit(center: 1000, width: 50000)), "32-bit signed window")
        f.signed = false
        f.bitsStored = 24
        f.samples = PixelFixture.spread(32 * 32, 0, (1 << 24) - 1)
        try compare(f, ["+Wm"], RenderOptions(window: .minMax), "24 bits in 32 min-max")
    }

    func testBigEndianFileReadsTheSame() throws {
        let dcmconv = try Peers.tool("/usr/bin/dcmconv")
        let dcm2pnm = try Peers.tool("/usr/bin/dcm2pnm")
        let dir = try Peers.temporaryFolder(self)
        let f = ct(windows: [("40", "400")], rescale: ("-1024", "1"))
        let little = try f.write(dir + "/le.dcm"), big = dir + "/be.dcm"
        XCTAssertEqual(try Peers.run(dcmconv, ["+tb", little, big]).status, 0)
        XCTAssertEqual(try Peers.run(dcm2pnm, ["+Wi", "1", "+op", big, dir + "/be.pgm"]).status, 0)
        let (ds, frame) = try PixelFixture.frame(big, description: f.description)
        let ours = try PixelPipeline.render(frame, dataSet: ds).image.samples
        XCTAssertEqual(ours, try PNM(path: dir + "/be.pgm").samples)
    }

    // MARK: Colour against dcm2pnm

    func testRGBPlanarAndYBR() throws {
        var f = PixelFixture()
        f.bitsAllocated = 8
        f.bitsStored = 8
        f.samplesPerPixel = 3
        f.photometric = "RGB"
        f.samples = PixelFixture.spread(32 * 32 * 3, 0, 255, seed: 4)
        try compare(f, [], RenderOptions(), "RGB planar 0")
        f.planar = 1
        try compare(f, [], RenderOptions(), "RGB planar 1")
        f.photometric = "YBR_FULL"
        try compare(f, [], RenderOptions(), tolerance: 2, "YBR_FULL planar 1")
        f.planar = 0
        try compare(f, [], RenderOptions(), tolerance: 2, "YBR_FULL planar 0")
        var g = f
        g.photometric = "YBR_FULL_422"
        g.samples = PixelFixture.spread(32 * 32 * 2, 0, 255, seed: 5)
        try compare(g, [], RenderOptions(), tolerance: 2, "YBR_FULL_422 native")
    }

    func testPaletteColour() throws {
        for bits in [8, 16] {
            var f = PixelFixture()
            f.bitsAllocated = 8
            f.bitsStored = 8
            f.photometric = "PALETTE COLOR"
            f.samples = PixelFixture.spread(32 * 32, 0, 255, seed: 6)
            let top = bits == 8 ? 255 : 65535
            let ramp = (0..<200).map { $0 * top / 199 }
            f.attributes = { ds in
                ds.setPalette(descriptor: [200, 20, bits], red: ramp, green: ramp.map { top - $0 }, blue: (0..<200).map { ($0 * 37 % 200) * top / 199 },
                              packed: bits == 8)
            }
            try compare(f, [], RenderOptions(), "palette \(bits)-bit entries")
        }
    }

    func testSixteenBitRGBAndTwelveBitPalette() throws {
        var f = PixelFixture()
        f.bitsAllocated = 16
        f.bitsStored = 16
        f.samplesPerPixel = 3
        f.photometric = "RGB"
        f.samples = PixelFixture.spread(32 * 32 * 3, 0, 65535, seed: 8)
        try compare(f, [], RenderOptions(), "RGB 16-bit")
        f.bitsStored = 12
        f.samples = PixelFixture.spread(32 * 32 * 3, 0, 4095, seed: 8)
        try compare(f, [], RenderOptions(), "RGB 12 bits in 16")
        var p = PixelFixture()
        p.photometric = "PALETTE COLOR"
        p.samples = PixelFixture.spread(32 * 32, 0, 4095, seed: 10)
        p.attributes = { ds in
            let table = { (k: Int) in (0..<4096).map { ($0 * k * 16) & 0xFFFF } }
            ds.setPalette(descriptor: [4096, 0, 16], red: table(1), green: table(7), blue: table(13))
        }
        try compare(p, [], RenderOptions(), "palette, 12-bit indices, 4096 16-bit entries")
    }

    // MARK: pydicom

    /// DCMTK 3.6.7 does not read segmented palettes ("segmented palettes not yet supported"): pydicom judges.
    func testSegmentedPaletteAgainstPydicom() throws {
        let python = try Peers.python()
        let dir = try Peers.temporaryFolder(self)
        var f = PixelFixture()
        f.bitsAllocated = 8
        f.bitsStored = 8
        f.photometric = "PALETTE COLOR"
        f.samples = PixelFixture.spread(32 * 32, 0, 255, seed: 7)
        // Discrete, linear and indirect segments, 16-bit entries.
        let red = [0, 3, 0, 1000, 2000, 1, 100, 60000, 2, 2, 0, 0, 1, 50, 100]
        let green = [0, 1, 65535, 1, 255, 0]  // each table expands to 256 entries
        let blue = [0, 2, 7, 9, 1, 254, 65000]
        f.attributes = { $0.setPalette(descriptor: [256, 0, 16], red: red, green: green, blue: blue, segmented: true) }
        let path = try f.write(dir + "/seg.dcm")
        let script = """
        import sys, pydicom
        from pydicom.pixels import apply_color_lut
        ds = pydicom.dcmread(sys.argv[1])
        rgb = apply_color_lut(ds.pixel_array, ds)
        print(" ".join(str(int(v) >> 8) for v in rgb.reshape(-1)))
        """
        let r = try Peers.run(python, ["-c", script, path])
        XCTAssertEqual(r.status, 0, r.err)
        let theirs = r.out.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let (ds, frame) = try PixelFixture.frame(path, description: f.description)
        let ours = try PixelPipeline.render(frame, dataSet: ds).image.samples
        XCTAssertEqual(ours.count, theirs.count)
        let maxDiff = zip(ours, theirs).map { abs($0 - $1) }.max() ?? -1
        print("PixelPipeline vs pydicom apply_color_lut [segmented palette]: max difference \(maxDiff)")
        XCTAssertEqual(maxDiff, 0)
    }

    func testLinearExactAndModalityAgainstPydicom() throws {
        let python = try Peers.python()
        let dir = try Peers.temporaryFolder(self)
        let f = ct(windows: [("-300", "1200")], rescale: ("-1024", "1")) { $0.setString(.voilutFunction, "LINEAR_EXACT") }
        let path = try f.write(dir + "/exact.dcm")
        // pydicom's windowing output spans the rescaled stored range (−2048 ... 2047, rescaled:
        // −3072 ... 1023); map it to 0 ... 255 the way cmr does: floor(t × 255).
        let script = """
        import sys, pydicom, numpy as np
        from pydicom.pixels import apply_modality_lut, apply_voi_lut
        ds = pydicom.dcmread(sys.argv[1])
        hu = apply_modality_lut(ds.pixel_array, ds)
        out = apply_voi_lut(hu, ds)
        y_min, y_max = -2048.0 - 1024, 2047.0 - 1024
        t = (out - y_min) / (y_max - y_min)
        print(" ".join(str(int(np.floor(v * 255 + 1e-9))) for v in t.reshape(-1)))
        """
        let r = try Peers.run(python, ["-c", script, path])
        XCTAssertEqual(r.status, 0, r.err)
        let theirs = r.out.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let (ds, frame) = try PixelFixture.frame(path, description: f.description)
        let ours = try PixelPipeline.render(frame, dataSet: ds).image.samples
        XCTAssertEqual(ours.count, theirs.count)
        let maxDiff = zip(ours, theirs).map { abs($0 - $1) }.max() ?? -1
        print("PixelPipeline vs pydicom apply_modality_lut + apply_voi_lut [LINEAR_EXACT]: max difference \(maxDiff)")
        XCTAssertLessThanOrEqual(maxDiff, 1)
    }
}
