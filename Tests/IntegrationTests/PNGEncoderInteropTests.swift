import Foundation
import XCTest
import DICOMImaging

/// PNG files cmr writes, read back by independent readers: a small reader built on Python's zlib
/// (Scripts/read_png.py), Pillow, and pngcheck.
final class PNGEncoderInteropTests: XCTestCase {
    func images() -> [(String, RenderedImage)] {
        func pattern(_ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: ($0 * 31) ^ ($0 >> 3) &+ ($0 / 97) * 5) } }
        return [
            ("grey8", RenderedImage(width: 67, height: 41, format: .grey8, bytes: pattern(67 * 41))),
            ("grey16", RenderedImage(width: 33, height: 29, format: .grey16, bytes: pattern(33 * 29 * 2))),
            ("rgb8", RenderedImage(width: 45, height: 17, format: .rgb8, bytes: pattern(45 * 17 * 3))),
            ("one pixel", RenderedImage(width: 1, height: 1, format: .grey8, bytes: [200])),
        ]
    }

    struct Decoded: Decodable {
        var width: Int, height: Int, depth: Int, channels: Int
        var own: [Int]
        var pillow: [Int]?
        var chunks: [String]
    }

    func testPythonZlibReaderAndPillowReadEveryVariant() throws {
        let python = try Peers.python()
        let hasPillow = (try? Peers.run(python, ["-c", "import PIL, numpy"]).status) == 0
        if !hasPillow { _ = try Peers.missing("Pillow and numpy in the test venv (scripts/install-test-deps)") }
        let dir = try Peers.temporaryFolder(self)
        var paths: [String] = [], expected: [RenderedImage] = []
        for (name, image) in images() {
            for filter in [PNGEncoder.Filter.none, .sub, .up, .average, .paeth, .adaptive] {
                for level in [1, 6, 9] {
                    let png = PNGEncoder(level: .init(level), filter: filter, text: [("Software", "cmr test")]).encode(image)
                    let path = "\(dir)/\(name.replacingOccurrences(of: " ", with: "-"))-\(filter)-\(level).png"
                    try Data(png).write(to: URL(fileURLWithPath: path))
                    paths.append(path)
                    expected.append(image)
                }
            }
        }
        let r = try Peers.run(python, [Peers.root + "/Tests/IntegrationTests/Scripts/read_png.py", "--pillow"] + paths)
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(lines.count, paths.count)
        for (i, line) in lines.enumerated() {
            let d = try JSONDecoder().decode(Decoded.self, from: Data(line.utf8))
            let image = expected[i]
            let samples = image.format == .grey16
                ? stride(from: 0, to: image.bytes.count, by: 2).map { Int(image.bytes[$0]) << 8 | Int(image.bytes[$0 + 1]) }
                : image.bytes.map(Int.init)
            XCTAssertEqual(d.width, image.width, paths[i])
            XCTAssertEqual(d.height, image.height, paths[i])
            XCTAssertEqual(d.own, samples, "own zlib reader: \(paths[i])")
            XCTAssertEqual(d.pillow, samples, "Pillow: \(paths[i])")
            XCTAssertEqual(d.chunks, ["IHDR", "tEXt", "IDAT", "IEND"])
        }
    }

    func testPngcheckAcceptsEveryVariant() throws {
        let pngcheck = try Peers.tool("/usr/bin/pngcheck")
        let dir = try Peers.temporaryFolder(self)
        for (name, image) in images() {
            for filter in [PNGEncoder.Filter.none, .paeth, .adaptive] {
                let path = "\(dir)/\(name.replacingOccurrences(of: " ", with: "-"))-\(filter).png"
                try Data(PNGEncoder(filter: filter, text: [("Software", "cmr")]).encode(image)).write(to: URL(fileURLWithPath: path))
                let r = try Peers.run(pngcheck, ["-v", path])
                XCTAssertEqual(r.status, 0, "\(path): \(r.out) \(r.err)")
                XCTAssertTrue(r.out.contains("No errors detected"), r.out)
            }
        }
    }

    /// A rendered CT frame through the preview encoder is also what dcm2pnm +on writes, pixel for pixel.
    func testRenderedFrameMatchesDcm2pnmPNG() throws {
        let dcm2pnm = try Peers.tool("/usr/bin/dcm2pnm")
        let python = try Peers.python()
        let dir = try Peers.temporaryFolder(self)
        var f = PixelFixture()
        f.rows = 48
        f.columns = 40
        f.signed = true
        f.samples = PixelFixture.spread(48 * 40, -2048, 2047)
        f.attributes = { ds in
            ds.setStrings(.rescaleIntercept, ["-1024"], vr: .DS)
            ds.setStrings(.rescaleSlope, ["1"], vr: .DS)
            ds.setStrings(.windowCenter, ["-500"], vr: .DS)
            ds.setStrings(.windowWidth, ["1800"], vr: .DS)
        }
        let path = try f.write(dir + "/ct.dcm")
        for (flag, depth) in [("+on", 8), ("+on2", 16)] {
            let theirs = dir + "/dcmtk\(depth).png", ours = dir + "/cmr\(depth).png"
            let r = try Peers.run(dcm2pnm, ["+Wi", "1", "-il", flag, path, theirs])
            XCTAssertEqual(r.status, 0, r.err)
            let (ds, frame) = try PixelFixture.frame(path, description: f.description)
            let image = try PixelPipeline.render(frame, dataSet: ds, options: RenderOptions(depth: depth)).image
            try Data(PNGEncoder.preview.encode(image)).write(to: URL(fileURLWithPath: ours))
            let read = try Peers.run(python, [Peers.root + "/Tests/IntegrationTests/Scripts/read_png.py", theirs, ours])
            XCTAssertEqual(read.status, 0, read.err)
            let decoded = try read.out.split(separator: "\n").map { try JSONDecoder().decode(Decoded.self, from: Data($0.utf8)) }
            XCTAssertEqual(decoded.count, 2)
            XCTAssertEqual(decoded[0].depth, depth)
            XCTAssertEqual(decoded[1].own, decoded[0].own, "cmr PNG vs dcm2pnm \(flag)")
            print("PNG of rendered CT vs dcm2pnm \(flag): \(decoded[1].own == decoded[0].own ? "identical pixels" : "pixels differ")")
        }
    }
}
