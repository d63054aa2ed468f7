import XCTest
import DICOMCore
@testable import DICOMImaging

final class LookupTableTests: XCTestCase {
    func us(_ tag: Tag, _ values: [Int], vr: VR = .US) -> DataElement {
        var ds = DataSet()
        ds.setInts(tag, values, vr: vr)
        return ds[tag]!
    }

    func testFirstValueMappedAndClamping() throws {
        let t = try LookupTable(descriptor: us(.lutDescriptor, [4, 100, 16]), data: us(.lutData, [7, 8, 9, 65535], vr: .OW), signedInput: false)
        XCTAssertEqual(t.firstMapped, 100)
        XCTAssertEqual(t.entries, [7, 8, 9, 65535])
        XCTAssertEqual(t.value(99), 7)
        XCTAssertEqual(t.value(100), 7)
        XCTAssertEqual(t.value(102), 9)
        XCTAssertEqual(t.value(103), 65535)
        XCTAssertEqual(t.value(1000), 65535)
        XCTAssertEqual(t.value(101.9), 8)       // real inputs are floored
        XCTAssertEqual(t.outputLevels, 65536)
    }

    func testSignedFirstValueMapped() throws {
        // −1024 written as US 0xFC00 reads as signed when the input is signed (C.11.1.1.1).
        let t = try LookupTable(descriptor: us(.lutDescriptor, [2, 0xFC00, 12]), data: us(.lutData, [1, 2]), signedInput: true)
        XCTAssertEqual(t.firstMapped, -1024)
        let u = try LookupTable(descriptor: us(.lutDescriptor, [2, 0xFC00, 12]), data: us(.lutData, [1, 2]), signedInput: false)
        XCTAssertEqual(u.firstMapped, 64512)
        let s = try LookupTable(descriptor: us(.lutDescriptor, [2, -5, 12], vr: .SS), data: us(.lutData, [1, 2]), signedInput: false)
        XCTAssertEqual(s.firstMapped, -5)
    }

    func testCountZeroMeans65536() throws {
        let t = try LookupTable(descriptor: us(.lutDescriptor, [0, 0, 16]), data: us(.lutData, Array(0..<65536), vr: .OW), signedInput: false)
        XCTAssertEqual(t.entries.count, 65536)
        XCTAssertEqual(t.value(65535), 65535)
    }

    func testCountWrittenAsSSReadsUnsigned() throws {
        // 40000 entries written with VR SS reads back as −25536: the same 16 bits, unsigned.
        let t = try LookupTable(descriptor: us(.lutDescriptor, [-25536, 0, 16], vr: .SS), data: us(.lutData, [1, 2, 3], vr: .OW), signedInput: false)
        XCTAssertEqual(t.entries.count, 40000)
        XCTAssertEqual(t.value(39999), 3)
        XCTAssertEqual(LookupTable.entryCount(0), 65536)
        XCTAssertEqual(LookupTable.entryCount(-1), 65535)
    }

    func testSegmentedExpansionIsCapped() throws {
        // An indirect segment repeating a 65535-step linear segment 65535 times would make 4 billion
        // entries: expansion stops at the descriptor's count (65536 when none).
        let words = [0, 1, 5, 1, 65535, 9, 2, 65535, 3, 0]
        XCTAssertEqual(try SegmentedLookupTable.expand(words).count, 65536)
        XCTAssertEqual(try SegmentedLookupTable.expand(words, entryCount: 10).count, 10)
    }

    func testEightBitEntriesPackedOrOnePerWord() throws {
        let packed = DataElement(.lutData, .OW, bytes: [10, 20, 30, 40])
        let t = try LookupTable(descriptor: us(.lutDescriptor, [4, 0, 8]), data: packed, signedInput: false)
        XCTAssertEqual(t.entries, [10, 20, 30, 40])
        let words = try LookupTable(descriptor: us(.lutDescriptor, [4, 0, 8]), data: us(.lutData, [10, 20, 30, 40]), signedInput: false)
        XCTAssertEqual(words.entries, [10, 20, 30, 40])
    }

    func testBadDescriptorThrows() {
        XCTAssertThrowsError(try LookupTable(descriptor: us(.lutDescriptor, [4, 0]), data: us(.lutData, [1]), signedInput: false))
        XCTAssertThrowsError(try LookupTable(descriptor: us(.lutDescriptor, [4, 0, 8]), data: DataElement(.lutData, .OW, bytes: []), signedInput: false))
    }

    func testSegmentedDiscreteLinearIndirect() throws {
        // Discrete 3 values, linear 4 steps to 100, indirect copy of the first 2 segments at word 0.
        let words = [0, 3, 10, 20, 30, 1, 4, 100, 2, 2, 0, 0]
        XCTAssertEqual(try SegmentedLookupTable.expand(words), [10, 20, 30, 48, 65, 82, 100, 10, 20, 30, 48, 65, 82, 100])
        // Linear from 30 to 100 in 4 steps: 47.5 → 48 (half to even), 65, 82.5 → 82, 100.
        XCTAssertEqual(try SegmentedLookupTable.expand([0, 1, 30, 1, 4, 100]), [30, 48, 65, 82, 100])
        XCTAssertEqual(try SegmentedLookupTable.expand([0, 1, 5, 1, 3, 5]), [5, 5, 5, 5])
        XCTAssertEqual(try SegmentedLookupTable.expand([0, 2, 1, 2, 1, 2, 0], entryCount: 3), [1, 2, 1])
    }

    func testSegmentedErrors() {
        XCTAssertThrowsError(try SegmentedLookupTable.expand([1, 4, 100]))         // linear first
        XCTAssertThrowsError(try SegmentedLookupTable.expand([0, 5, 1, 2]))        // truncated
        XCTAssertThrowsError(try SegmentedLookupTable.expand([0, 1, 1, 7, 0]))     // unknown opcode
        XCTAssertThrowsError(try SegmentedLookupTable.expand([0, 1, 1, 2, 1, 3, 0]))  // indirect → indirect
        XCTAssertThrowsError(try SegmentedLookupTable.expand([0, 1, 1, 2, 1, 99, 0])) // indirect past the end
    }
}
