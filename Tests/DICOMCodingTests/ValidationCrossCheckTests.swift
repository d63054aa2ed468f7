import Foundation
import XCTest
import DICOMCore
import DICOMCoding

/// `DataSetValidator` against dciodvfy (dicom3tools): files written by DCMTK's dump2dcm with bad
/// values; every value problem dciodvfy reports must be among those the validator reports, for the
/// same tag and of a matching kind.
///
/// dciodvfy lines that are matched:
/// - `Error - Value invalid for this VR - (0xgggg,0xeeee) …` and `Warning - Value dubious for this VR
///   - (0xgggg,0xeeee) …` → vr-format, retired-format, length, charset or padding; except the
///   dubious "Retired Person Name form", which dciodvfy says of any name without `^` ("Anonymized"),
///   a valid PN of one component;
/// - `Error - Illegal root for UID - "…" in (0xgggg,0xeeee) …` → vr-format;
/// - `Error - Bad attribute Value Multiplicity N (M Required by Dictionary) Element=<Keyword> …` → vm;
/// - `(0xgggg,0xeeee) … - Warning - Explicit value representation doesn't match data dictionary …`
///   → vr-mismatch;
/// - `(0xgggg,0xeeee) … - Warning - Private tag without owner` → private-creator-missing.
///
/// Not matched, being IOD and module checks the validator does not make: missing attributes, attributes
/// not in the IOD, unrecognised defined terms, and the module-level repeats of VM and VR errors
/// (`… Type 1 Required Element=<…> Module=<…>`, `Invalid Value Representation … Module=<…>`).
///
/// Where dciodvfy and PS3.5 disagree the validator follows PS3.5; those values sit in a file of their
/// own (`knownDifferences`) and are checked to be flagged by dciodvfy and not by the validator, so a
/// change on either side shows.
final class ValidationCrossCheckTests: XCTestCase {
    static let dciodvfy = "/usr/bin/dciodvfy"
    static let dump2dcm = "/usr/bin/dump2dcm"
    static let sopClass = "(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]"

    /// Bad DA, TM, DT, UI, CS, IS, DS, AS, AE, SH, LO, UR and PN values, one per tag.
    static let values = """
        \(sopClass)
        (0008,0012) DA [1993.08.01]
        (0008,0018) UI [1.2.03.4]
        (0008,0020) DA [2023-01-02]
        (0008,0021) DA [20231301]
        (0008,0022) DA [ 20230102]
        (0008,0023) DA [20230230]
        (0008,002a) DT [20230102+1500]
        (0008,0030) TM [256000]
        (0008,0031) TM [12:30:00]
        (0008,0032) TM [1230.5]
        (0008,0033) TM [12000]
        (0008,0050) SH [abc é]
        (0008,0054) AE [ABCDEFGHIJKLMNOPQ]
        (0008,0060) CS [ot]
        (0008,0064) CS [A-B]
        (0008,0070) LO [0123456789012345678901234567890123456789012345678901234567890123456789]
        (0008,0090) PN [A=B=C=D]
        (0008,0120) UR [ http://x]
        (0008,1050) PN [A^B^C^D^E^F]
        (0008,1070) PN [Doe^John^^^^]
        (0008,1150) UI [0]
        (0010,0032) TM [235960]
        (0010,1010) AS [045X]
        (0010,1020) DS [1.5e]
        (0018,0050) DS [1.5.3]
        (0018,0088) DS [abc]
        (0018,1200) DA [20230102\\2023]
        (0018,1201) TM [12\\1]
        (0020,000d) UI [1.2.3.abc]
        (0020,000e) UI [1.2.3.]
        (0020,0010) SH [abcdefghijklmnopq]
        (0020,0011) IS [12.5]
        (0020,0012) IS [1 2]
        (0020,0013) IS [99999999999]
        (0020,0052) UI [3.1.2]
        (0020,0060) CS [l]
        (0028,1050) DS [.]
        """

    /// VM and VR against the dictionary, private elements without creators, bad values in items.
    static let dictionary = """
        \(sopClass)
        (0008,0018) UI [1.2.3.4]
        (0008,0050) SH [ab\\cd]
        (0008,1140) SQ (Sequence with undefined length #=2)
          (fffe,e000) na (Item with undefined length #=2)
            (0008,1150) UI [1.2.840.10008.5.1.4.1.1.7]
            (0008,1155) UI [1.2.3.04]
          (fffe,e00d) na (ItemDelimitationItem)
          (fffe,e000) na (Item with undefined length #=3)
            (0008,1150) UI [1.2.840.10008.5.1.4.1.1.7]
            (0008,1155) UI [1.2.3.4\\1.2.3.5]
            (0008,1160) IS [1.5]
          (fffe,e00d) na (ItemDelimitationItem)
        (fffe,e0dd) na (SequenceDelimitationItem)
        (0010,0010) PN [Doe^John]
        (0011,0010) LO [ACME]
        (0011,1010) LO [x]
        (0013,1010) LO [no creator]
        (0020,0010) LO [S1]
        (0028,0010) SS 12
        (0028,0030) DS [1\\2\\3]
        """

