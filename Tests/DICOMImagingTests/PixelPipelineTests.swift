import XCTest
import DICOMCore
@testable import DICOMImaging

final class PixelPipelineTests: XCTestCase {
    /// A one-row 16-bit frame of `values` (masked to Bits Stored).
    func greyFrame(_ values: [Int], bitsStored: Int = 12, signed: Bool = false, photometric: String = "MONOCHROME2",
                   rows: Int = 1) -> NativeFrame {
        let mask = (1 << bitsStored) - 1
        return NativeFrame(description: ImagePixelDescription(rows: rows, columns: values.count / rows, bitsAllocated: 16, bitsStored: bitsStored,
                                                              isSigned: signed, photometricInterpretation: photometric),
                           bytes: values.flatMap { [UInt8($0 & mask & 0xFF), UInt8(($0 & mask) >> 8)] })
    }

    func window(_ ds: inout DataSet, _ centers: [String], _ widths: [String]) {
        ds.setStrings(.windowCenter, centers, vr: .DS)
        ds.setStrings(.windowWidth, widths, vr: .DS)
    }

    func testRescaleThenWindow() throws {
        // CT: stored 1024 is 0 HU; window 40/400.
        var ds = DataSet()
        ds.setStrings(.rescaleIntercept, ["-1024"], vr: .DS)
        ds.setStrings(.rescaleSlope, ["1"], vr: .DS)
        window(&ds, ["40", "-600"], ["400", "1500"])
        let f = greyFrame([0, 864, 1064, 1263, 4095])
        let r = try PixelPipeline.render(f, dataSet: ds)
        XCTAssertEqual(r.image.bytes, [0, 0, 127, 255, 255])
        XCTAssertEqual(r.choice.voiSource, "window 1 of 2 (file)")
        XCTAssertEqual(r.choice.modality, .rescale(slope: 1, intercept: -1024))
        let second = try PixelPipeline.render(f, dataSet: ds, options: RenderOptions(window: .fileWindow(index: 1)))
        XCTAssertEqual(second.image.bytes[1], 202)  // −160 HU in −600/1500: ((−160 + 600.5)/1499 + 0.5) × 255 = 202.4
    }

    func testMonochrome1IsInvertedAfterVOI() throws {
        var ds = DataSet()
        window(&ds, ["2048"], ["4096"])
        let values = [0, 17, 2048, 4095]
        let m2 = try PixelPipeline.render(greyFrame(values), dataSet: ds).image.bytes
        let m1 = try PixelPipeline.render(greyFrame(values, photometric: "MONOCHROME1"), dataSet: ds)
        XCTAssertEqual(m2, [0, 1, 127, 255])
        XCTAssertEqual(m1.image.bytes, [255, 253, 127, 0])
        XCTAssertTrue(m1.choice.inverted)
        ds.setString(.presentationLUTShape, "INVERSE")
        XCTAssertEqual(try PixelPipeline.render(greyFrame(values), dataSet: ds).image.bytes, [255, 253, 127, 0])
        // An explicit override wins.
        XCTAssertEqual(try PixelPipeline.render(greyFrame(values, photometric: "MONOCHROME1"), dataSet: ds,
                                                options: RenderOptions(inverse: false)).image.bytes, m2)
    }

    func testSignExtensionFeedsTheWindow() throws {
        // 12-bit signed: 0x800 is −2048 → black, 0x7FF is 2047 → white, 0 → middle.
        let r = try PixelPipeline.render(greyFrame([-2048, 0, 2047], signed: true), dataSet: DataSet(),
                                         options: RenderOptions(window: .minMax))
        XCTAssertEqual(r.image.bytes, [0, 127, 255])
    }

    func testHighBitAboveBitsStoredInTheTablePath() throws {
        // Bits Stored 12, High Bit 15: values sit in the top 12 bits; the low 4 bits are ignored.
        let values = [-2048, 0, 2047]
        let bytes = values.flatMap { v -> [UInt8] in
            let raw = ((v & 0xFFF) << 4) | 0x5  // junk in the low bits
            return [UInt8(raw & 0xFF), UInt8(raw >> 8)]
        }
        let f = NativeFrame(description: ImagePixelDescription(rows: 1, columns: 3, bitsAllocated: 16, bitsStored: 12, highBit: 15, isSigned: true),
                            bytes: bytes)
        XCTAssertEqual(try PixelPipeline.render(f, dataSet: DataSet(), options: RenderOptions(window: .minMax)).image.bytes, [0, 127, 255])
        var eight = NativeFrame(description: ImagePixelDescription(rows: 1, columns: 2, bitsAllocated: 8, bitsStored: 4, highBit: 7), bytes: [0x0F, 0x0A])  // both 0: junk below
        XCTAssertEqual(try PixelPipeline.render(eight, dataSet: DataSet(), options: RenderOptions(window: .minMax)).image.bytes, [0, 0])
        eight.bytes = [0x1F, 0xF0]
        XCTAssertEqual(try PixelPipeline.render(eight, dataSet: DataSet(), options: RenderOptions(window: .minMax)).image.bytes, [0, 255])
    }

