import XCTest
import DICOMCore
@testable import DICOMCoding

final class DICOMReaderWriterTests: XCTestCase {
    let encodings: [TransferSyntax] = [.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian, .deflatedExplicitVRLittleEndian]

    /// Flattens a data set into (path, VR, value bytes) for comparison.
    func flatten(_ ds: DataSet, prefix: String = "", compareVR: Bool) -> [String] {
        var out: [String] = []
        for e in ds {
            let key = prefix + e.tag.description
            switch e.value {
            case .sequence(let s):
                out.append(key + " SQ items=\(s.items.count)")
                for (i, item) in s.items.enumerated() {
                    out += flatten(item.dataSet, prefix: key + "[\(i)].", compareVR: compareVR)
                }
            case .fragments(let f):
                out.append(key + " fragments=\(f.fragments.map { $0.withUnsafeBytes { Array($0) } }) bot=\(f.basicOffsetTable)")
            case .bytes, .bulk:
                var bytes = e.value.bytes
                if bytes.count % 2 == 1 { bytes.append(e.vr.paddingByte) }
                out.append(key + (compareVR ? " " + e.vr.rawValue : "") + " " + bytes.map { String($0) }.joined(separator: ","))
            }
        }
        return out
    }

    func testRoundTripEveryVRInEveryEncoding() throws {
        let ds = TestData.everyVR()
        for ts in encodings {
            let bytes = try DICOMWriter.encode(TestData.file(ds, ts))
            let back = try DICOMReader.read(ByteStorage(bytes))
            XCTAssertEqual(back.transferSyntax.uid, ts.uid)
            XCTAssertEqual(back.issues, [], "\(ts.name): \(back.issues)")
            XCTAssertEqual(flatten(back.dataSet, compareVR: ts.isExplicitVR), flatten(ds, compareVR: ts.isExplicitVR), ts.name)
            // Strings decode the same whatever the encoding.
            XCTAssertEqual(back.dataSet.strings(Tag(0x0020, 0x0032)), ["-125.5", "-125.5", "30"])
            XCTAssertEqual(back.dataSet.int(Tag(0x0028, 0x0010)), 4)
            XCTAssertEqual(back.dataSet.ints(Tag(0x7FE0, 0x0010)).prefix(3), [0, 100, 200])
            // Written again in the same encoding: byte-identical.
            let again = try DICOMWriter.encode(back)
            XCTAssertEqual(again, bytes, "\(ts.name) rewrite differs")
        }
    }

    func testExplicitLittleEndianRewriteIsByteIdenticalWithPreservedMeta() throws {
        var file = TestData.file(TestData.everyVR(), .explicitVRLittleEndian)
        file.meta.insert(DataElement(Tag(0x0002, 0x0016), .AE, .bytes(TestData.text("SOURCE_AE", .AE))))
        let first = try DICOMWriter.encode(file, options: WriteOptions(meta: .preserve, keepPreamble: true))
        let read = try DICOMReader.read(ByteStorage(first))
        let second = try DICOMWriter.encode(read, options: WriteOptions(meta: .preserve, keepPreamble: true))
        XCTAssertEqual(first, second)
        XCTAssertEqual(read.meta.string(Tag(0x0002, 0x0016)), "SOURCE_AE")
    }

    func testTranscodingBetweenEncodingsKeepsValues() throws {
        let ds = TestData.everyVR()
        let be = try DICOMWriter.encode(TestData.file(ds, .explicitVRBigEndian))
        let fromBE = try DICOMReader.read(ByteStorage(be))
        let le = try DICOMWriter.encode(fromBE, options: WriteOptions(transferSyntax: .explicitVRLittleEndian))
        let fromLE = try DICOMReader.read(ByteStorage(le))
        XCTAssertEqual(fromLE.transferSyntax, .explicitVRLittleEndian)
        XCTAssertEqual(flatten(fromLE.dataSet, compareVR: true), flatten(ds, compareVR: true))
        let direct = try DICOMWriter.encode(TestData.file(ds, .explicitVRLittleEndian))
        XCTAssertEqual(le, direct)
    }

    func testBigEndianBytesAreSwappedOnTheWire() throws {
        var ds = DataSet()
        ds.insert(DataElement(Tag(0x0028, 0x0010), .US, .bytes([0x34, 0x12])))
        var sink = MemorySink()
        try DICOMWriter.writeDataSet(ds, transferSyntax: .explicitVRBigEndian, to: &sink)
        XCTAssertEqual(sink.bytes, [0x00, 0x28, 0x00, 0x10, 0x55, 0x53, 0x00, 0x02, 0x12, 0x34])
    }

