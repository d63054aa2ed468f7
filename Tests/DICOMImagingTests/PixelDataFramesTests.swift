import XCTest
import DICOMCore
@testable import DICOMImaging

final class PixelDataFramesTests: XCTestCase {
    func dataSet(rows: Int, columns: Int, bits: Int, frames: Int, samples: Int = 1, pixel: Value, vr: VR = .OB) -> DataSet {
        var ds = DataSet()
        ds.setInt(.samplesPerPixel, samples)
        ds.setString(.photometricInterpretation, samples == 3 ? "RGB" : "MONOCHROME2")
        ds.setString(.numberOfFrames, String(frames))
        ds.setInt(.rows, rows)
        ds.setInt(.columns, columns)
        ds.setInt(.bitsAllocated, bits)
        ds.setInt(.bitsStored, bits)
        ds.setInt(.highBit, bits - 1)
        ds.setInt(.pixelRepresentation, 0)
        ds.insert(DataElement(.pixelData, vr, pixel))
        return ds
    }

    func testNativeFramesAreSliced() throws {
        let bytes = (0..<24).map { UInt8($0) }
        let frames = try PixelDataFrames(dataSet: dataSet(rows: 2, columns: 3, bits: 16, frames: 2, pixel: .bytes(bytes), vr: .OW),
                                         transferSyntax: .explicitVRLittleEndian)
        XCTAssertEqual(frames.count, 2)
        XCTAssertEqual(try frames.frame(1).bytes, Array(bytes[12..<24]))
        XCTAssertEqual(try frames.frame(1).description.numberOfFrames, 1)
        XCTAssertThrowsError(try frames.frame(2)) { XCTAssertEqual(($0 as? ImagingError)?.kind, .frameOutOfRange) }
    }

    func testOneBitFramesPackedAcrossByteBoundaries() throws {
        // Three 3×3 frames: 27 bits, least significant bit first. Frame k has bit i set when (i + k) is even.
        var bits = [Bool]()
        for k in 0..<3 { for i in 0..<9 { bits.append((i + k) % 2 == 0) } }
        var packed = [UInt8](repeating: 0, count: 4)
        for (i, b) in bits.enumerated() where b { packed[i / 8] |= 1 << UInt8(i % 8) }
        let frames = try PixelDataFrames(dataSet: dataSet(rows: 3, columns: 3, bits: 1, frames: 3, pixel: .bytes(packed)),
                                         transferSyntax: .explicitVRLittleEndian)
        for k in 0..<3 {
            let f = try frames.frame(k)
            XCTAssertEqual(f.bytes.count, 2)
            for i in 0..<9 {
                XCTAssertEqual(f.bytes[i / 8] >> UInt8(i % 8) & 1 == 1, (i + k) % 2 == 0, "frame \(k) pixel \(i)")
            }
            XCTAssertEqual(f.bytes[1] & 0xFE, 0, "bits past the frame are cleared")
        }
    }

    func testShortNativePixelDataIsCorrupt() throws {
        let frames = try PixelDataFrames(dataSet: dataSet(rows: 4, columns: 4, bits: 8, frames: 2, pixel: .bytes([UInt8](repeating: 0, count: 20))),
                                         transferSyntax: .explicitVRLittleEndian)
        XCTAssertNoThrow(try frames.frame(0))
        XCTAssertThrowsError(try frames.frame(1)) { XCTAssertEqual(($0 as? ImagingError)?.kind, .corruptData) }
    }

    // Encapsulated: three RLE frames of 2×2, frame k filled with k + 1.
    let rleFrames = (0..<3).map { k in TestStreams.rle(planes: [[Int](repeating: k + 1, count: 4)], bytesPerSample: 1) }
    let rle = TransferSyntax(uid: "1.2.840.10008.1.2.5")

    func testFragmentPerFrame() throws {
        let pixels = EncapsulatedPixelData(fragments: rleFrames.map { .bytes($0) })
        let frames = try PixelDataFrames(dataSet: dataSet(rows: 2, columns: 2, bits: 8, frames: 3, pixel: .fragments(pixels)), transferSyntax: rle)
        XCTAssertEqual(try frames.frame(2).bytes, [3, 3, 3, 3])
        XCTAssertEqual(try frames.frame(0).bytes, [1, 1, 1, 1])
    }