    func testAutomaticPrefersWindowThenLUTThenPercentiles() throws {
        var ds = DataSet()
        var item = DataSet()
        item.setInts(.lutDescriptor, [4, 0, 8], vr: .US)
        item.setInts(.lutData, [0, 100, 200, 255], vr: .US)
        ds.setItems(.voilutSequence, [item])
        let f = greyFrame([0, 1, 2, 3])
        XCTAssertEqual(try PixelPipeline.render(f, dataSet: ds).image.bytes, [0, 100, 200, 255])
        window(&ds, ["2"], ["2"])
        let w = try PixelPipeline.render(f, dataSet: ds)
        XCTAssertEqual(w.choice.voiSource, "window 1 of 1 (file)")
        XCTAssertEqual(w.image.bytes, [0, 0, 255, 255])
        // A width below 1 is not a LINEAR window: fall through to the LUT.
        window(&ds, ["2"], ["0.5"])
        XCTAssertEqual(try PixelPipeline.render(f, dataSet: ds).choice.voiSource, "VOI LUT 1 of 1 (file)")
        XCTAssertThrowsError(try PixelPipeline.render(f, dataSet: ds, options: RenderOptions(window: .fileWindow(index: 0))))
        XCTAssertThrowsError(try PixelPipeline.render(f, dataSet: ds, options: RenderOptions(window: .fileLUT(index: 1))))
    }

    func testDefaultWindowIgnoresOutliers() throws {
        // 1000 pixels between 1000 and 1099 and 4 extreme outliers: the 0.5–99.5 % window ignores them.
        var values = (0..<1000).map { 1000 + $0 % 100 }
        values += [0, 0, 4095, 4095]
        let r = try PixelPipeline.render(greyFrame(values, rows: 4), dataSet: DataSet())
        XCTAssertEqual(r.choice.voiSource, "percentiles 0.5–99.5 (computed)")
        XCTAssertEqual(r.choice.voi, .window(center: 1050, width: 100, function: .linear))
        XCTAssertEqual(r.image.bytes[0], 0)
        XCTAssertEqual(r.image.bytes[99], 255)
        XCTAssertEqual(r.image.bytes[50], 128)  // ((1050 − 1049.5)/99 + 0.5) × 255 = 128.8
        let minMax = try PixelPipeline.render(greyFrame(values, rows: 4), dataSet: DataSet(), options: RenderOptions(window: .minMax))
        XCTAssertEqual(minMax.choice.voi, .window(center: 2048, width: 4096, function: .linear))
    }

    func testPerFrameFunctionalGroupsOverrideShared() throws {
        func group(_ c: String, _ w: String) -> DataSet {
            var voi = DataSet()
            voi.setStrings(.windowCenter, [c], vr: .DS)
            voi.setStrings(.windowWidth, [w], vr: .DS)
            var g = DataSet()
            g.setItems(.frameVOILUTSequence, [voi])
            return g
        }
        var pvt = DataSet()
        pvt.setStrings(.rescaleSlope, ["2"], vr: .DS)
        pvt.setStrings(.rescaleIntercept, ["0"], vr: .DS)
        var shared = group("100", "2")
        shared.setItems(.pixelValueTransformationSequence, [pvt])
        var ds = DataSet()
        ds.setItems(.sharedFunctionalGroupsSequence, [shared])
        ds.setItems(.perFrameFunctionalGroupsSequence, [DataSet(), group("300", "2")])
        let f = greyFrame([49, 50, 51, 149, 150, 151])
        // Frame 0: shared window 100/2 (black up to 99, white above 100) on values ×2 (98, 100, 102, ...).
        XCTAssertEqual(try PixelPipeline.render(f, dataSet: ds, frameIndex: 0).image.bytes, [0, 255, 255, 255, 255, 255])
        // Frame 1: its own window 300/2; the shared rescale still applies.
        XCTAssertEqual(try PixelPipeline.render(f, dataSet: ds, frameIndex: 1).image.bytes, [0, 0, 0, 0, 255, 255])
    }

