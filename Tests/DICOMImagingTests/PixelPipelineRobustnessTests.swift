import XCTest
import DICOMCore
@testable import DICOMImaging

/// Hostile or inconsistent descriptions and attributes: the pipeline throws or renders, never traps.
final class PixelPipelineRobustnessTests: XCTestCase {
    func testRandomDescriptionsAndAttributesNeverTrap() {
        var state: UInt64 = 7
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let photometrics = ["MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL", "YBR_FULL_422", "PALETTE COLOR", "YBR_ICT", "HSV", ""]
        var rendered = 0, thrown = 0
        for _ in 0..<400 {
            let bitsAllocated = [1, 8, 16, 32, 64, 12][next(6)]
            let bitsStored = max(1, [bitsAllocated, bitsAllocated - 4, 1, 17, 0][next(5)])
            let d = ImagePixelDescription(rows: next(5), columns: next(7), samplesPerPixel: [1, 3, 2][next(3)], bitsAllocated: bitsAllocated,
                                          bitsStored: bitsStored, highBit: [bitsStored - 1, bitsAllocated - 1, 40][next(3)],
                                          isSigned: next(2) == 1, planarConfiguration: next(2),
                                          photometricInterpretation: photometrics[next(photometrics.count)])
            let bytes = (0..<next(200)).map { _ in UInt8(next(256)) }
            var ds = DataSet()
            if next(2) == 1 {
                ds.setStrings(.windowCenter, [["40", "x", "1e308", "-nan", ""][next(5)]], vr: .DS)
                ds.setStrings(.windowWidth, [["400", "0", "-5", "0.5", "inf"][next(5)]], vr: .DS)
            }
            if next(3) == 0 {
                var item = DataSet()
                item.setInts(.lutDescriptor, [next(70000) - 1000, next(70000) - 35000, next(20)], vr: next(2) == 1 ? .US : .SS)
                item.setInts(.lutData, (0..<next(50)).map { _ in next(65536) }, vr: .OW)
                ds.setItems(next(2) == 1 ? .voilutSequence : .modalityLUTSequence, [item])
            }
            if next(3) == 0 {
                ds.setStrings(.rescaleSlope, [["0", "2.5", "nan", "-1"][next(4)]], vr: .DS)
                ds.setStrings(.rescaleIntercept, [["-1024", "1e300"][next(2)]], vr: .DS)
            }
            if d.photometricInterpretation == "PALETTE COLOR" && next(2) == 1 {
                for (t, data) in [(Tag.redPaletteColorLookupTableDescriptor, Tag.segmentedRedPaletteColorLookupTableData),
                                  (.greenPaletteColorLookupTableDescriptor, .greenPaletteColorLookupTableData),
                                  (.bluePaletteColorLookupTableDescriptor, .bluePaletteColorLookupTableData)] {
                    ds.setInts(t, [next(300), next(10), [8, 16, 3][next(3)]], vr: .US)
                    ds.setInts(data, (0..<next(30)).map { _ in next(4) == 0 ? next(3) : next(65536) }, vr: .OW)
                }
            }
            let window: RenderOptions.Window = [.automatic, .minMax, .fullRange, .fileWindow(index: next(3) - 1), .fileLUT(index: 0),
                                                .percentiles(low: Double(next(60)), high: Double(next(120))),
                                                .explicit(center: Double(next(100)), width: Double(next(3)), function: .sigmoid)][next(7)]
            let frame = NativeFrame(description: d, bytes: bytes)
            do {
                let r = try PixelPipeline.render(frame, dataSet: ds, options: RenderOptions(window: window, depth: [8, 16][next(2)]))
                XCTAssertEqual(r.image.bytes.count, r.image.width * r.image.height * r.image.format.bytesPerPixel)
                rendered += 1
            } catch is ImagingError {
                thrown += 1
            } catch {
                XCTFail("unexpected error type: \(error)")
            }
        }
        XCTAssertGreaterThan(rendered, 10)
        XCTAssertGreaterThan(thrown, 10)
    }
}
