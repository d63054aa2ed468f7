import XCTest
import Foundation
import DICOMCore
@testable import DICOMCoding

/// Cross-check of `DICOMJSON.encode` against pydicom's `Dataset.to_json_dict`: files written with
/// `DICOMWriter`, read by both, compared value for value (numbers numerically).
///
/// Python comes from `CMR_PYTHON` or `<package>/.venv/bin/python` (with pydicom installed:
/// `python3 -m venv .venv && .venv/bin/pip install pydicom`). Without it the tests are skipped,
/// unless `CI` is set, where they fail.
///
/// Deliberate differences from pydicom (also in docs/json-output.md), which the comparison
/// script accepts, each where it does so:
/// - empty values inside a multi-valued element: cmr `null` (PS3.18 F.2.5), pydicom `""`;
/// - a sequence without items: cmr leaves "Value" out (F.2.5), pydicom writes `"Value": []`;
/// - empty PN component groups: cmr leaves them out (F.2.2 "non-empty"), pydicom writes `""`;
/// - FL: cmr writes the shortest text of the Float (`0.1`), pydicom that of the widened Double
///   (`0.10000000149011612`); compared as 32-bit floats;
/// - NaN and infinities: cmr writes the strings "NaN", "Infinity", "-Infinity" (JSON has no such
///   numbers), pydicom the bare tokens Python's json accepts;
/// - DS and IS keep their digits (`1E3`, `-1.250`), pydicom writes Python floats and ints;
///   compared numerically;
/// - leading spaces: cmr drops them where `DataSet.strings(of:)` does, pydicom keeps them
///   (the test data has none);
/// and, checked as an expected difference: UN on a tag the dictionary knows (cmr keeps UN and InlineBinary, pydicom re-reads it with the dictionary VR).
final class DICOMJSONPydicomTests: XCTestCase {
    // MARK: Python

    static let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct PythonMissing: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// The python with pydicom, or skip (fail under CI).
    func python() throws -> URL {
        let (url, why) = DICOMJSONPydicomTests.pythonStatus
        if let url { return url }
        let message = why ?? "no python"
        if ProcessInfo.processInfo.environment["CI"] != nil { throw PythonMissing(message: message) }
        throw XCTSkip(message)
    }