    func testModalityLUTSequenceTakesPrecedenceOverRescale() throws {
        var ds = DataSet()
        var item = DataSet()
        item.setInts(.lutDescriptor, [3, 1, 16], vr: .US)
        item.setInts(.lutData, [1000, 2000, 3000], vr: .US)
        ds.setItems(.modalityLUTSequence, [item])
        ds.setStrings(.rescaleSlope, ["5"], vr: .DS)
        ds.setStrings(.rescaleIntercept, ["5"], vr: .DS)
        window(&ds, ["2000"], ["2001"])
        let r = try PixelPipeline.render(greyFrame([0, 1, 2, 3, 9]), dataSet: ds)
        guard case .lut = r.choice.modality else { return XCTFail("expected the modality LUT") }
        XCTAssertEqual(r.image.bytes, [0, 0, 127, 255, 255])
    }

    func testSixteenBitOutput() throws {
        var ds = DataSet()
        window(&ds, ["2048"], ["4096"])
        let r = try PixelPipeline.render(greyFrame([0, 2048, 4095]), dataSet: ds, options: RenderOptions(depth: 16))
        XCTAssertEqual(r.image.format, .grey16)
        XCTAssertEqual(r.image.samplesBigEndian, [0, 32775, 65535])  // (0.5/4095 + 0.5) × 65535 = 32775.5
    }

    func testFloatPixelData() throws {
        var bytes: [UInt8] = []
        for v in [Float(-1), 0, 0.5, 1] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        var ds = DataSet()
        ds.insert(DataElement(.floatPixelData, .OF, bytes: bytes))
        let f = NativeFrame(description: ImagePixelDescription(rows: 1, columns: 4, bitsAllocated: 32, bitsStored: 32), bytes: bytes)
        let r = try PixelPipeline.render(f, dataSet: ds, options: RenderOptions(window: .minMax))
        XCTAssertEqual(r.choice.voi, .window(center: 0, width: 2, function: .linearExact))
        XCTAssertEqual(r.image.bytes, [0, 127, 191, 255])
        let explicit = try PixelPipeline.render(f, dataSet: ds, options: RenderOptions(window: .explicit(center: 0.25, width: 0.5, function: .linearExact)))
        XCTAssertEqual(explicit.image.bytes, [0, 0, 255, 255])
    }

    func testDoubleFloatPixelDataAutomaticWindowFromBinnedPercentiles() throws {
        // 1000 values 0.0, 0.1, … 99.9 plus two wild outliers (1002 values): 0.5 % is rank 5 (0.4),
        // 99.5 % is rank 996 (99.5), exactly, although the histogram's bins are 488 wide.
        var values = (0..<1000).map { Double($0) / 10 }
        values += [-1e6, 1e6]
        var bytes: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        var ds = DataSet()
        ds.insert(DataElement(.doubleFloatPixelData, .OD, bytes: bytes))
        let f = NativeFrame(description: ImagePixelDescription(rows: 1, columns: values.count, bitsAllocated: 64, bitsStored: 64), bytes: bytes)
        let r = try PixelPipeline.render(f, dataSet: ds)
        guard case .window(let c, let w, .linearExact)? = r.choice.voi else { return XCTFail("\(String(describing: r.choice.voi))") }
        XCTAssertEqual(c - w / 2, 0.4, accuracy: 1e-9)
        XCTAssertEqual(c + w / 2, 99.5, accuracy: 1e-9)
        XCTAssertEqual(r.image.bytes[500], 127)  // 50.0: ((50 − 49.95)/99.1 + 0.5) × 255 = 127.6
        XCTAssertEqual(r.image.bytes[1000], 0)
        XCTAssertEqual(r.image.bytes[1001], 255)
    }

    func testIntegerPercentilesAreExact() {
        // 200 values 1 … 200: 0.5 % is rank 1 (value 2), 99.5 % is rank 198 (value 199).
        let s = ValueStatistics(values: (1...200).map(Double.init), integral: true)
        XCTAssertEqual(s.percentile(0.5, upper: false), 2)
        XCTAssertEqual(s.percentile(99.5, upper: true), 199)
        XCTAssertEqual(s.window(lowPercent: 0, highPercent: 100), .window(center: 101, width: 200, function: .linear))
    }