    func testLengthPoliciesRoundTrip() throws {
        let ds = TestData.everyVR()
        for policy in [WriteOptions.LengthPolicy.defined, .undefined] {
            let bytes = try DICOMWriter.encode(TestData.file(ds, .explicitVRLittleEndian), options: WriteOptions(sequenceLengths: policy))
            let back = try DICOMReader.read(ByteStorage(bytes))
            XCTAssertEqual(back.issues, [])
            XCTAssertEqual(flatten(back.dataSet, compareVR: true), flatten(ds, compareVR: true))
            let seq = back.dataSet[Tag(0x0008, 0x1140)]!.value.sequence!
            XCTAssertEqual(seq.undefinedLength, policy == .undefined)
        }
    }

    func testRawDataSetsWithoutMetaAreRecognised() throws {
        let ds = TestData.everyVR()
        for ts in [TransferSyntax.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian] {
            var sink = MemorySink()
            try DICOMWriter.writeDataSet(ds, transferSyntax: ts, to: &sink)
            let back = try DICOMReader.read(ByteStorage(sink.bytes))
            XCTAssertFalse(back.hasMetaHeader)
            XCTAssertEqual(back.transferSyntax.uid, ts.uid, "guessed encoding")
            XCTAssertEqual(flatten(back.dataSet, compareVR: ts.isExplicitVR), flatten(ds, compareVR: ts.isExplicitVR))
        }
    }

    func testNotDICOMIsRejected() {
        for junk in ["hello world, this is text\n", String(repeating: "\u{7F}", count: 300)] {
            XCTAssertThrowsError(try DICOMReader.read(ByteStorage(Array(junk.utf8)))) { error in
                guard case DICOMReadError.notDICOM = error else { return XCTFail("\(error)") }
            }
        }
        XCTAssertThrowsError(try DICOMReader.read(ByteStorage([UInt8]()))) { XCTAssertEqual($0 as? DICOMReadError, .empty) }
    }

    func testEncapsulatedPixelDataRoundTrip() throws {
        var ds = TestData.everyVR(pixels: false)
        let frag1: [UInt8] = [0xFF, 0xD8, 1, 2, 3]  // odd: padded on write
        let frag2: [UInt8] = [0xFF, 0xD9]
        ds.insert(DataElement(Tag(0x7FE0, 0x0010), .OB, .fragments(EncapsulatedPixelData(basicOffsetTable: [0], fragments: [.bytes(frag1), .bytes(frag2)]))))
        let jpeg = TransferSyntax(uid: "1.2.840.10008.1.2.4.50")
        let bytes = try DICOMWriter.encode(TestData.file(ds, jpeg))
        let back = try DICOMReader.read(ByteStorage(bytes))
        XCTAssertEqual(back.issues, [])
        guard case .fragments(let f)? = back.dataSet[Tag(0x7FE0, 0x0010)]?.value else { return XCTFail("no fragments") }
        XCTAssertEqual(f.basicOffsetTable, [0])
        XCTAssertEqual(f.fragments.map { $0.withUnsafeBytes { Array($0) } }, [frag1 + [0], frag2])
        // Encapsulated pixel data cannot be written natively without a codec.
        XCTAssertThrowsError(try DICOMWriter.encode(back, options: WriteOptions(transferSyntax: .explicitVRLittleEndian)))
    }