    /// Looked for once: starting python and importing pydicom takes a second or two.
    static let pythonStatus: (url: URL?, why: String?) = {
        let candidate = ProcessInfo.processInfo.environment["CMR_PYTHON"].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            return (nil, "no python at \(candidate.path) (set CMR_PYTHON, or create .venv with pydicom)")
        }
        guard let result = try? run(candidate, ["-c", "import pydicom"]), result.status == 0 else {
            return (nil, "pydicom cannot be imported by \(candidate.path)")
        }
        return (candidate, nil)
    }()

    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        // stderr goes to a file, so that neither pipe can fill up while stdout is read.
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("cmr-json-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? errHandle.close() }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errHandle
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = (try? Data(contentsOf: errURL)) ?? Data()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Reads the file with pydicom, compares its JSON with cmr's, prints the differences left
    /// after the deliberate ones are accounted for, as a JSON list of {path, kind, pydicom, cmr}.
    static let compareScript = #"""
import json, math, struct, sys, warnings
warnings.simplefilter("ignore")
import pydicom

dcm_path, cmr_path, threshold, use_handler = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
ds = pydicom.dcmread(dcm_path)
handler = (lambda e: "bulk:%08X" % e.tag) if use_handler else None
ref = ds.to_json_dict(bulk_data_threshold=threshold, bulk_data_element_handler=handler)
with open(cmr_path, encoding="utf-8") as f:
    ours = json.load(f)
diffs = []
NUMERIC = {"DS", "IS", "FL", "FD", "US", "SS", "UL", "SL", "SV", "UV"}

def diff(path, kind, a=None, b=None):
    diffs.append({"path": "/".join(path), "kind": kind, "pydicom": repr(a), "cmr": repr(b)})

def same_number(a, b, vr):
    if isinstance(b, str):
        # cmr: non-finite FL/FD values as the strings NaN, Infinity, -Infinity.
        if vr in ("FL", "FD") and isinstance(a, float) and not math.isfinite(a):
            return b == ("NaN" if math.isnan(a) else ("Infinity" if a > 0 else "-Infinity"))
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    if vr == "FL":
        # cmr: shortest text of the Float; pydicom: of the widened Double.
        return struct.pack("<f", a) == struct.pack("<f", b)
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    return float(a) == float(b)

def person_name(v):
    # cmr leaves empty component groups out; a value without any is null.
    if isinstance(v, dict):
        v = {k: s for k, s in v.items() if s != ""}
        return v or None
    return v

def compare_dataset(a, b, path):
    # Group lengths are not part of the JSON model (PS3.18 F.2.2).
    a = {k: v for k, v in a.items() if not k.endswith("0000")}
    for k in sorted(set(a) | set(b)):
        if k not in b:
            diff(path + [k], "missing in cmr", a[k])
        elif k not in a:
            diff(path + [k], "missing in pydicom", None, b[k])
        else:
            compare_element(a[k], b[k], path + [k])

def compare_element(a, b, path):
    vr = a.get("vr")
    if vr != b.get("vr"):
        return diff(path, "vr", vr, b.get("vr"))
    if vr == "SQ" and a.get("Value") == []:
        # cmr: a sequence without items has no "Value" (PS3.18 F.2.5).
        a = {k: v for k, v in a.items() if k != "Value"}
    if set(a) != set(b):
        return diff(path, "members", sorted(a), sorted(b))
    for key in ("InlineBinary", "BulkDataURI"):
        if key in a and a[key] != b[key]:
            diff(path, key, a[key], b[key])
    if "Value" not in a:
        return
    va, vb = a["Value"], b["Value"]
    if len(va) != len(vb):
        return diff(path, "value count", va, vb)
    for i, (x, y) in enumerate(zip(va, vb)):
        where = path + [str(i)]
        if vr == "SQ":
            compare_dataset(x, y, where)
        elif vr == "PN":
            if person_name(x) != person_name(y):
                diff(where, "value", x, y)
        elif vr in NUMERIC:
            if not (x is None and y is None) and not same_number(x, y, vr):
                diff(where, "value", x, y)
        else:
            # cmr: empty values of multi-valued elements are null (PS3.18 F.2.5), pydicom "".
            if (None if x == "" else x) != y:
                diff(where, "value", x, y)

compare_dataset(ref, ours, [])
print(json.dumps(diffs))
"""#

    /// pydicom's threshold is on the base64 length: a value is bulk when longer than
    /// `(threshold // 4) * 3` bytes. 64 there is 48 bytes here.
    static let pydicomThreshold = 64
    static let byteThreshold = 48

    struct Difference: Hashable, CustomStringConvertible {
        var path: String
        var kind: String
        var description: String { "\(path): \(kind)" }
    }

    /// Writes `ds`, reads it back with cmr's reader and with pydicom, and returns the
    /// differences the script found (after the documented ones).
    func differences(_ ds: DataSet, transferSyntax: TransferSyntax = .explicitVRLittleEndian,
                     bulkDataURIs: Bool = true) throws -> [Difference] {
        let python = try python()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cmr-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dcm = dir.appendingPathComponent("test.dcm")
        let json = dir.appendingPathComponent("cmr.json")
        try Data(DICOMWriter.encode(DICOMFile(dataSet: ds, transferSyntax: transferSyntax))).write(to: dcm)

        let file = try DICOMReader.read(ByteStorage(Array(try Data(contentsOf: dcm))))
        XCTAssertEqual(file.issues, [])
        var options = DICOMJSON.EncodeOptions(bulkDataThreshold: DICOMJSONPydicomTests.byteThreshold)
        if bulkDataURIs { options.bulkDataURI = { tag, _ in "bulk:" + tag.jsonKey } }
        try Data(DICOMJSON.encode(file, options: options)).write(to: json)

        let result = try DICOMJSONPydicomTests.run(python, ["-c", DICOMJSONPydicomTests.compareScript, dcm.path, json.path,
                                      String(DICOMJSONPydicomTests.pydicomThreshold), bulkDataURIs ? "1" : "0"])
        guard result.status == 0 else {
            XCTFail("comparison script failed: \(result.stderr)")
            return []
        }
        let list = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: String]] ?? []
        for d in list { print("pydicom cross-check: \(d)") }
        return list.map { Difference(path: $0["path"] ?? "", kind: $0["kind"] ?? "") }
    }

    // MARK: Data

    static func put(_ ds: inout DataSet, _ tag: UInt32, _ vr: VR, _ s: String) {
        var b = Array(s.utf8)
        if b.count % 2 == 1 { b.append(vr.paddingByte) }
        ds.insert(DataElement(Tag(tag), vr, .bytes(b)))
    }

    static func put(_ ds: inout DataSet, _ tag: UInt32, _ vr: VR, bytes: [UInt8]) {
        ds.insert(DataElement(Tag(tag), vr, .bytes(bytes)))
    }

    static func le<T: FixedWidthInteger>(_ v: [T]) -> [UInt8] { v.flatMap { x in withUnsafeBytes(of: x.littleEndian, Array.init) } }

    /// Every VR, multi-values, empty values, PN with three groups, nested sequences, a private
    /// block with a private sequence, bulk and inline binary values; UTF-8 text.
    static func everything() -> DataSet {
        var ds = DataSet(characterSet: .utf8)
        put(&ds, 0x0008_0005, .CS, "ISO_IR 192")
        put(&ds, 0x0008_0008, .CS, "ORIGINAL\\PRIMARY\\\\AXIAL")
        put(&ds, 0x0008_0016, .UI, "1.2.840.10008.5.1.4.1.1.7")
        put(&ds, 0x0008_0018, .UI, "1.2.826.0.1.3680043.2.1125.9.1")
        put(&ds, 0x0008_0020, .DA, "20240131")
        put(&ds, 0x0008_002A, .DT, "20240131235959.123456+0100")
        put(&ds, 0x0008_0030, .TM, "235959.123456")
        put(&ds, 0x0008_0054, .AE, "CMR_TEST")
        put(&ds, 0x0008_0060, .CS, "")
        put(&ds, 0x0008_0080, .LO, "Synthetic Hospital")
        put(&ds, 0x0008_0081, .ST, "1 Example Street\r\nNowhere \\ \"quoted\"")
        put(&ds, 0x0008_0090, .PN, "=山田^太郎")
        put(&ds, 0x0008_0119, .UC, "A long code value\\Another")
        put(&ds, 0x0008_0120, .UR, "http://example.org/x?a=1&b=2")
        put(&ds, 0x0008_1050, .PN, "Doe^John^^^\\Roe^Richard^^Dr.")
        put(&ds, 0x0008_1070, .PN, "")
        put(&ds, 0x0010_0010, .PN, "Yamada^Tarou=山田^太郎=やまだ^たろう")
        put(&ds, 0x0010_0020, .LO, "PAT-0001")
        put(&ds, 0x0010_1010, .AS, "042Y")
        put(&ds, 0x0010_1030, .DS, "72.5")
        put(&ds, 0x0010_4000, .LT, "Line one\nLine two\\still one\ttab ünïcödé")
        put(&ds, 0x0018_1170, .IS, "+120")
        put(&ds, 0x0018_9087, .FD, bytes: le([Double.nan, .infinity, -.infinity, 0.1, 1e300, -0.0].map(\.bitPattern)))
        put(&ds, 0x0018_9098, .FL, bytes: le([Float(0.1), 1e-7, 3.4028235e38, -.infinity, 2.5].map(\.bitPattern)))
        put(&ds, 0x0018_9601, .SL, bytes: le([Int32.min, -100_000, Int32.max].map { UInt32(bitPattern: $0) }))
        put(&ds, 0x0018_6050, .UL, bytes: le([UInt32.max, 0, 7]))
        put(&ds, 0x0020_0013, .IS, "7\\-007")
        put(&ds, 0x0020_0032, .DS, "-125.5\\+.5\\1E3\\0.000001\\-1.250")
        put(&ds, 0x0020_0037, .DS, "1\\0\\0\\0\\1\\0")
        put(&ds, 0x0020_9165, .AT, bytes: le([UInt16(0x0018), 0x9517, 0x7FE0, 0x0010]))
        put(&ds, 0x0028_0010, .US, bytes: le([UInt16(4), 65535]))
        put(&ds, 0x0028_0106, .SS, bytes: le([Int16.min, -3, Int16.max].map { UInt16(bitPattern: $0) }))
        put(&ds, 0x0040_A160, .UT, "Unlimited text \\ with a backslash")
        put(&ds, 0x0042_0011, .OB, bytes: [1, 2, 3, 4, 5, 6])
        put(&ds, 0x0066_0016, .OF, bytes: le([Float(1), 2].map(\.bitPattern)))
        put(&ds, 0x0066_0023, .OW, bytes: le([UInt16(1), 2, 3, 4]))
        put(&ds, 0x0066_0040, .OL, bytes: le([UInt32(1), 2, 3]))
        put(&ds, 0x0070_1506, .OD, bytes: le([Double(1).bitPattern]))
        put(&ds, 0x0072_007A, .SV, bytes: le([Int64.min, -9_000_000_000, Int64.max].map { UInt64(bitPattern: $0) }))
        put(&ds, 0x0072_0082, .UV, bytes: le([UInt64.max, 18_000_000_000]))
        put(&ds, 0x7FE0_0001, .OV, bytes: le([UInt64(0), 1]))
        put(&ds, 0x7FE0_0010, .OW, bytes: le((0..<32).map { UInt16($0 * 100) }))

        // Nested sequences, an empty item, an empty sequence.
        var code = DataSet(characterSet: .utf8)
        put(&code, 0x0008_0100, .SH, "113100")
        put(&code, 0x0008_0102, .SH, "DCM")
        put(&code, 0x0008_0104, .LO, "Basic Application Confidentiality Profile – ünïcödé")
        var item = DataSet(characterSet: .utf8)
        put(&item, 0x0008_1150, .UI, "1.2.840.10008.5.1.4.1.1.2")
        put(&item, 0x0008_1155, .UI, "1.2.3.4.5")
        put(&item, 0x0042_0011, .OB, bytes: [UInt8](repeating: 0xAB, count: 50))
        item.insert(DataElement(Tag(0x0040_A168), .SQ, .sequence(SequenceValue([DataSet(characterSet: .utf8), code]))))
        ds.insert(DataElement(Tag(0x0008_1140), .SQ, .sequence(SequenceValue([item, DataSet(characterSet: .utf8)]))))
        ds.insert(DataElement(Tag(0x0008_1115), .SQ, .sequence(SequenceValue())))

        // A private block: creator, text, UN, binary number, a private sequence, bulk OB.
        put(&ds, 0x0029_0010, .LO, "CMR TEST CREATOR")
        put(&ds, 0x0029_1001, .LO, "private text\\second")
        put(&ds, 0x0029_1002, .UN, bytes: [0xCA, 0xFE, 0xBA, 0xBE])
        put(&ds, 0x0029_1003, .US, bytes: le([UInt16(7)]))
        var privateItem = DataSet(characterSet: .utf8)
        put(&privateItem, 0x0029_0010, .LO, "CMR TEST CREATOR")
        put(&privateItem, 0x0029_1001, .LO, "inside")
        ds.insert(DataElement(Tag(0x0029_1004), .SQ, .sequence(SequenceValue([privateItem]))))
        put(&ds, 0x0029_1005, .OB, bytes: [UInt8](repeating: 0x5A, count: 60))
        return ds
    }

    // MARK: Tests

    func testEveryVRAgreesWithPydicom() throws {
        let found = try differences(DICOMJSONPydicomTests.everything())
        XCTAssertEqual(found, [])
    }

    func testEveryVRInlineAgreesWithPydicom() throws {
        let found = try differences(DICOMJSONPydicomTests.everything(), bulkDataURIs: false)
        XCTAssertEqual(found, [])
    }

    func testLatin1AgreesWithPydicom() throws {
        var ds = DataSet()
        DICOMJSONPydicomTests.put(&ds, 0x0008_0005, .CS, "ISO_IR 100")
        DICOMJSONPydicomTests.put(&ds, 0x0008_0016, .UI, "1.2.840.10008.5.1.4.1.1.7")
        DICOMJSONPydicomTests.put(&ds, 0x0008_0018, .UI, "1.2.3")
        // "Müller^Jürgen", "Straße" in ISO 8859-1.
        DICOMJSONPydicomTests.put(&ds, 0x0010_0010, .PN, bytes: [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x5E, 0x4A, 0xFC, 0x72, 0x67, 0x65, 0x6E, 0x20])
        var item = DataSet()
        DICOMJSONPydicomTests.put(&item, 0x0010_2160, .SH, bytes: [0x53, 0x74, 0x72, 0x61, 0xDF, 0x65])
        ds.insert(DataElement(Tag(0x0008_1140), .SQ, .sequence(SequenceValue([item]))))
        let found = try differences(ds)
        XCTAssertEqual(found, [])
    }

    func testISO2022JapaneseAgreesWithPydicom() throws {
        // PS3.5 H.3.1: Yamada^Tarou=山田^太郎=やまだ^たろう in ISO 2022 IR 87.
        var ds = DataSet()
        DICOMJSONPydicomTests.put(&ds, 0x0008_0005, .CS, "\\ISO 2022 IR 87")
        DICOMJSONPydicomTests.put(&ds, 0x0008_0016, .UI, "1.2.840.10008.5.1.4.1.1.7")
        DICOMJSONPydicomTests.put(&ds, 0x0008_0018, .UI, "1.2.3")
        let name: [UInt8] = Array("Yamada^Tarou=".utf8)
            + [0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B, 0x28, 0x42]
            + [0x3D]
            + [0x1B, 0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x42]
        DICOMJSONPydicomTests.put(&ds, 0x0010_0010, .PN, bytes: name + (name.count % 2 == 1 ? [0x20] : []))
        let found = try differences(ds)
        XCTAssertEqual(found, [])
        let json = String(decoding: DICOMJSON.encode(ds), as: UTF8.self)
        XCTAssertTrue(json.contains(#"{"Alphabetic":"Yamada^Tarou","Ideographic":"山田^太郎","Phonetic":"やまだ^たろう"}"#), json)
    }

    static func encapsulated() -> DataSet {
        var ds = DataSet()
        put(&ds, 0x0008_0016, .UI, "1.2.840.10008.5.1.4.1.1.7")
        put(&ds, 0x0008_0018, .UI, "1.2.3")
        put(&ds, 0x0028_0002, .US, bytes: le([UInt16(1)]))
        put(&ds, 0x0028_0010, .US, bytes: le([UInt16(2)]))
        put(&ds, 0x0028_0011, .US, bytes: le([UInt16(2)]))
        put(&ds, 0x0028_0100, .US, bytes: le([UInt16(8)]))
        ds.insert(DataElement(.pixelData, .OB, .fragments(EncapsulatedPixelData(basicOffsetTable: [0], fragments: [.bytes([UInt8](repeating: 0x11, count: 100))]))))
        return ds
    }

    func testEncapsulatedPixelDataWithBulkDataURIAgreesWithPydicom() throws {
        let found = try differences(DICOMJSONPydicomTests.encapsulated(), transferSyntax: TransferSyntax(uid: "1.2.840.10008.1.2.5"))
        XCTAssertEqual(found, [])
    }

    func testEncapsulatedPixelDataWithoutBulkDataURIIsInlinedAsPydicomDoes() throws {
        let found = try differences(DICOMJSONPydicomTests.encapsulated(), transferSyntax: TransferSyntax(uid: "1.2.840.10008.1.2.5"),
                                       bulkDataURIs: false)
        XCTAssertEqual(found, [])
    }

    func testUNOnAKnownTagStaysUN() throws {
        // Documented difference: pydicom re-reads UN with the dictionary VR (config.replace_un_with_known_vr).
        var ds = DataSet()
        DICOMJSONPydicomTests.put(&ds, 0x0008_0016, .UI, "1.2.840.10008.5.1.4.1.1.7")
        DICOMJSONPydicomTests.put(&ds, 0x0008_0018, .UI, "1.2.3")
        DICOMJSONPydicomTests.put(&ds, 0x0010_0020, .UN, "PAT-0001")
        let found = try differences(ds)
        XCTAssertEqual(found, [Difference(path: "00100020", kind: "vr")])
    }
}
