import Foundation
import DICOMDeidentify

/// Pseudonymous mode's link back to the patient, kept at the site: JSON Lines, one entry per
/// patient and key, mode 0600, appended under `flock` with one write and `fsync`, never rewritten.
///
///     {"dateShiftDays":-91,"issuer":"HOSP","key":"3f2a…","patientID":"12345","pseudonym":"ANON…"}
///
/// Entries from a study without Patient ID carry `studyUID` instead of `patientID`.
public struct ReidentificationTable: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public struct Entry: Sendable, Codable, Equatable {
        public var pseudonym: String
        public var key: String
        public var patientID: String?
        public var issuer: String?
        public var studyUID: String?
        public var dateShiftDays: Int?
    }

    /// Appends the entries not already in the table.
    public func add(_ entries: [Entry]) throws(CMRError) {
        guard !entries.isEmpty else { return }
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CMRError(.cannotCreateOutput, "\(path): cannot open the re-identification table: \(String(cString: strerror(errno)))",
                           hint: "choose another place with --reid-table FILE")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & 0o077 != 0 {
            throw CMRError(.permissionDenied, "\(path): the re-identification table can be read by others", hint: "chmod 600 \(path)")
        }
        guard flock(fd, LOCK_EX) == 0 else { throw CMRError(.ioError, "\(path): cannot lock the re-identification table") }
        defer { flock(fd, LOCK_UN) }
        let existing = Set((try? read()).map { $0.map { $0.key + " " + $0.pseudonym } } ?? [])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        var added = Set<String>()
        for entry in entries {
            let id = entry.key + " " + entry.pseudonym
            guard !existing.contains(id), added.insert(id).inserted, let line = try? encoder.encode(entry) else { continue }
            bytes += [UInt8](line) + [0x0A]
        }
        guard !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw CMRError(.ioError, "\(path): cannot write the re-identification table: \(String(cString: strerror(errno)))")
        }
    }

    public func read() throws(CMRError) -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CMRError(.inputMissing, "\(path): cannot read the re-identification table")
        }
        let decoder = JSONDecoder()
        var entries: [Entry] = []
        for (number, line) in data.split(separator: 0x0A).enumerated() {
            guard let entry = try? decoder.decode(Entry.self, from: Data(line)) else {
                throw CMRError(.invalidData, "\(path): line \(number + 1) is not a re-identification entry")
            }
            entries.append(entry)
        }
        return entries
    }

    /// The entries for `pseudonym` under the key with `fingerprint`.
    public func lookup(_ pseudonym: String, keyFingerprint fingerprint: String) throws(CMRError) -> [Entry] {
        try read().filter { $0.pseudonym == pseudonym && $0.key == fingerprint }
    }
}

/// JSON for `cmr reidentify --json`.
public enum ReidentifyOutput {
    public static func json(_ entry: ReidentificationTable.Entry) -> String? {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(entry)).map { String(decoding: $0, as: UTF8.self) }
    }
}
