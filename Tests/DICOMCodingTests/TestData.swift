import DICOMCore
import DICOMCoding

/// Data sets built in code for the reader and writer tests (no patient data: all synthetic).
enum TestData {
    static func le16(_ v: [UInt16]) -> [UInt8] { v.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
    static func le32(_ v: [UInt32]) -> [UInt8] { v.flatMap { x in (0..<4).map { UInt8((x >> (8 * $0)) & 0xFF) } } }
    static func le64(_ v: [UInt64]) -> [UInt8] { v.flatMap { x in (0..<8).map { UInt8((x >> (8 * $0)) & 0xFF) } } }
    static func text(_ s: String, _ vr: VR) -> [UInt8] {
        var b = Array(s.utf8)
        if b.count % 2 == 1 { b.append(vr.paddingByte) }
        return b
    }

    /// One element of every VR (standard tags whose dictionary VR matches, so implicit VR
    /// encodings read back the same VR), a nested sequence, a private block, native pixel data.
    static func everyVR(pixels: Bool = true) -> DataSet {
        var ds = DataSet()
        func put(_ g: UInt16, _ e: UInt16, _ vr: VR, _ bytes: [UInt8]) { ds.insert(DataElement(Tag(g, e), vr, .bytes(bytes))) }
        put(0x0008, 0x0005, .CS, text("ISO_IR 100", .CS))
        put(0x0008, 0x0008, .CS, text("ORIGINAL\\PRIMARY\\AXIAL", .CS))
        put(0x0008, 0x0016, .UI, text("1.2.840.10008.5.1.4.1.1.2", .UI))
        put(0x0008, 0x0018, .UI, text("1.2.826.0.1.3680043.2.1125.1.1", .UI))
        put(0x0008, 0x0020, .DA, text("20240131", .DA))
        put(0x0008, 0x0030, .TM, text("235959.123456", .TM))
        put(0x0008, 0x002A, .DT, text("20240131235959.123456+0100", .DT))
        put(0x0008, 0x0054, .AE, text("CMR_TEST", .AE))
        put(0x0008, 0x0060, .CS, text("CT", .CS))
        put(0x0008, 0x0080, .LO, text("Synthetic Hospital", .LO))
        put(0x0008, 0x0081, .ST, text("1 Example Street\r\nNowhere", .ST))
        put(0x0008, 0x0090, .PN, text("Doe^Jane^^Dr.", .PN))
        put(0x0008, 0x1030, .LO, text("CT CHEST", .LO))
        put(0x0008, 0x0050, .SH, text("ACC0001", .SH))
        put(0x0010, 0x0010, .PN, text("Müller^Jürgen", .PN))
        put(0x0010, 0x0020, .LO, text("PAT-0001", .LO))
        put(0x0010, 0x1010, .AS, text("042Y", .AS))
        put(0x0010, 0x1030, .DS, text("72.5", .DS))
        put(0x0010, 0x4000, .LT, text("Line one\nLine two", .LT))
        put(0x0018, 0x1170, .IS, text("120", .IS))
        put(0x0008, 0x2134, .FD, le64([Double(3.25).bitPattern]))            // FD (example of FD tag)
        put(0x0018, 0x9306, .FD, le64([Double(-1.5).bitPattern, Double(2).bitPattern]))
        put(0x0020, 0x000D, .UI, text("1.2.826.0.1.3680043.2.1125.2", .UI))
        put(0x0020, 0x000E, .UI, text("1.2.826.0.1.3680043.2.1125.3", .UI))
        put(0x0020, 0x0013, .IS, text("7", .IS))
        put(0x0020, 0x0032, .DS, text("-125.5\\-125.5\\30", .DS))
        put(0x0020, 0x4000, .LT, text("Comment", .LT))
        put(0x0028, 0x0002, .US, le16([1]))
        put(0x0028, 0x0004, .CS, text("MONOCHROME2", .CS))
        put(0x0028, 0x0010, .US, le16([4]))
        put(0x0028, 0x0011, .US, le16([4]))
        put(0x0028, 0x0100, .US, le16([16]))
        put(0x0028, 0x0101, .US, le16([12]))
        put(0x0028, 0x0102, .US, le16([11]))
        put(0x0028, 0x0103, .US, le16([0]))
        put(0x0018, 0x0013, .FL, le32([Float(0.5).bitPattern]))              // FL
        put(0x0018, 0x9219, .SS, le16([UInt16(bitPattern: -42)]))           // SS
        put(0x0028, 0x6120, .SS, le16([UInt16(bitPattern: -3)]))
        put(0x0040, 0xA30A, .DS, text("1.5e3", .DS))
        put(0x0018, 0x6050, .UL, le32([0xDEADBEEF]))                          // UL-ish
        put(0x0018, 0x9517, .DT, text("2024", .DT))
        put(0x0020, 0x9165, .AT, le16([0x0018, 0x9517]))                      // AT
        put(0x0040, 0xA124, .UI, text("1.2.3", .UI))
        put(0x0040, 0xA120, .DT, text("20240101", .DT))
        put(0x0072, 0x0082, .SV, le64([UInt64(bitPattern: -9_000_000_000)]))  // SV
        put(0x0008, 0x040C, .UV, le64([18_000_000_000]))                      // UV
        put(0x0008, 0x0119, .UC, text("A long code value", .UC))
        put(0x0008, 0x0120, .UR, text("http://example.org/x", .UR))
        put(0x0018, 0x6020, .SL, le32([UInt32(bitPattern: -100000)]))
        put(0x0040, 0xA160, .UT, text("Unlimited text", .UT))
        put(0x0066, 0x0016, .OF, le32([Float(1).bitPattern, Float(2).bitPattern]))
        put(0x0066, 0x0040, .OL, le32([1, 2, 3]))
        put(0x0066, 0x0023, .OW, le16([1, 2, 3, 4]))
        put(0x0066, 0x0022, .OD, le64([Double(1).bitPattern]))               // OD-ish
        put(0x7FE0, 0x0001, .OV, le64([0]))
        put(0x0042, 0x0011, .OB, [1, 2, 3, 4, 5, 6])
        // A private block.
        put(0x0029, 0x0010, .LO, text("CMR TEST CREATOR", .LO))
        put(0x0029, 0x1001, .LO, text("private text", .LO))
        put(0x0029, 0x1002, .UN, [0xCA, 0xFE, 0xBA, 0xBE])
        // Nested sequences: one undefined length, one defined, an empty one.
        var inner = DataSet()
        inner.insert(DataElement(Tag(0x0008, 0x0100), .SH, .bytes(text("113100", .SH))))
        inner.insert(DataElement(Tag(0x0008, 0x0102), .SH, .bytes(text("DCM", .SH))))
        var item = DataSet()
        item.insert(DataElement(Tag(0x0008, 0x1150), .UI, .bytes(text("1.2.840.10008.5.1.4.1.1.2", .UI))))
        item.insert(DataElement(Tag(0x0008, 0x1155), .UI, .bytes(text("1.2.3.4.5", .UI))))
        item.insert(DataElement(Tag(0x0040, 0xA168), .SQ, .sequence(SequenceValue(items: [SequenceItem(inner, undefinedLength: false)], undefinedLength: false))))
        ds.insert(DataElement(Tag(0x0008, 0x1140), .SQ, .sequence(SequenceValue(items: [SequenceItem(item), SequenceItem(item, undefinedLength: false)], undefinedLength: true))))
        ds.insert(DataElement(Tag(0x0008, 0x1115), .SQ, .sequence(SequenceValue(items: [], undefinedLength: false))))
        if pixels {
            ds.insert(DataElement(Tag(0x7FE0, 0x0010), .OW, .bytes(le16((0..<16).map { UInt16($0 * 100) }))))
        }
        return ds
    }

    static func file(_ ds: DataSet, _ ts: TransferSyntax) -> DICOMFile {
        DICOMFile(dataSet: ds, transferSyntax: ts)
    }
}
