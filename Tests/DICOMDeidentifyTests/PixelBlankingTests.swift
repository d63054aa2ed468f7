import XCTest
import DICOMCore
@testable import DICOMDeidentify

final class PixelBlankingTests: XCTestCase {
    func image(rows: Int, columns: Int, samples: Int = 1, bits: Int = 16, frames: Int = 1, planar: Int = 0) -> DataSet {
        var ds = DataSet()
        ds.setInt(.rows, rows, vr: .US)
        ds.setInt(.columns, columns, vr: .US)
        ds.setInt(.samplesPerPixel, samples, vr: .US)
        ds.setInt(.bitsAllocated, bits, vr: .US)
        ds.setInt(.planarConfiguration, planar, vr: .US)
        ds.setString(.numberOfFrames, String(frames), vr: .IS)
        let count = rows * columns * samples * bits / 8 * frames
        ds.insert(DataElement(.pixelData, bits == 8 ? .OB : .OW, .bytes(Array(repeating: 0xAB, count: count))))
        return ds
    }

    func testBlanksTheRectangleInEveryFrame16Bit() throws {
        var ds = image(rows: 3, columns: 4, frames: 2)
        try PixelBlanking.blank(&ds, rectangles: [PixelRectangle(x: 1, y: 1, width: 2, height: 5)])   // clipped at the bottom
        let b = ds[.pixelData]!.value.bytes
        for frame in 0..<2 {
            for y in 0..<3 {
                for x in 0..<4 {
                    let i = frame * 24 + (y * 4 + x) * 2
                    let inside = (1...2).contains(x) && y >= 1
                    XCTAssertEqual(b[i], inside ? 0 : 0xAB, "frame \(frame) x \(x) y \(y)")
                    XCTAssertEqual(b[i + 1], inside ? 0 : 0xAB)
                }
            }
        }
    }

    func testColourByPixelAndByPlane() throws {
        var interleaved = image(rows: 2, columns: 2, samples: 3, bits: 8, planar: 0)
        try PixelBlanking.blank(&interleaved, rectangles: [PixelRectangle(x: 1, y: 0, width: 1, height: 1)])
        XCTAssertEqual(interleaved[.pixelData]!.value.bytes, [0xAB, 0xAB, 0xAB, 0, 0, 0] + Array(repeating: 0xAB, count: 6))
        var planes = image(rows: 2, columns: 2, samples: 3, bits: 8, planar: 1)
        try PixelBlanking.blank(&planes, rectangles: [PixelRectangle(x: 1, y: 0, width: 1, height: 1)])
        XCTAssertEqual(planes[.pixelData]!.value.bytes, [0xAB, 0, 0xAB, 0xAB, 0xAB, 0, 0xAB, 0xAB, 0xAB, 0, 0xAB, 0xAB])
    }

    func testCompressedAndOneBitAreRefused() {
        var compressed = image(rows: 2, columns: 2)
        compressed.insert(DataElement(.pixelData, .OB, .fragments(EncapsulatedPixelData(fragments: []))))
        XCTAssertThrowsError(try PixelBlanking.blank(&compressed, rectangles: [PixelRectangle(x: 0, y: 0, width: 1, height: 1)])) {
            XCTAssertEqual($0 as? PixelBlankingError, .compressed)
        }
        var bitmap = image(rows: 8, columns: 8, bits: 8)
        bitmap.setInt(.bitsAllocated, 1, vr: .US)
        XCTAssertThrowsError(try PixelBlanking.blank(&bitmap, rectangles: [PixelRectangle(x: 0, y: 0, width: 1, height: 1)]))
    }

    func testRectangleParsingAndMarking() {
        XCTAssertEqual(PixelRectangle(parsing: "0,0,640,60"), PixelRectangle(x: 0, y: 0, width: 640, height: 60))
        XCTAssertNil(PixelRectangle(parsing: "0,0,0,60"))
        XCTAssertNil(PixelRectangle(parsing: "-1,0,5,5"))
        XCTAssertNil(PixelRectangle(parsing: "1,2,3"))
        var ds = DataSet()
        PixelBlanking.markCleaned(&ds)
        PixelBlanking.markCleaned(&ds)
        XCTAssertEqual(ds.string(.burnedInAnnotation), "NO")
        XCTAssertEqual(ds.items(.deidentificationMethodCodeSequence).compactMap { $0.string(.codeValue) }, ["113101"])
    }
}
