import DICOMCore
import DICOMCoding
import CMRCrypto

/// The SHA-256 of a file sent or received (journal, report, audit), one way for every command.
enum FileDigest {
    /// Of a file already open: a megabyte at a time, releasing the pages read of a large mapping
    /// (memory stays flat whatever the size).
    static func sha256(_ storage: ByteStorage) -> String {
        var hash = SHA256()
        var p = 0
        let step = 1 << 20
        repeat {
            let end = min(storage.count, p + step)
            hash.update(storage.buffer(p..<end))
            if storage.count > 4 * step { storage.releasePages(p..<end) }
            p = end
        } while p < storage.count
        return Hex.encode(hash.finalize())
    }

    /// Of the file at `path`, with its size; nil when it cannot be read.
    static func sha256(_ path: String) -> (hex: String, size: Int64)? {
        guard let storage = try? MappedFile.open(path) else { return nil }
        return (sha256(storage), Int64(storage.count))
    }
}
