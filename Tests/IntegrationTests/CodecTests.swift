import XCTest
import Foundation
import DICOMCore
import DICOMCoding
import DICOMImaging

/// cmr's decoders judged by DCMTK and GDCM: the test writes synthetic images (gradients with
/// noise and edges; 8, 12 and 16-bit grey, 8-bit RGB, several frames) as uncompressed DICOM with
/// cmr's writer, has DCMTK/GDCM compress them with many options, and decodes every frame with
/// `PixelDataFrames`. Lossless ⇒ byte-identical to the original; lossy ⇒ compared with DCMTK's
/// own decoder (dcmdjpeg/dcmdjpls), the maximum difference reported and required to be 0.
final class CodecTests: XCTestCase {
    struct Image {
        var name: String
        var rows: Int, columns: Int, samples: Int, bitsAllocated: Int, bitsStored: Int, frames: Int
        var signed = false
        var pixels: [UInt8] = []
    }

    nonisolated(unsafe) static var folder = ""
    nonisolated(unsafe) static var images: [String: Image] = [:]

    override class func setUp() {
        super.setUp()
        folder = NSTemporaryDirectory() + "cmr-codecs-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for spec in [
            Image(name: "grey8", rows: 45, columns: 67, samples: 1, bitsAllocated: 8, bitsStored: 8, frames: 3),
            Image(name: "grey12", rows: 40, columns: 33, samples: 1, bitsAllocated: 16, bitsStored: 12, frames: 2),
            Image(name: "grey16", rows: 31, columns: 50, samples: 1, bitsAllocated: 16, bitsStored: 16, frames: 2),
            Image(name: "grey10", rows: 24, columns: 24, samples: 1, bitsAllocated: 16, bitsStored: 10, frames: 1),
            Image(name: "signed16", rows: 20, columns: 30, samples: 1, bitsAllocated: 16, bitsStored: 16, frames: 1, signed: true),
            Image(name: "rgb8", rows: 37, columns: 53, samples: 3, bitsAllocated: 8, bitsStored: 8, frames: 2),
        ] {
            var image = spec
            image.pixels = synthesize(image)
            images[image.name] = image
            try? write(image, to: path(image.name))
        }
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
        super.tearDown()
    }

    static func path(_ name: String) -> String { folder + "/" + name + ".dcm" }

    /// Smooth gradients, a sharp-edged disc and some noise: every predictor and code length gets used.
    static func synthesize(_ im: Image) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(im.name.utf8.reduce(7) { $0 &* 31 &+ Int($1) } & 0xFFFF)
        func noise() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 59) - 16
        }
        let maxValue = (1 << im.bitsStored) - 1
        var out: [UInt8] = []
        for f in 0..<im.frames {
            for y in 0..<im.rows {
                for x in 0..<im.columns {
                    for s in 0..<im.samples {
                        let gx = Double(x) / Double(im.columns), gy = Double(y) / Double(im.rows)
                        var v = (0.2 + 0.5 * gx * (1 - gy) + 0.2 * Double(s) / 3 + 0.07 * Double(f)) * Double(maxValue)
                        let dx = Double(x - im.columns / 2), dy = Double(y - im.rows / 2)
                        if dx * dx + dy * dy < Double(im.rows * im.rows) / 10 { v = Double(maxValue) * (0.85 - 0.3 * Double(s)) }
                        var n = Int(v) + noise() * max(1, maxValue / 512)
                        n = min(max(n, 0), maxValue)
                        if im.signed { n -= (maxValue + 1) / 2 }
                        if im.bitsAllocated == 8 {
                            out.append(UInt8(truncatingIfNeeded: n))
                        } else {
                            out.append(UInt8(truncatingIfNeeded: n)); out.append(UInt8(truncatingIfNeeded: n >> 8))
                        }
                    }
                }
            }
        }
        return out
    }

    static func write(_ im: Image, to path: String, transferSyntax: TransferSyntax = .explicitVRLittleEndian) throws {
        var ds = DataSet()
        let sopClass = im.frames > 1
            ? (im.samples == 3 ? "1.2.840.10008.5.1.4.1.1.7.4" : (im.bitsAllocated == 8 ? "1.2.840.10008.5.1.4.1.1.7.2" : "1.2.840.10008.5.1.4.1.1.7.3"))
            : "1.2.840.10008.5.1.4.1.1.7"
        ds.setString(.sopClassUID, sopClass)
        ds.setString(.sopInstanceUID, "2.25.\(UInt64.random(in: 1...UInt64.max))")
        ds.setString(.studyInstanceUID, "2.25.1234")
        ds.setString(.seriesInstanceUID, "2.25.12345")
        ds.setString(.modality, "OT")
        ds.setString(.patientName, "Codec^Test")
        ds.setString(.patientID, "CODEC")
        ds.setString(Tag(0x0008_0064), "WSD")  // Conversion Type
        ds.setInt(.samplesPerPixel, im.samples)
        ds.setString(.photometricInterpretation, im.samples == 3 ? "RGB" : "MONOCHROME2")
        if im.samples == 3 { ds.setInt(.planarConfiguration, 0) }
        if im.frames > 1 {
            ds.setString(.numberOfFrames, String(im.frames))
        }
        ds.setInt(.rows, im.rows)
        ds.setInt(.columns, im.columns)
        ds.setInt(.bitsAllocated, im.bitsAllocated)
        ds.setInt(.bitsStored, im.bitsStored)
        ds.setInt(.highBit, im.bitsStored - 1)
        ds.setInt(.pixelRepresentation, im.signed ? 1 : 0)
        ds.insert(DataElement(.pixelData, im.bitsAllocated > 8 ? .OW : .OB, bytes: im.pixels))
        let file = DICOMFile(dataSet: ds, transferSyntax: transferSyntax)
        let bytes = try DICOMWriter.encode(file, options: WriteOptions(transferSyntax: transferSyntax))
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    // MARK: - Helpers

    func tool(_ name: String) throws -> String { try Peers.tool("/usr/bin/" + name) }

    /// Runs a converter; fails the test with its stderr when it does not succeed.
    func convert(_ name: String, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try Peers.run(try tool(name), args)
        if r.status != 0 { XCTFail("\(name) \(args.joined(separator: " ")) failed: \(r.err)", file: file, line: line) }
    }

    /// Every frame of `path`, decoded by cmr.
    func decodeFrames(_ path: String) throws -> (TransferSyntax, [NativeFrame]) {
        let f = try DICOMReader.read(contentsOf: path)
        let frames = try PixelDataFrames(dataSet: f.dataSet, transferSyntax: f.transferSyntax)
        return (f.transferSyntax, try (0..<frames.count).map { try frames.frame($0) })
    }

    /// Samples of a frame, colour-by-pixel.
    func samples(_ frame: NativeFrame) -> [Int] {
        let d = frame.description
        var s: [Int]
        if d.bitsAllocated == 8 {
            s = frame.bytes.map { Int($0) }
        } else {
            s = stride(from: 0, to: frame.bytes.count - 1, by: 2).map { Int(frame.bytes[$0]) | Int(frame.bytes[$0 + 1]) << 8 }
        }
        if d.samplesPerPixel > 1, d.planarConfiguration == 1 {
            let n = d.rows * d.columns
            var p = [Int](repeating: 0, count: s.count)
            for i in 0..<n { for c in 0..<d.samplesPerPixel { p[i * d.samplesPerPixel + c] = s[c * n + i] } }
            s = p
        }
        return s
    }

    func originalFrames(_ im: Image) -> [[UInt8]] {
        let size = im.rows * im.columns * im.samples * im.bitsAllocated / 8
        return (0..<im.frames).map { Array(im.pixels[($0 * size)..<(($0 + 1) * size)]) }
    }

    /// Compresses `image` with `tool args`, decodes it with cmr, and requires the original pixels back.
    func assertLossless(_ image: String, _ toolName: String, _ args: [String], expect uid: String,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let im = Self.images[image]!
        let out = Self.folder + "/\(image)-\(toolName)-\(args.joined().filter { $0.isLetter || $0.isNumber }).dcm"
        try convert(toolName, args + [Self.path(image), out], file: file, line: line)
        let (ts, frames) = try decodeFrames(out)
        XCTAssertEqual(ts.uid, uid, "\(toolName) \(args)", file: file, line: line)
        XCTAssertEqual(frames.count, im.frames, file: file, line: line)
        for (i, (frame, original)) in zip(frames, originalFrames(im)).enumerated() {
            var got = frame
            if frame.description.planarConfiguration == 1 {  // RLE colour: compare colour-by-pixel
                let s = samples(frame)
                got.bytes = frame.description.bitsAllocated == 8 ? s.map { UInt8($0) } : s.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
            }
            if got.bytes != original {
                let a = samples(got), b = samples(NativeFrame(description: frame.description, bytes: original))
                let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
                XCTFail("\(image) \(toolName) \(args.joined(separator: " ")): frame \(i) differs; first at sample \(first?.offset ?? -1): \(first?.element.0 ?? -1) vs \(first?.element.1 ?? -1)",
                        file: file, line: line)
            }
        }
    }

    /// Compresses with `tool args`, decompresses with DCMTK's `decompressor`, and compares cmr's
    /// decoding with DCMTK's: returns the largest absolute sample difference.
    @discardableResult
    func assertMatchesDCMTK(_ image: String, _ toolName: String, _ args: [String], decompressor: String, expect uid: String,
                            tolerance: Int = 0, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let tag = args.joined().filter { $0.isLetter || $0.isNumber }
        let compressed = Self.folder + "/\(image)-\(toolName)-\(tag).dcm"
        try convert(toolName, args + [Self.path(image), compressed], file: file, line: line)
        return try assertFileMatchesDCMTK(compressed, decompressor: decompressor, expect: uid, tolerance: tolerance, file: file, line: line)
    }

    @discardableResult
    func assertFileMatchesDCMTK(_ compressed: String, decompressor: String, expect uid: String,
                                tolerance: Int = 0, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let reference = compressed + "-ref.dcm"
        try convert(decompressor, [compressed, reference], file: file, line: line)
        let (ts, frames) = try decodeFrames(compressed)
        XCTAssertEqual(ts.uid, uid, compressed, file: file, line: line)
        let (_, expected) = try decodeFrames(reference)
        XCTAssertEqual(frames.count, expected.count, file: file, line: line)
        var worst = 0
        for (i, (got, want)) in zip(frames, expected).enumerated() {
            XCTAssertEqual(got.description.photometricInterpretation, want.description.photometricInterpretation,
                           "\(compressed) frame \(i)", file: file, line: line)
            let a = samples(got), b = samples(want)
            XCTAssertEqual(a.count, b.count, file: file, line: line)
            for (x, y) in zip(a, b) { worst = max(worst, abs(x - y)) }
        }
        XCTAssertLessThanOrEqual(worst, tolerance, "\(compressed): max difference from \(decompressor)", file: file, line: line)
        return worst
    }

    // MARK: - RLE

    func testRLEIsLosslessAgainstDcmcrle() throws {
        for image in ["grey8", "grey12", "grey16", "signed16", "rgb8"] {
            try assertLossless(image, "dcmcrle", [], expect: "1.2.840.10008.1.2.5")
        }
        // GDCM's RLE encoder too.
        try assertLossless("grey16", "gdcmconv", ["--rle"], expect: "1.2.840.10008.1.2.5")
        try assertLossless("rgb8", "gdcmconv", ["--rle"], expect: "1.2.840.10008.1.2.5")
    }

    func testRLEMatchesDcmdrle() throws {
        for image in ["grey16", "rgb8"] {
            try assertMatchesDCMTK(image, "dcmcrle", [], decompressor: "dcmdrle", expect: "1.2.840.10008.1.2.5")
        }
    }

    // MARK: - JPEG lossless

    func testJPEGLosslessEveryPredictorAndDepth() throws {
        for image in ["grey8", "grey12", "grey16", "grey10", "signed16", "rgb8"] {
            try assertLossless(image, "dcmcjpeg", ["+e1"], expect: "1.2.840.10008.1.2.4.70")
        }
        // Predictor 1 is SV1's; the others on 8, 12 and 16-bit grey and on colour.
        for image in ["grey8", "grey12", "grey16", "rgb8"] {
            for sv in 2...7 {
                try assertLossless(image, "dcmcjpeg", ["+el", "+sv", String(sv)], expect: "1.2.840.10008.1.2.4.57")
            }
        }
        try assertLossless("signed16", "dcmcjpeg", ["+el", "+sv", "7"], expect: "1.2.840.10008.1.2.4.57")
    }

    func testJPEGLosslessPointTransformMatchesDcmdjpeg() throws {
        for (image, pt) in [("grey8", 2), ("grey12", 4), ("grey16", 3), ("signed16", 2), ("rgb8", 1)] {
            try assertMatchesDCMTK(image, "dcmcjpeg", ["+el", "+sv", "4", "+pt", String(pt)], decompressor: "dcmdjpeg",
                                   expect: "1.2.840.10008.1.2.4.57")
        }
    }

    func testJPEGLosslessFragmentsAndEmptyOffsetTable() throws {
        // Several fragments per frame and no offset table: frames found by scanning for SOI.
        try assertLossless("grey16", "dcmcjpeg", ["+e1", "+fs", "1", "-ot"], expect: "1.2.840.10008.1.2.4.70")
        try assertLossless("rgb8", "dcmcjpeg", ["+e1", "+fs", "1"], expect: "1.2.840.10008.1.2.4.70")
    }

    // MARK: - JPEG lossy

    func testJPEGBaselineMatchesDcmdjpeg() throws {
        for args in [["+eb"], ["+eb", "+q", "50"], ["+eb", "+s4"], ["+eb", "+n2"], ["+eb", "+cr"], ["+eb", "+n1"], ["+eb", "-ho"]] {
            try assertMatchesDCMTK("rgb8", "dcmcjpeg", args, decompressor: "dcmdjpeg", expect: "1.2.840.10008.1.2.4.50")
        }
        try assertMatchesDCMTK("grey8", "dcmcjpeg", ["+eb"], decompressor: "dcmdjpeg", expect: "1.2.840.10008.1.2.4.50")
        try assertMatchesDCMTK("grey8", "dcmcjpeg", ["+eb", "+q", "20"], decompressor: "dcmdjpeg", expect: "1.2.840.10008.1.2.4.50")
    }

    func testJPEGExtended12BitMatchesDcmdjpeg() throws {
        try assertMatchesDCMTK("grey12", "dcmcjpeg", ["+ee"], decompressor: "dcmdjpeg", expect: "1.2.840.10008.1.2.4.51")
        try assertMatchesDCMTK("grey12", "dcmcjpeg", ["+ee", "+q", "40"], decompressor: "dcmdjpeg", expect: "1.2.840.10008.1.2.4.51")
        try assertMatchesDCMTK("grey8", "dcmcjpeg", ["+ee"], decompressor: "dcmdjpeg", expect: "1.2.840.10008.1.2.4.51")
    }

    func testGDCM420AndPillowRestartIntervalsMatchDcmdjpeg() throws {
        // GDCM's lossy JPEG is 4:2:0 (h2v2 chroma), labelled RGB: no colour conversion, fancy h2v2 upsampling.
        try assertMatchesDCMTK("rgb8", "gdcmconv", ["--jpeg", "--lossy", "-q", "90"], decompressor: "dcmdjpeg", expect: "1.2.840.10008.1.2.4.50")
        // Pillow (IJG/libjpeg-turbo) with restart intervals, 4:2:0 YCbCr and grey, wrapped by img2dcm.
        let python = try Peers.python()
        let script = """
            import sys, random
            from PIL import Image
            random.seed(2)
            w, h = 67, 45
            px = [(min(255, x * 3 + random.randrange(40)), min(255, y * 5 + random.randrange(40)), min(255, (x + y) * 2 + random.randrange(40)))
                  for y in range(h) for x in range(w)]
            c = Image.new('RGB', (w, h)); c.putdata(px)
            c.save(sys.argv[1] + '/c420.jpg', quality=85, restart_marker_blocks=3, subsampling=2)
            c.save(sys.argv[1] + '/c422.jpg', quality=75, restart_marker_blocks=1, subsampling=1)
            c.getchannel(0).save(sys.argv[1] + '/g.jpg', quality=85, restart_marker_rows=1)
            """
        let r = try Peers.run(python, ["-c", script, Self.folder])
        guard r.status == 0 else { _ = try Peers.missing("Pillow in the test venv (scripts/install-test-deps): \(r.err)"); return }
        for name in ["c420", "c422", "g"] {
            let jpeg = [UInt8](FileManager.default.contents(atPath: Self.folder + "/\(name).jpg") ?? Data())
            XCTAssertTrue(zip(jpeg, jpeg.dropFirst()).contains { $0 == 0xFF && $1 == 0xDD }, "\(name).jpg has no restart interval (DRI): Pillow too old?")
            let dcm = Self.folder + "/pillow-\(name).dcm"
            try convert("img2dcm", [Self.folder + "/\(name).jpg", dcm])
            try assertFileMatchesDCMTK(dcm, decompressor: "dcmdjpeg", expect: "1.2.840.10008.1.2.4.50")
        }
    }

    // MARK: - JPEG-LS

    func testJPEGLSLosslessEveryInterleave() throws {
        for image in ["grey8", "grey12", "grey16", "grey10", "signed16"] {
            try assertLossless(image, "dcmcjpls", [], expect: "1.2.840.10008.1.2.4.80")
        }
        for il in ["+il", "+is", "+in"] {
            try assertLossless("rgb8", "dcmcjpls", [il], expect: "1.2.840.10008.1.2.4.80")
        }
        // GDCM (CharLS 2) writes sample-interleaved colour.
        try assertLossless("rgb8", "gdcmconv", ["--jpegls"], expect: "1.2.840.10008.1.2.4.80")
        try assertLossless("grey16", "gdcmconv", ["--jpegls"], expect: "1.2.840.10008.1.2.4.80")
    }

    func testJPEGLSCustomParameters() throws {
        try assertLossless("grey12", "dcmcjpls", ["+t1", "5", "+t2", "20", "+t3", "90", "+rs", "32"], expect: "1.2.840.10008.1.2.4.80")
        try assertLossless("grey8", "dcmcjpls", ["+pc"], expect: "1.2.840.10008.1.2.4.80")
    }

    func testJPEGLSNearLosslessMatchesDcmdjpls() throws {
        for (image, d) in [("grey8", 2), ("grey12", 5), ("grey16", 3)] {
            try assertMatchesDCMTK(image, "dcmcjpls", ["+en", "+md", String(d)], decompressor: "dcmdjpls", expect: "1.2.840.10008.1.2.4.81")
        }
        for il in ["+il", "+is", "+in"] {
            try assertMatchesDCMTK("rgb8", "dcmcjpls", ["+en", "+md", "2", il], decompressor: "dcmdjpls", expect: "1.2.840.10008.1.2.4.81")
        }
    }

    // MARK: - Native and unsupported

    func testBigEndianNativeFramesAreLittleEndian() throws {
        let im = Self.images["grey12"]!
        let path = Self.folder + "/grey12-be.dcm"
        try Self.write(im, to: path, transferSyntax: .explicitVRBigEndian)
        let (ts, frames) = try decodeFrames(path)
        XCTAssertTrue(ts.isBigEndian)
        XCTAssertEqual(frames.map(\.bytes), originalFrames(im))
    }

    func testJPEG2000IsUnsupportedWithAWorkaround() throws {
        let out = Self.folder + "/grey8-j2k.dcm"
        try convert("gdcmconv", ["--j2k", Self.path("grey8"), out])
        XCTAssertThrowsError(try decodeFrames(out)) { error in
            let e = error as? ImagingError
            XCTAssertEqual(e?.kind, .unsupportedTransferSyntax)
            XCTAssertTrue(e?.message.contains("gdcmconv --raw") == true, "\(error)")
        }
    }
}
