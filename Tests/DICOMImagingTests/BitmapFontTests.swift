import XCTest
@testable import DICOMImaging

final class BitmapFontTests: XCTestCase {
    func testGlyphsAreFiveBitsWideAndSevenRowsHigh() {
        for (c, rows) in BitmapFont.glyphs {
            XCTAssertEqual(rows.count, BitmapFont.height, "\(c)")
            XCTAssertTrue(rows.allSatisfy { $0 < 32 }, "\(c)")
        }
        XCTAssertEqual(BitmapFont.glyph("a"), BitmapFont.glyph("A"))
        XCTAssertEqual(BitmapFont.glyph("é"), BitmapFont.glyph("?"))
    }

    func testDrawSetsTheGlyphsPixelsOnly() {
        var image = RenderedImage(width: 12, height: 9, format: .grey8, fill: [0])
        BitmapFont.draw("1", into: &image, x: 1, y: 1)
        // "1": 00100 01100 00100 00100 00100 00100 01110
        let lit = (0..<9).map { y in (0..<12).map { image.sample(x: $0, y: y) == 255 ? "#" : "." }.joined() }
        XCTAssertEqual(lit, ["............", "...#........", "..##........", "...#........", "...#........",
                             "...#........", "...#........", "..###.......", "............"])
        var wide = RenderedImage(width: 4, height: 4, format: .grey16, fill: [0])
        BitmapFont.draw("-", into: &wide, x: -1, y: -3, scale: 1, level: 200)   // clipped, 16-bit: both bytes
        XCTAssertEqual(wide.sample(x: 0, y: 0), 200 << 8 | 200)
        XCTAssertEqual(BitmapFont.width(of: "AB", scale: 2), 22)
        XCTAssertEqual(BitmapFont.fitting("ABCDEFG", maxWidth: 17), "ABC")
    }

    func testContactSheetCaptionsAddAStripUnderEachTile() {
        let a = RenderedImage(width: 20, height: 20, format: .grey8, fill: [100])
        let layout = ContactSheet(tileWidth: 20, tileHeight: 20, columns: 2, gap: 2, background: 0)
        XCTAssertEqual(layout.compose([a, a], captions: []), layout.compose([a, a]))
        let sheet = layout.compose([a, a], captions: ["S1", "S22 TOO LONG"])
        XCTAssertEqual(sheet.height, 20 + 11 + 2 * 2)
        XCTAssertEqual(sheet.width, 2 * 20 + 3 * 2)
        let strip = (22..<33).flatMap { y in (0..<sheet.width).map { sheet.sample(x: $0, y: y) } }
        XCTAssertTrue(strip.contains(255), "captions are drawn in white")
        XCTAssertEqual(sheet.sample(x: 12, y: 12), 100, "tiles where they were")
    }
}
