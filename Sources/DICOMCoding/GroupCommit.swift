import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Makes many written files durable with a few file-system syncs instead of two `fsync`s each,
/// keeping the promise of `AtomicFileWriter`: an output appears only whole, and only once its
/// bytes are on disk.
///
/// Writers finish their temporary files unsynced and `stage` them. When enough are staged (count or
/// bytes), or on `flush`, the committer syncs the file system holding them (`syncfs`, else `sync`),
/// links each into place, and syncs again so the new names are durable too. A crash before the
/// first sync leaves only hidden temporary files (`.NAME.cmr-*.tmp`), never a partial output.
public final class GroupCommit: @unchecked Sendable {
    public struct Staged: Sendable {
        public var temporary: String
        public var path: String
        public var overwrite: Bool
        public var bytes: Int64
        public var token: Int

        public init(temporary: String, path: String, overwrite: Bool, bytes: Int64, token: Int) {
            self.temporary = temporary
            self.path = path
            self.overwrite = overwrite
            self.bytes = bytes
            self.token = token
        }
    }

    private let lock = NSLock()
    private var pending: [Staged] = []
    private var pendingBytes: Int64 = 0
    private let maximumCount: Int
    private let maximumBytes: Int64
    private let folder: String
    /// Called once per published file with its token and the error, if any.
    private let completion: @Sendable (Int, Error?) -> Void

    public init(folder: String, maximumCount: Int = 128, maximumBytes: Int64 = 1 << 30,
                completion: @escaping @Sendable (Int, Error?) -> Void) {
        self.folder = folder
        self.maximumCount = maximumCount
        self.maximumBytes = maximumBytes
        self.completion = completion
    }

    /// Adds a finished temporary file; may commit the batch (on the caller's thread).
    public func stage(_ item: Staged) {
        lock.lock()
        pending.append(item)
        pendingBytes += item.bytes
        let due = pending.count >= maximumCount || pendingBytes >= maximumBytes
        var batch: [Staged] = []
        if due {
            batch = pending
            pending = []
            pendingBytes = 0
        }
        lock.unlock()
        if due { commit(batch) }
    }

    /// Commits whatever is staged.
    public func flush() {
        lock.lock()
        let batch = pending
        pending = []
        pendingBytes = 0
        lock.unlock()
        if !batch.isEmpty { commit(batch) }
    }

    private let commitLock = NSLock()

    private func commit(_ batch: [Staged]) {
        commitLock.lock()
        defer { commitLock.unlock() }
        let syncError = syncFileSystem()
        for item in batch {
            if let syncError {
                unlink(item.temporary)
                completion(item.token, syncError)
                continue
            }
            do {
                try AtomicFileWriter.publish(temporary: item.temporary, to: item.path, overwrite: item.overwrite)
                completion(item.token, nil)
            } catch {
                completion(item.token, error)
            }
        }
        _ = syncFileSystem()
    }

    private func syncFileSystem() -> Error? {
        do { try Self.syncFileSystem(holding: folder) } catch { return error }
        return nil
    }

    /// Syncs the file system holding `folder` (`syncfs`, else `sync`): whatever was written there is durable after it.
    public static func syncFileSystem(holding folder: String) throws {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(errno: errno, path: folder, doing: "cannot open the output folder to sync it") }
        defer { close(fd) }
        if let syncfs = GroupCommit.syncfs {
            if syncfs(fd) != 0 { throw FileError(errno: errno, path: folder, doing: "cannot sync the file system") }
        } else {
            sync()
        }
    }

    /// glibc's syncfs(2), which Swift's Glibc module does not export, found at run time.
    private static let syncfs: (@convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()
}