    /// Valid values of every string VR: neither tool may report anything about them.
    static let clean = """
        (0008,0005) CS [ISO_IR 100]
        (0008,0008) CS [ORIGINAL\\PRIMARY]
        \(sopClass)
        (0008,0018) UI [1.2.826.0.1.3680043.2.1125.1]
        (0008,0020) DA [20240229]
        (0008,0030) TM [235959.123456]
        (0008,002a) DT [20240131235959.123456+0100]
        (0008,0050) SH [ACC0001]
        (0008,0054) AE [CMR_TEST]
        (0008,0060) CS [OT]
        (0008,0064) CS [WSD]
        (0008,0080) LO [Synthetic Hospital]
        (0008,0081) ST [1 Example Street]
        (0008,0090) PN [Doe^Jane^^Dr.]
        (0008,1050) PN [A^B^C^D^E]
        (0008,1070) PN [Anonymized]
        (0008,0120) UR [http://example.org/x]
        (0010,0010) PN [Doe^John]
        (0010,0020) LO [PAT-0001]
        (0010,1010) AS [042Y]
        (0010,1020) DS [1.75]
        (0018,0088) DS [-1.5E-3]
        (0020,000d) UI [1.2.826.0.1.3680043.2.1125.2]
        (0020,000e) UI [1.2.826.0.1.3680043.2.1125.3]
        (0020,0011) IS [+12]
        (0020,0013) IS [ 7]
        (0020,4000) LT [Line one]
        (0028,0030) DS [0.5\\0.5]
        """

    /// Values PS3.5 allows and dciodvfy rejects, one per tag.
    static let knownDifferences: [(line: String, tag: Tag, why: String)] = [
        ("(0020,0013) IS [-2147483648]", .instanceNumber,
         "PS3.5 IS range is -2^31 to 2^31-1; dciodvfy expects -(2^31-1)"),
        ("(0020,4000) LT [tab\tok]", .imageComments,
         "PS3.5 Table 6.1-1 allows TAB in LT, ST and UT; dciodvfy does not"),
    ]

    // MARK: Tests

    func testEveryValueProblemDciodvfyReportsIsReported() throws {
        let reported = try compare(Self.values)
        // The file holds a bad value in each of these; dciodvfy misses some (DA 20231301, DS ".") that
        // the validator finds, so this is a floor, not the whole list.
        XCTAssertGreaterThanOrEqual(reported.dciodvfy.count, 20, "\(reported.dciodvfy)")
        let ours = Set(reported.validator.map(\.tag))
        for tag: Tag in [.seriesDate, .contentDate, .patientSize, .windowCenter] {
            XCTAssertTrue(ours.contains(tag), "the validator should also flag \(tag)")
        }
    }

    func testDictionaryAndPrivateCreatorProblemsMatch() throws {
        let reported = try compare(Self.dictionary)
        let kinds = Set(reported.dciodvfy.map(\.kind))
        XCTAssertTrue(kinds.isSuperset(of: [.value, .vm, .vr, .privateCreator]), "\(reported.dciodvfy)")
        let paths = Set(reported.validator.map(\.path))
        XCTAssertTrue(paths.contains("ReferencedImageSequence[0].ReferencedSOPInstanceUID"), "\(paths)")
        XCTAssertTrue(paths.contains("ReferencedImageSequence[1].ReferencedSOPInstanceUID"), "\(paths)")
        XCTAssertTrue(paths.contains("ReferencedImageSequence[1].ReferencedFrameNumber"), "\(paths)")
    }

    func testCleanValuesAreCleanForBoth() throws {
        let reported = try compare(Self.clean)
        XCTAssertEqual(reported.dciodvfy.map(\.line), [])
        XCTAssertEqual(reported.validator, [])
    }

    func testKnownDifferencesStayKnown() throws {
        let dump = ([Self.sopClass, "(0008,0018) UI [1.2.3.4]"] + Self.knownDifferences.map(\.line)).joined(separator: "\n")
        let (file, lines) = try writeAndVerify(dump)
        let flaggedByDciodvfy = Set(lines.map(\.tag))
        let ours = try validate(file)
        for difference in Self.knownDifferences {
            XCTAssertTrue(flaggedByDciodvfy.contains(difference.tag), "dciodvfy no longer flags: \(difference.why)")
            let flagged = ours.filter { $0.tag == difference.tag }
            XCTAssertEqual(flagged, [], "validator flags: \(difference.why)")
        }
    }

    // MARK: Comparing

    struct DciodvfyLine: Hashable {
        enum Kind: Hashable { case value, vm, vr, privateCreator }
        var kind: Kind
        var tag: Tag
        var line: String