    func testUNWithUndefinedLengthHoldsImplicitSequence() throws {
        // (0029,1010) UN, undefined length, one item with (0010,0010) PN in implicit VR LE.
        var bytes: [UInt8] = [0x29, 0x00, 0x10, 0x10, 0x55, 0x4E, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        bytes += [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
        bytes += [0x10, 0x00, 0x10, 0x00, 4, 0, 0, 0] + Array("Ab^C".utf8)
        bytes += [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]
        let prefix: [UInt8] = [0x08, 0x00, 0x60, 0x00, 0x43, 0x53, 0x02, 0x00, 0x43, 0x54]  // (0008,0060) CS "CT"
        let back = try DICOMReader.read(ByteStorage(prefix + bytes))
        XCTAssertEqual(back.issues, [])
        let e = try XCTUnwrap(back.dataSet[Tag(0x0029, 0x1010)])
        XCTAssertEqual(e.vr, .UN)
        let items = try XCTUnwrap(e.value.sequence).items
        XCTAssertEqual(items.first?.dataSet.string(Tag(0x0010, 0x0010)), "Ab^C")
        // Written back explicit: identical bytes (the item stays implicit VR inside UN).
        var sink = MemorySink()
        try DICOMWriter.writeDataSet(back.dataSet, transferSyntax: .explicitVRLittleEndian, to: &sink)
        XCTAssertEqual(sink.bytes, prefix + bytes)
    }

    func testOddLengthAndUnknownVRAreReadWithWarnings() throws {
        // (0010,0010) PN length 3 "Abc", then (0011,0010) "ZZ" unknown VR with long length.
        var bytes: [UInt8] = [0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 3, 0] + Array("Abc".utf8)
        bytes += [0x11, 0x00, 0x10, 0x00, 0x5A, 0x5A, 0, 0, 2, 0, 0, 0, 0x41, 0x42]
        let back = try DICOMReader.read(ByteStorage(bytes))
        XCTAssertEqual(back.dataSet.string(Tag(0x0010, 0x0010)), "Abc")
        XCTAssertEqual(back.dataSet[Tag(0x0011, 0x0010)]?.vr, .UN)
        XCTAssertTrue(back.issues.contains { $0.message.contains("odd value length") })
        XCTAssertTrue(back.issues.contains { $0.message.contains("unknown VR") })
        XCTAssertFalse(back.isIncomplete)
    }

    /// Regression: pydicom's DICOMDIR-nooffset has an item whose length runs past its sequence;
    /// DCMTK and pydicom read it, so cmr must too (with a warning), and go on after the sequence.
    func testItemLengthPastItsSequenceIsReadWithAWarning() throws {
        var bytes: [UInt8] = [0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0, 0, 20, 0, 0, 0]    // (0008,1140) SQ, length 20
        bytes += [0xFE, 0xFF, 0x00, 0xE0, 36, 0, 0, 0]                                   // item, length 36 (24 too many)
        bytes += [0x08, 0x00, 0x55, 0x11, 0x55, 0x49, 4, 0] + Array("1.2\0".utf8)     // (0008,1155) UI "1.2"
        bytes += [0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 4, 0] + Array("A^B ".utf8)       // (0010,0010) PN after the sequence
        let f = try DICOMReader.read(ByteStorage(bytes))
        XCTAssertFalse(f.isIncomplete, "\(f.issues)")
        XCTAssertEqual(f.dataSet.items(Tag(0x0008, 0x1140)).first?.string(Tag(0x0008, 0x1155)), "1.2")
        XCTAssertEqual(f.dataSet.string(Tag(0x0010, 0x0010)), "A^B")
        XCTAssertTrue(f.issues.contains { $0.message.contains("runs 24 bytes past the end of its sequence") }, "\(f.issues)")
    }

    /// Regression (found by scripts/fuzz): group 0002 elements inside the data set were written
    /// after the meta header and read back as meta, so a rewrite lost them from the data set.
    func testMetaElementsInTheDataSetAreNotWrittenTwice() throws {
        var ds = TestData.everyVR(pixels: false)
        ds.insert(DataElement(Tag(0x0002, 0x0013), .SH, .bytes(TestData.text("ROGUE", .SH))))
        let bytes = try DICOMWriter.encode(TestData.file(ds, .explicitVRLittleEndian))
        let back = try DICOMReader.read(ByteStorage(bytes))
        XCTAssertEqual(back.issues, [])
        XCTAssertEqual(back.meta.string(Tag(0x0002, 0x0013)), Implementation.versionName)
        XCTAssertEqual(back.dataSet.count, ds.count - 1)
        XCTAssertNil(back.dataSet[Tag(0x0002, 0x0013)])
    }

    /// Regression (found by scripts/fuzz): a first element whose group reads small in big-endian
    /// order, (0200,1200), made the reader take a little-endian file for big-endian.
    func testMetaHeaderByteOrderIsTrustedOverAGuess() throws {
        var ds = DataSet()
        ds.insert(DataElement(Tag(0x0200, 0x1200), .UN, .bytes([1, 2])))
        ds.insert(DataElement(Tag(0x0010, 0x0010), .PN, .bytes(TestData.text("A^B", .PN))))
        let bytes = try DICOMWriter.encode(TestData.file(ds, .explicitVRLittleEndian))
        let back = try DICOMReader.read(ByteStorage(bytes))
        XCTAssertEqual(back.issues, [])
        XCTAssertEqual(back.dataSet.count, 2)
        XCTAssertEqual(back.dataSet.string(Tag(0x0010, 0x0010)), "A^B")
    }

    /// Regression (found by scripts/fuzz): a truncated sequence was kept as raw bytes with VR SQ,
    /// which a rewrite then encoded as a sequence of garbage items.
    func testTruncatedSequenceIsKeptAsUN() throws {
        var bytes: [UInt8] = [0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 4, 0] + Array("A^B ".utf8)
        bytes += [0x10, 0x00, 0x50, 0x00, 0x53, 0x51, 0, 0, 0x00, 0x10, 0, 0, 0xFE, 0xFF, 0x00, 0xE0]  // SQ of 4096 bytes, cut
        let f = try DICOMReader.read(ByteStorage(bytes))
        XCTAssertTrue(f.isIncomplete)
        XCTAssertEqual(f.dataSet[Tag(0x0010, 0x0050)]?.vr, .UN)
        let again = try DICOMReader.read(ByteStorage(try DICOMWriter.encode(f)))
        XCTAssertEqual(again.dataSet.count, f.dataSet.count)
        XCTAssertFalse(again.isIncomplete)
    }

    /// Regression (found by scripts/fuzz): (FFFE,100D) was kept as a data element, which the
    /// writer then encoded in a form no reader can read back.
    func testGroupFFFEOutsideItemsStopsReading() throws {
        var bytes: [UInt8] = [0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 4, 0] + Array("A^B ".utf8)
        bytes += [0xFE, 0xFF, 0x0D, 0x10, 4, 0, 0, 0, 1, 2, 3, 4]
        let f = try DICOMReader.read(ByteStorage(bytes))
        XCTAssertTrue(f.isIncomplete)
        XCTAssertEqual(f.dataSet.count, 1)
        XCTAssertEqual(f.issues.first { $0.severity == .error }?.tag, Tag(0xFFFE, 0x100D))
    }

    /// Regression (found by scripts/fuzz): a group length whose value was not 4 bytes was
    /// rewritten as 4 bytes while the enclosing item's length counted the old value.
    func testMalformedGroupLengthKeepsItemLengthsRight() throws {
        var item = DataSet()
        item.insert(DataElement(Tag(0x0008, 0x0000), .UL, .bytes([1, 0, 0, 0, 2, 0, 0, 0])))
        item.insert(DataElement(Tag(0x0008, 0x0100), .SH, .bytes(TestData.text("X1", .SH))))
        var ds = DataSet()
        ds.insert(DataElement(Tag(0x0008, 0x1032), .SQ, .sequence(SequenceValue(items: [SequenceItem(item, undefinedLength: false)], undefinedLength: false))))
        let bytes = try DICOMWriter.encode(TestData.file(ds, .explicitVRLittleEndian))
        let back = try DICOMReader.read(ByteStorage(bytes))
        XCTAssertEqual(back.issues, [])
        XCTAssertEqual(back.dataSet.items(Tag(0x0008, 0x1032)).first?.string(Tag(0x0008, 0x0100)), "X1")
    }

    /// Regression (found by scripts/fuzz): a big-endian data set starting with (0200,1300) has
    /// the bytes 02 00 13 00, which the meta reader took for a meta element (0002,0013).
    func testBigEndianDataSetIsNotReadAsMeta() throws {
        var ds = DataSet()
        ds.insert(DataElement(Tag(0x0200, 0x1300), .SH, .bytes(TestData.text("AB", .SH))))
        ds.insert(DataElement(Tag(0x0010, 0x0010), .PN, .bytes(TestData.text("A^B", .PN))))
        let bytes = try DICOMWriter.encode(TestData.file(ds, .explicitVRBigEndian))
        let back = try DICOMReader.read(ByteStorage(bytes))
        XCTAssertEqual(back.issues, [])
        XCTAssertEqual(back.dataSet.count, 2)
        XCTAssertEqual(back.dataSet.string(Tag(0x0200, 0x1300)), "AB")
        // (0200,4D20) reads as (0002,204D), after the last meta element: the group length decides.
        var later = DataSet()
        later.insert(DataElement(Tag(0x0200, 0x4D20), .UN, .bytes([1, 2])))
        let again = try DICOMReader.read(ByteStorage(try DICOMWriter.encode(TestData.file(later, .explicitVRBigEndian))))
        XCTAssertEqual(again.issues, [])
        XCTAssertEqual(again.dataSet.count, 1)
    }

    func testTruncationAtEveryOffsetNeverCrashes() throws {
        for ts in encodings {
            let bytes = try DICOMWriter.encode(TestData.file(TestData.everyVR(), ts))
            var incomplete = 0
            for cut in 0..<bytes.count {
                do {
                    let f = try DICOMReader.read(ByteStorage(Array(bytes[0..<cut])))
                    if f.isIncomplete { incomplete += 1 }
                } catch {
                    // Rejecting is fine; crashing or hanging is not.
                }
            }
            if !ts.isDeflated {
                XCTAssertGreaterThan(incomplete, bytes.count / 2, "\(ts.name): truncation should mostly be reported")
            }
        }
    }

    func testTruncatedValueIsReportedWithOffsetAndTag() throws {
        let bytes = try DICOMWriter.encode(TestData.file(TestData.everyVR(), .explicitVRLittleEndian))
        let f = try DICOMReader.read(ByteStorage(Array(bytes[0..<(bytes.count - 7)])))
        XCTAssertTrue(f.isIncomplete)
        let issue = try XCTUnwrap(f.issues.first { $0.severity == .error })
        XCTAssertEqual(issue.tag, Tag(0x7FE0, 0x0010))
        XCTAssertTrue(issue.message.contains("truncated"), issue.message)
        XCTAssertGreaterThan(issue.offset, 0)
    }

    func testRandomByteFlipsNeverCrash() throws {
        var rng = SplitMix(seed: 42)
        for ts in encodings {
            let bytes = try DICOMWriter.encode(TestData.file(TestData.everyVR(), ts))
            for _ in 0..<500 {
                var m = bytes
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let i = Int(rng.next() % UInt64(m.count))
                    m[i] = UInt8(truncatingIfNeeded: rng.next())
                }
                if let f = try? DICOMReader.read(ByteStorage(m)) {
                    // Whatever was read can be written again without crashing.
                    _ = try? DICOMWriter.encode(f)
                }
            }
        }
    }

    func testDeepNestingIsBounded() throws {
        // 1,000 nested undefined-length sequences: read up to the limit, reported, no stack overflow.
        var bytes: [UInt8] = []
        for _ in 0..<1000 {
            bytes += [0x08, 0x00, 0x40, 0x11, 0x53, 0x51, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]  // (0008,1140) SQ u/l
            bytes += [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]                    // item u/l
        }
        let f = try DICOMReader.read(ByteStorage(bytes))
        XCTAssertTrue(f.issues.contains { $0.message.contains("nested deeper") })
    }

    func testAtomicWriterNeverOverwritesUnlessAsked() throws {
        let dir = NSTemporaryDirectory() + "cmr-atomic-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/out.dcm"
        try AtomicFileWriter.write(to: path) { try $0.write([1, 2, 3]) }
        XCTAssertThrowsError(try AtomicFileWriter.write(to: path) { try $0.write([4]) }) {
            XCTAssertEqual(($0 as? FileError)?.kind, .exists)
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data([1, 2, 3]))
        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicFileWriter.write(to: path, overwrite: true) { w in
            try w.write([9, 9])
            throw Boom()
        })
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data([1, 2, 3]), "failed write left the old file")
        try AtomicFileWriter.write(to: path, overwrite: true) { try $0.write([7]) }
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data([7]))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testMappedFileReadsLargeFilesWithoutCopy() throws {
        let dir = NSTemporaryDirectory() + "cmr-map-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var ds = TestData.everyVR(pixels: false)
        let pixels = [UInt8](repeating: 0xAB, count: 3 << 20)
        ds.insert(DataElement(Tag(0x7FE0, 0x0010), .OB, .bytes(pixels)))
        let path = dir + "/big.dcm"
        try AtomicFileWriter.write(to: path) { try DICOMWriter.write(TestData.file(ds, .explicitVRLittleEndian), to: &$0) }
        let f = try DICOMReader.read(contentsOf: path)
        guard case .bulk(let b)? = f.dataSet[Tag(0x7FE0, 0x0010)]?.value else { return XCTFail("pixel data should stay in the file") }
        XCTAssertEqual(b.count, pixels.count)
        XCTAssertEqual(b.bytes, pixels)
    }
}

/// Deterministic pseudo-random numbers for reproducible mutation tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
