#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import CMRCrypto
import DICOMCoding

/// What a destination has acknowledged, so a rerun skips it: JSON Lines, one line per instance the
/// peer stored (status success or warning), keyed by SOP Instance UID and the SHA-256 of the file
/// sent. A file changed since (another digest) is sent again.
///
///     {"path":"in/ct1.dcm","sha256":"9f…","size":9912,"sop":"1.2.3…","status":"0000","syntax":"1.2.840.10008.1.2.1","time":"2026-11-29T11:52:01.120Z","dev":2049,"ino":1311,"mtime":1764416321000000000}
///
/// Lines are appended with one `write` each as the peer acknowledges (a killed run keeps what was
/// acknowledged up to its last write), and `fdatasync`ed at least every two seconds and at the
/// end. A torn last line (power loss) is ignored on reading: that instance is sent again, which a
/// storage SCP treats as a repeat of the same instance. Path, size, mtime, device and inode let a
/// rerun trust the recorded digest of an unchanged file instead of reading it again (as git's index does).
public final class TransferJournal: @unchecked Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
        public var size: Int64
        public var sop: String
        /// The DIMSE status (four hex digits) or HTTP outcome that acknowledged it.
        public var status: String
        public var syntax: String?
        public var time: String
        public var dev: UInt64?
        public var ino: UInt64?
        public var mtime: Int64?
    }

    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var acknowledged: Set<String> = []
    private var instances: Set<String> = []
    private var byPath: [String: Entry] = [:]
    private var lastSync = Date()
    private var dirty = false

    /// Opens (creating with mode 0600, and its folder with 0700) the journal at `path` and reads what it holds.
    public init(path: String) throws(CMRError) {
        self.path = path
        let folder = FilePath.directory(of: path)
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
                throw CMRError(.cannotCreateOutput, "\(folder): cannot create the journal folder: \(error.localizedDescription)",
                               hint: "name another journal with --journal FILE")
            }
        }
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CMRError(.cannotCreateOutput, "\(path): cannot open the journal: \(String(cString: strerror(errno)))",
                           hint: "name another journal with --journal FILE, or pass --no-resume")
        }
        self.fd = fd
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let entry = try? decoder.decode(Entry.self, from: Data(line)) else { continue }   // torn tail or foreign line
            acknowledged.insert(entry.sop + " " + entry.sha256)
            instances.insert(entry.sop)
            byPath[entry.path] = entry
        }
    }

    deinit {
        _ = fdatasync(fd)
        close(fd)
    }

    /// The journal file of `destination` under `folder`: a readable name plus a digest of the exact destination.
    public static func defaultPath(folder: String, destination: String) -> String {
        let digest = Hex.encode(SHA256.hash(Array(destination.utf8))).prefix(12)
        var name = ""
        for c in destination.unicodeScalars.dropFirst(destination.hasPrefix("dicom://") ? 8 : 0) {
            name.unicodeScalars.append(CharacterSet.alphanumerics.contains(c) || c == "." || c == "-" ? c : "_")
        }
        return folder + "/" + String(name.prefix(60)) + "-" + digest + ".jsonl"
    }

    /// The default journal folder: `$CMR_JOURNAL_DIR`, else `$XDG_STATE_HOME/cmr/journal`, else `~/.local/state/cmr/journal`.
    public static func defaultFolder(environment: [String: String]) -> String? {
        if let dir = environment["CMR_JOURNAL_DIR"], !dir.isEmpty { return dir }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/cmr/journal" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.local/state/cmr/journal" }
        return nil
    }

    public var count: Int { lock.withLock { acknowledged.count } }

    /// Whether the peer acknowledged this instance with this content.
    public func contains(sop: String, sha256: String) -> Bool {
        lock.withLock { acknowledged.contains(sop + " " + sha256) }
    }

    /// Whether the peer acknowledged this SOP instance with any content (if not, a file need not
    /// be hashed before it is sent to know it cannot be skipped).
    public func knows(sop: String) -> Bool {
        lock.withLock { instances.contains(sop) }
    }

    /// The digest recorded for `path` when the file has not changed since (same size, mtime, device, inode).
    public func knownDigest(path: String, identity: FileIdentity) -> String? {
        lock.withLock {
            guard let e = byPath[path], e.size == identity.size, e.mtime == identity.mtime, e.dev == identity.device,
                  e.ino == identity.inode else { return nil }
            return e.sha256
        }
    }

    /// Records an acknowledged instance: one `write`, synced at most every two seconds (and by `sync()`).
    public func record(_ entry: Entry) throws(CMRError) {
        var line = (try? JSONEncoder.sortedKeys.encode(entry)) ?? Data()
        line.append(UInt8(ascii: "\n"))
        lock.lock()
        defer { lock.unlock() }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw CMRError(.ioError, "\(path): cannot append to the journal: \(String(cString: strerror(errno)))")
        }
        acknowledged.insert(entry.sop + " " + entry.sha256)
        instances.insert(entry.sop)
        byPath[entry.path] = entry
        dirty = true
        if Date().timeIntervalSince(lastSync) >= 2 { _ = fdatasync(fd); lastSync = Date(); dirty = false }
    }

    /// Makes every recorded line durable.
    public func sync() {
        lock.withLock {
            if dirty { _ = fdatasync(fd); dirty = false }
            lastSync = Date()
        }
    }
}

/// What identifies a file's content cheaply: size, modification time (ns), device and inode.
public struct FileIdentity: Sendable, Equatable {
    public var size: Int64
    public var mtime: Int64
    public var device: UInt64
    public var inode: UInt64

    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        size = Int64(info.st_size)
        mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

extension JSONEncoder {
    /// Keys sorted, slashes left alone: one stable line per value.
    static var sortedKeys: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
