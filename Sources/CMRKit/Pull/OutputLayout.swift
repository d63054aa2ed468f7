#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import CMRCrypto
import DICOMCoding

/// Where `cmr pull` and `cmr listen` put a received instance under `--out DIR`:
/// `tree` is `DIR/<PatientID>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm`,
/// `flat` is `DIR/<SOPInstanceUID>.dcm`. Every component is sanitised (`component(_:)`), so a
/// value sent by a peer can never leave DIR or hide a file.
public enum OutputLayout: String, Sendable, CaseIterable, Codable {
    case tree, flat

    /// The path of an instance relative to the output folder.
    public func relativePath(patientID: String?, studyUID: String?, seriesUID: String?, sopInstanceUID: String) -> String {
        let file = Self.component(sopInstanceUID, fallback: "unknown-instance") + ".dcm"
        switch self {
        case .flat: return file
        case .tree:
            return [Self.component(patientID ?? "", fallback: "unknown-patient"),
                    Self.component(studyUID ?? "", fallback: "unknown-study"),
                    Self.component(seriesUID ?? "", fallback: "unknown-series"), file].joined(separator: "/")
        }
    }

    /// The folder of a study's files (tree: `DIR/<PatientID>/<StudyUID>`; flat: DIR itself).
    public func studyFolder(patientID: String?, studyUID: String?) -> String {
        switch self {
        case .flat: return ""
        case .tree: return Self.component(patientID ?? "", fallback: "unknown-patient") + "/" + Self.component(studyUID ?? "", fallback: "unknown-study")
        }
    }

    /// Whether none of a study's instances can be in `output` yet, found without listing the
    /// study (so a pull can ask for it whole and check counts instead): in the tree layout, the
    /// study's folder holds no file at any depth; in the flat layout, `output` holds no `.dcm`
    /// name. Every instance of the study goes to such a name, so `true` is never wrong; a stray
    /// file makes it `false`, which only costs the listing. Stops at the first file it meets.
    public func holdsNothing(ofStudy studyUID: String, patientID: String?, in output: String) -> Bool {
        switch self {
        case .flat: return !Self.holdsFile(output, recursive: false) { $0.hasSuffix(".dcm") }
        case .tree: return !Self.holdsFile(output + "/" + studyFolder(patientID: patientID, studyUID: studyUID), recursive: true) { _ in true }
        }
    }

    /// Whether `folder` (and, when `recursive`, its subfolders) holds an entry other than a folder
    /// whose name passes `matching`. A folder that does not exist holds nothing.
    private static func holdsFile(_ folder: String, recursive: Bool, matching: (String) -> Bool) -> Bool {
        guard let dir = opendir(folder) else { return false }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name == "." || name == ".." { continue }
            var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var st = stat()
                isFolder = lstat(folder + "/" + name, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            }
            if isFolder {
                if recursive && holdsFile(folder + "/" + name, recursive: true, matching: matching) { return true }
            } else if matching(name) {
                return true
            }
        }
        return false
    }

    /// A value as one path component: trailing padding (spaces, NULs) dropped; '/', '\', control
    /// characters and anything outside printable ASCII replaced by '_'; no leading '.' (so neither
    /// '..' nor a hidden name); at most 64 characters; `fallback` when nothing is left.
    public static func component(_ value: String, fallback: String) -> String {
        // The common case (a UID, most IDs): nothing to change.
        let utf8 = value.utf8
        if !utf8.isEmpty, utf8.count <= 64, utf8.first != UInt8(ascii: "."),
           utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }) {
            return value
        }
        let trimmed = value.trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
        let unsafe: Set<Unicode.Scalar> = ["/", "\\", ":", "*", "?", "\"", "<", ">", "|"]
        var out = ""
        for scalar in trimmed.unicodeScalars {
            let ok = scalar.value > 0x20 && scalar.value < 0x7F && !unsafe.contains(scalar)
            out.unicodeScalars.append(ok ? scalar : "_")
        }
        while out.hasPrefix(".") { out = "_" + out.dropFirst() }
        if out.count > 64 { out = String(out.prefix(64)) }
        return out.isEmpty ? fallback : out
    }

    /// Parses `--layout`.
    public static func parse(_ text: String?) throws(CMRError) -> OutputLayout {
        guard let text else { return .tree }
        guard let layout = OutputLayout(rawValue: text.lowercased()) else {
            throw CMRError(.usage, "--layout '\(text)' is not tree or flat")
        }
        return layout
    }
}

/// Moves a received file (written whole under a hidden staging folder of the same file system)
/// to its final name without ever replacing a file there: `link(2)` fails when the name exists,
/// so an existing file — the same instance from an earlier run, or anything else — is kept and
/// the new copy dropped.
public enum FilePlacement {
    public enum Outcome: Sendable, Equatable { case placed, exists }

    /// `keepOnFailure`: when it cannot be placed, leave the staged file where it is (a storage SCP
    /// has already told the sender it was stored; the next run places it) rather than removing it.
    public static func place(_ staged: String, at final: String, keepOnFailure: Bool = false) throws(CMRError) -> Outcome {
        var placed = false
        defer { if placed || !keepOnFailure { unlink(staged) } }
        let folder = FilePath.directory(of: final)
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw CMRError(.cannotCreateOutput, "\(folder): cannot create the folder: \(error.localizedDescription)")
            }
        }
        if link(staged, final) == 0 { placed = true; return .placed }
        let code = errno
        if code == EEXIST { placed = true; return .exists }
        if code == EPERM || code == ENOTSUP || code == EXDEV {
            // A file system without hard links: check, then rename (not atomic against a racing writer).
            if FileManager.default.fileExists(atPath: final) { placed = true; return .exists }
            if rename(staged, final) == 0 { placed = true; return .placed }
        }
        throw CMRError(.cannotCreateOutput, "\(final): cannot create: \(String(cString: strerror(errno)))")
    }

    /// Staging folders (`.cmr-incoming-PID-*`) in `directory` of runs that are gone.
    public static func staleStaging(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.sorted().filter { name in
            guard name.hasPrefix(".cmr-incoming-") else { return false }
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = Int32(parts[2]) else { return false }
            return pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
        }.map { directory + "/" + $0 }
    }

    /// The whole files in stale staging folders (`staleStaging`): names that are not hidden
    /// temporaries. A storage SCP that was killed between answering a C-STORE and placing the
    /// file leaves them there; the sender was told they were stored, so they must not be lost.
    public static func staleStagedFiles(in directory: String) -> [String] {
        staleStaging(in: directory).flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
                .filter { !$0.hasPrefix(".") }.map { folder + "/" + $0 }
        }
    }

    /// Removes the staging folders left in `directory` by runs that are gone (after recovering
    /// what they hold, where that matters: `cmr listen`).
    public static func removeStaleStaging(in directory: String) {
        for folder in staleStaging(in: directory) { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// A new hidden staging folder in `directory` for this process.
    public static func makeStaging(in directory: String) throws(CMRError) -> String {
        let path = directory + "/.cmr-incoming-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw CMRError(.cannotCreateOutput, "\(directory): cannot create a folder in it: \(error.localizedDescription)",
                           hint: "check that --out names a folder you can write")
        }
        return path
    }
}