    func testBasicOffsetTableJoinsFragmentsOfAFrame() throws {
        // Frame 1 is split in two fragments; the table points at each frame's first item.
        let f1 = rleFrames[1]
        let fragments: [EncapsulatedPixelData.Fragment] = [.bytes(rleFrames[0]), .bytes(Array(f1.prefix(40))), .bytes(Array(f1.dropFirst(40))), .bytes(rleFrames[2])]
        var offsets: [UInt32] = [0]
        offsets.append(UInt32(8 + rleFrames[0].count))
        offsets.append(offsets[1] + UInt32(16 + f1.count))
        let pixels = EncapsulatedPixelData(basicOffsetTable: offsets, fragments: fragments)
        let frames = try PixelDataFrames(dataSet: dataSet(rows: 2, columns: 2, bits: 8, frames: 3, pixel: .fragments(pixels)), transferSyntax: rle)
        XCTAssertEqual(try frames.encodedFrame(1), f1)
        XCTAssertEqual(try frames.frame(1).bytes, [2, 2, 2, 2])
        XCTAssertEqual(try frames.frame(2).bytes, [3, 3, 3, 3])
    }

    func testExtendedOffsetTableWins() throws {
        let pixels = EncapsulatedPixelData(basicOffsetTable: [0, 0, 0], fragments: rleFrames.map { .bytes($0) })
        var ds = dataSet(rows: 2, columns: 2, bits: 8, frames: 3, pixel: .fragments(pixels))
        var offsets: [UInt64] = [0]
        for f in rleFrames.dropLast() { offsets.append(offsets.last! + 8 + UInt64(f.count)) }
        func ov(_ v: [UInt64]) -> [UInt8] { v.flatMap { x in (0..<8).map { UInt8(truncatingIfNeeded: x >> (8 * UInt64($0))) } } }
        ds.insert(DataElement(.extendedOffsetTable, .OV, bytes: ov(offsets)))
        ds.insert(DataElement(.extendedOffsetTableLengths, .OV, bytes: ov(rleFrames.map { UInt64($0.count) })))
        let frames = try PixelDataFrames(dataSet: ds, transferSyntax: rle)
        XCTAssertEqual(try frames.frame(1).bytes, [2, 2, 2, 2])
    }

    func testFragmentScanFindsJPEGFramesWithoutOffsetTable() throws {
        let jpeg = TestStreams.losslessJPEG([1, 2, 3, 4], width: 2, height: 2, precision: 8, predictor: 1)
        let other = TestStreams.losslessJPEG([9, 9, 9, 9], width: 2, height: 2, precision: 8, predictor: 1)
        let fragments: [EncapsulatedPixelData.Fragment] = [.bytes(Array(jpeg.prefix(30))), .bytes(Array(jpeg.dropFirst(30))),
                                                           .bytes(Array(other.prefix(50))), .bytes(Array(other.dropFirst(50)))]
        let pixels = EncapsulatedPixelData(fragments: fragments)
        let frames = try PixelDataFrames(dataSet: dataSet(rows: 2, columns: 2, bits: 8, frames: 2, pixel: .fragments(pixels)),
                                         transferSyntax: TransferSyntax(uid: "1.2.840.10008.1.2.4.70"))
        XCTAssertEqual(try frames.frame(0).bytes, [1, 2, 3, 4])
        XCTAssertEqual(try frames.frame(1).bytes, [9, 9, 9, 9])
    }

    func testDecoderErrorsNameTheFrame() throws {
        var broken = rleFrames[1]
        broken.removeLast(2)
        let pixels = EncapsulatedPixelData(fragments: [.bytes(rleFrames[0]), .bytes(broken), .bytes(rleFrames[2])])
        let frames = try PixelDataFrames(dataSet: dataSet(rows: 2, columns: 2, bits: 8, frames: 3, pixel: .fragments(pixels)), transferSyntax: rle)
        XCTAssertThrowsError(try frames.frame(1)) { error in
            XCTAssertEqual((error as? ImagingError)?.frame, 1)
            XCTAssertEqual((error as? ImagingError)?.kind, .corruptData)
        }
    }
}