        /// The validator codes that answer this kind of line.
        var codes: Set<ValidationProblem.Code> {
            switch kind {
            case .value: return [.vrFormat, .retiredFormat, .length, .charset, .padding]
            case .vm: return [.vm]
            case .vr: return [.vrMismatch]
            case .privateCreator: return [.privateCreatorMissing]
            }
        }
    }

    /// Writes `dump` as a file, runs both, and checks that every dciodvfy line has its counterpart.
    func compare(_ dump: String, file: StaticString = #filePath, line: UInt = #line)
    throws -> (dciodvfy: [DciodvfyLine], validator: [ValidationProblem]) {
        let (path, lines) = try writeAndVerify(dump)
        let ours = try validate(path)
        for l in lines where !ours.contains(where: { $0.tag == l.tag && l.codes.contains($0.code) }) {
            let same = ours.filter { $0.tag == l.tag }.map(\.description)
            XCTFail("dciodvfy reports what the validator does not: \(l.line)\n  validator on \(l.tag): \(same)",
                    file: file, line: line)
        }
        return (lines, ours)
    }

    func validate(_ path: String) throws -> [ValidationProblem] {
        let file = try DICOMReader.read(contentsOf: path)
        XCTAssertEqual(file.issues.filter { $0.severity == .error }, [], "reader errors in \(path)")
        let validator = DataSetValidator()
        return validator.validate(file.meta) + validator.validate(file.dataSet)
    }

    /// The dump written by dump2dcm into a temporary file, and dciodvfy's value-level lines about it.
    func writeAndVerify(_ dump: String) throws -> (path: String, lines: [DciodvfyLine]) {
        let dciodvfy = try Self.tool(Self.dciodvfy)
        let dump2dcm = try Self.tool(Self.dump2dcm)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cmr-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let dumpPath = directory.appendingPathComponent("in.dump").path
        let path = directory.appendingPathComponent("out.dcm").path
        try Data(dump.utf8).write(to: URL(fileURLWithPath: dumpPath))

        let written = try Self.run(dump2dcm, ["--write-xfer-little", dumpPath, path])
        guard written.status == 0 else {
            XCTFail("dump2dcm failed: \(written.output)")
            throw XCTSkip("no file")
        }
        let verified = try Self.run(dciodvfy, [path])
        return (path, Self.parse(verified.output))
    }

    /// dciodvfy's value-level lines (see the class comment); each tag and kind once.
    static func parse(_ output: String) -> [DciodvfyLine] {
        var lines: [DciodvfyLine] = []
        var seen: Set<DciodvfyLine> = []
        func add(_ kind: DciodvfyLine.Kind, _ tag: Tag?, _ line: String) {
            guard let tag else { return }
            let entry = DciodvfyLine(kind: kind, tag: tag, line: "")
            if seen.insert(entry).inserted { lines.append(DciodvfyLine(kind: kind, tag: tag, line: line)) }
        }
        for raw in output.split(separator: "\n") {
            let line = String(raw)
            if line.contains("Value invalid for this VR") || line.contains("Illegal root for UID")
                || (line.contains("Value dubious for this VR") && !line.hasSuffix("Retired Person Name form")) {
                add(.value, firstTag(in: line), line)
            } else if line.contains("Bad attribute Value Multiplicity"), line.contains("Required by Dictionary"),
                      let keyword = between(line, "Element=<", ">"), let raw = DataDictionary.tag(forKeyword: keyword) {
                add(.vm, Tag(raw), line)
            } else if line.contains("Explicit value representation doesn't match data dictionary") {
                add(.vr, firstTag(in: line), line)
            } else if line.contains("Private tag without owner") {
                add(.privateCreator, firstTag(in: line), line)
            }
        }
        return lines
    }

    /// The first `(0xgggg,0xeeee)` in `line`.
    static func firstTag(in line: String) -> Tag? {
        guard let start = line.range(of: "(0x") else { return nil }
        let text = line[start.upperBound...]
        guard let comma = text.range(of: ",0x"), let close = text.range(of: ")") else { return nil }
        guard let group = UInt16(text[..<comma.lowerBound], radix: 16),
              let element = UInt16(text[comma.upperBound..<close.lowerBound], radix: 16) else { return nil }
        return Tag(group, element)
    }

    static func between(_ line: String, _ open: String, _ close: String) -> String? {
        guard let a = line.range(of: open), let b = line[a.upperBound...].range(of: close) else { return nil }
        return String(line[a.upperBound..<b.lowerBound])
    }

    // MARK: Tools

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "0" } ?? false }

    /// The tool at `path`; skips the test when it is missing, and fails it in CI.
    static func tool(_ path: String) throws -> String {
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        if isCI { XCTFail("\(path) is missing in CI") }
        throw XCTSkip("\(path) is not installed")
    }

    /// Runs `path` with stdout and stderr together.
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
