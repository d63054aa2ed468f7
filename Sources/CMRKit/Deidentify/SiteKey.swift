import Foundation
import CMRCrypto
import DICOMCoding
import DICOMDeidentify

/// The site key behind keyed pseudonyms: a file of at least 32 bytes (raw, or written as hex by
/// `cmr key new`), readable by its owner only.
public enum SiteKey {
    public static func load(_ path: String) throws(CMRError) -> PseudonymKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CMRError(.configuration, "\(path): cannot read the key file: \(String(cString: strerror(errno)))",
                           hint: "make one with: cmr key new \(path)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw CMRError(.configuration, "\(path): the key file is not a regular file") }
        if info.st_mode & 0o077 != 0 {
            throw CMRError(.permissionDenied, "\(path): the key file can be read by others (mode \(String(info.st_mode & 0o777, radix: 8)))",
                           hint: "chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CMRError(.configuration, "\(path): cannot read the key file")
        }
        var bytes = [UInt8](data)
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count >= 64, text.count % 2 == 0, text.allSatisfy(\.isHexDigit), let hex = try? Hex.decode(text) {
            bytes = hex
        }
        guard let key = PseudonymKey(secret: bytes) else {
            throw CMRError(.configuration, "\(path): a site key needs at least \(PseudonymKey.minimumByteCount) bytes, this has \(bytes.count)",
                           hint: "make one with: cmr key new FILE")
        }
        return key
    }

    /// Writes a new key: 32 random bytes as one hex line, mode 0600, never over an existing file.
    public static func generate(_ path: String) throws(CMRError) -> PseudonymKey {
        let secret: [UInt8]
        do {
            secret = try SecureRandom.bytes(count: 32)
        } catch {
            throw CMRError(.ioError, "cannot read the system's random source: \(error)")
        }
        do {
            try AtomicFileWriter.write(to: path, overwrite: false, mode: 0o600) { writer in
                let line = Array((Hex.encode(secret) + "\n").utf8)
                try line.withUnsafeBytes { try writer.write($0) }
            }
        } catch {
            throw CMRError.writing(path, error)
        }
        return PseudonymKey(secret: secret)!
    }
}
