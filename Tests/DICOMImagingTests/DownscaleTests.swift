import XCTest
@testable import DICOMImaging

final class DownscaleTests: XCTestCase {
    func testHalvingAveragesBlocks() {
        let image = RenderedImage(width: 4, height: 2, format: .grey8, bytes: [0, 10, 20, 30, 100, 110, 121, 131])
        let half = image.resampled(width: 2, height: 1)
        XCTAssertEqual(half.bytes, [55, 76])  // (0+10+100+110)/4 = 55; (20+30+121+131)/4 = 75.5 → 76
    }

    func testFitKeepsAspectRatio() {
        let image = RenderedImage(width: 512, height: 256, format: .grey8)
        XCTAssertTrue(image.fittingSize(maxWidth: 128, maxHeight: 128) == (128, 64))
        XCTAssertTrue(image.fittingSize(maxWidth: 1000, maxHeight: 100) == (200, 100))
        XCTAssertTrue(image.fittingSize(maxWidth: 1024, maxHeight: 1024) == (512, 256))  // never enlarged
        XCTAssertEqual(image.downscaled(toFit: 1024, 1024), image)
        XCTAssertTrue(RenderedImage(width: 1000, height: 1, format: .grey8).fittingSize(maxWidth: 10, maxHeight: 10) == (10, 1))
    }

    func testNonIntegerRatioWeightsSumToOne() {
        for (from, to) in [(7, 3), (512, 100), (3, 2), (5, 5)] {
            for taps in RenderedImage.areaWeights(from: from, to: to) {
                XCTAssertEqual(taps.reduce(0) { $0 + $1.1 }, 1, accuracy: 1e-9)
            }
        }
        // 3 → 2: output 0 covers source 0 fully and half of 1.
        let w = RenderedImage.areaWeights(from: 3, to: 2)
        XCTAssertEqual(w[0].map(\.0), [0, 1])
        XCTAssertEqual(w[0][0].1, 2.0 / 3, accuracy: 1e-12)
    }

    func testConstantImagesStayConstant() {
        for format in [RenderedImage.Format.grey8, .grey16, .rgb8] {
            let image = RenderedImage(width: 37, height: 23, format: format, fill: format == .rgb8 ? [10, 20, 30] : [200])
            let small = image.downscaled(toFit: 10, 10)
            XCTAssertEqual(small.width, 10)
            XCTAssertEqual(small.height, 6)
            XCTAssertEqual(small, RenderedImage(width: 10, height: 6, format: format, fill: format == .rgb8 ? [10, 20, 30] : [200]))
        }
    }

    func testSixteenBitAndColourChannelsAverageSeparately() {
        let grey = RenderedImage(width: 2, height: 1, format: .grey16, bytes: [0xFF, 0xFF, 0x00, 0x01])
        XCTAssertEqual(grey.resampled(width: 1, height: 1).sample(x: 0, y: 0), 32768)  // (65535 + 1)/2
        let rgb = RenderedImage(width: 2, height: 1, format: .rgb8, bytes: [255, 0, 10, 0, 255, 20])
        XCTAssertEqual(rgb.resampled(width: 1, height: 1).bytes, [128, 128, 15])
    }

    func testContactSheetLayout() {
        let a = RenderedImage(width: 20, height: 10, format: .grey8, fill: [255])
        let b = RenderedImage(width: 10, height: 20, format: .grey8, fill: [100])
        let c = RenderedImage(width: 10, height: 10, format: .rgb8, fill: [1, 2, 3])
        let sheet = ContactSheet(tileWidth: 10, tileHeight: 10, columns: 2, gap: 2, background: 7).compose([a, b, c])
        XCTAssertEqual(sheet.format, .rgb8)
        XCTAssertEqual(sheet.width, 2 * 10 + 3 * 2)
        XCTAssertEqual(sheet.height, 2 * 10 + 3 * 2)
        XCTAssertEqual(sheet.sample(x: 0, y: 0), 7)            // gap
        XCTAssertEqual(sheet.sample(x: 2, y: 2), 7)            // a is 10×5, centred: rows 4 ... 8
        XCTAssertEqual(sheet.sample(x: 2, y: 4), 255)
        XCTAssertEqual(sheet.sample(x: 11, y: 8), 255)
        XCTAssertEqual(sheet.sample(x: 11, y: 9), 7)
        XCTAssertEqual(sheet.sample(x: 14, y: 2), 7)           // b is 5×10, centred: columns 16 ... 20
        XCTAssertEqual(sheet.sample(x: 16, y: 2), 100)
        XCTAssertEqual(sheet.sample(x: 2, y: 14, channel: 2), 3)  // c in the second row
        let grey = ContactSheet(tileWidth: 4, tileHeight: 4, columns: 8, gap: 0).compose([a, b])
        XCTAssertEqual(grey.format, .grey8)
        XCTAssertEqual(grey.width, 8)                          // columns shrink to the number of tiles
    }
}