    func testRGBPlanarConfigurations() throws {
        let pixels: [UInt8] = [255, 0, 0, 0, 255, 0]
        let byPixel = NativeFrame(description: ImagePixelDescription(rows: 1, columns: 2, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8,
                                                                     photometricInterpretation: "RGB"), bytes: pixels)
        var byPlane = byPixel
        byPlane.description.planarConfiguration = 1
        byPlane.bytes = [255, 0, 0, 255, 0, 0]
        XCTAssertEqual(try PixelPipeline.render(byPixel, dataSet: DataSet()).image.bytes, pixels)
        XCTAssertEqual(try PixelPipeline.render(byPlane, dataSet: DataSet()).image.bytes, pixels)
    }

    func testYBRFullAndFull422() throws {
        XCTAssertTrue(PixelPipeline.ybrFullToRGB(128, 128, 128) == (128, 128, 128))
        XCTAssertTrue(PixelPipeline.ybrFullToRGB(76, 85, 255) == (254, 0, 0))    // red: 76 + 1.402 × 127 = 254.05
        XCTAssertTrue(PixelPipeline.ybrFullToRGB(255, 0, 0) == (76, 255, 28))  // G clamped: 255 + 44.0 + 91.4
        // 422: Y1 Y2 Cb Cr for two pixels sharing chroma.
        let f = NativeFrame(description: ImagePixelDescription(rows: 1, columns: 2, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8,
                                                               photometricInterpretation: "YBR_FULL_422"), bytes: [10, 200, 128, 128])
        XCTAssertEqual(try PixelPipeline.render(f, dataSet: DataSet()).image.bytes, [10, 10, 10, 200, 200, 200])
    }

    func testPaletteColour() throws {
        var ds = DataSet()
        ds.setInts(.redPaletteColorLookupTableDescriptor, [3, 10, 16], vr: .US)
        ds.setInts(.greenPaletteColorLookupTableDescriptor, [3, 10, 16], vr: .US)
        ds.setInts(.bluePaletteColorLookupTableDescriptor, [3, 10, 8], vr: .US)
        ds.setInts(.redPaletteColorLookupTableData, [0, 0x8000, 0xFFFF], vr: .OW)
        ds.setInts(.segmentedGreenPaletteColorLookupTableData, [0, 1, 0xFFFF, 1, 2, 0], vr: .OW)
        ds.insert(DataElement(.bluePaletteColorLookupTableData, .OW, bytes: [1, 2, 3, 0]))
        let f = NativeFrame(description: ImagePixelDescription(rows: 1, columns: 4, bitsAllocated: 8, bitsStored: 8,
                                                               photometricInterpretation: "PALETTE COLOR"), bytes: [9, 10, 11, 12])
        XCTAssertEqual(try PixelPipeline.render(f, dataSet: ds).image.bytes, [0, 255, 1, 0, 255, 1, 128, 128, 2, 255, 0, 3])
        XCTAssertThrowsError(try PixelPipeline.render(f, dataSet: DataSet()))
    }

    func testUnsupportedPhotometricThrows() {
        let f = NativeFrame(description: ImagePixelDescription(rows: 1, columns: 1, bitsAllocated: 8, bitsStored: 8,
                                                               photometricInterpretation: "HSV"), bytes: [0])
        XCTAssertThrowsError(try PixelPipeline.render(f, dataSet: DataSet())) { XCTAssertEqual(($0 as? ImagingError)?.kind, .invalidDescription) }
    }
}

extension RenderedImage {
    var samplesBigEndian: [Int] { stride(from: 0, to: bytes.count, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) } }
}

final class RenderChoiceTests: XCTestCase {
    func testDescriptionForInfo() {
        let c = RenderChoice(photometricInterpretation: "MONOCHROME1", modality: .rescale(slope: 1, intercept: -1024),
                             voi: .window(center: 40, width: 400, function: .linear), voiSource: "window 1 of 2 (file)",
                             inverted: true, format: .grey8)
        XCTAssertEqual(c.description, "MONOCHROME1, rescale ×1 −1024, window 40/400 LINEAR (window 1 of 2 (file)), inverted, 8-bit grey")
        let rgb = RenderChoice(photometricInterpretation: "RGB", modality: .identity, voi: nil, voiSource: "none (colour)", inverted: false, format: .rgb8)
        XCTAssertEqual(rgb.description, "RGB, 8-bit RGB")
    }
}
