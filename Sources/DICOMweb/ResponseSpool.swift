import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A response body landed on disk as it arrives and read back by another thread while the rest
/// arrives: the network side (`append`, on URLSession's delegate queue) only writes to a file,
/// so it never waits for the handler and FoundationNetworking has nothing to queue in memory; the
/// reading side (`drain`, the thread that made the request) hands the body to the handler in
/// 1 MiB reads as soon as it is written, so parsing overlaps the transfer instead of following it.
/// The file is unlinked as soon as it is made (nothing is left behind, even by a killed process)
/// and the part already read is punched out of it, so it holds only what the handler has not
/// read yet, not the whole response.
final class ResponseSpool: @unchecked Sendable {
    private let fd: Int32
    private let condition = NSCondition()
    private var written = 0
    private var finished = false
    /// The reader gave up (the handler threw): later appends are dropped.
    private var abandoned = false

    /// A spool file in the temporary folder (`TMPDIR`), already unlinked.
    init(folder: String = NSTemporaryDirectory()) throws {
        let path = (folder.hasSuffix("/") ? String(folder.dropLast()) : folder) + "/.cmr-spool-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = Glibc.open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DICOMwebError(.io, "cannot create the response spool \(path): \(String(cString: strerror(errno)))") }
        unlink(path)
    }

    deinit { _ = Glibc.close(fd) }

    /// glibc's `fallocate(2)` (a GNU function the Glibc module does not show), and
    /// `FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE` from <linux/falloc.h>.
    private typealias Fallocate = @convention(c) (Int32, Int32, off_t, off_t) -> Int32
    nonisolated(unsafe) private static let fallocate: Fallocate? =
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "fallocate").map { unsafeBitCast($0, to: Fallocate.self) }
    private static let punchHoleKeepSize: Int32 = 0x02 | 0x01

    /// Writes the next received bytes at the end (network side).
    func append(_ data: Data) throws {
        if condition.withLock({ abandoned }) { return }
        var offset = condition.withLock { written }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw DICOMwebError(.io, "cannot write the response spool in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))") }
                done += n
                offset += n
            }
        }
        condition.withLock {
            written = offset
            condition.signal()
        }
    }

    /// No more bytes will come (the request ended, completed or not).
    func finish() {
        condition.withLock {
            finished = true
            condition.signal()
        }
    }

    /// Hands everything written to `handler`, as it is written, until `finish()` and the last
    /// byte (reading side). A handler's error stops the reading and is thrown.
    func drain(into handler: HTTPResponseHandler) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0, punched = 0
        do {
            while true {
                let end: Int = condition.withLock {
                    while written == offset && !finished { condition.wait() }
                    return written
                }
                if end == offset { return }
                while offset < end {
                    let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, min($0.count, end - offset), off_t(offset)) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw DICOMwebError(.io, "cannot read the response spool: \(String(cString: strerror(errno)))") }
                    try buffer.withUnsafeBytes { try handler.received(body: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                    offset += n
                }
                if offset - punched >= 8 << 20 {
                    // What was read is not needed again: give its blocks back (ignored where unsupported).
                    _ = Self.fallocate?(fd, Self.punchHoleKeepSize, off_t(punched), off_t(offset - punched))
                    punched = offset
                }
            }
        } catch {
            condition.withLock { abandoned = true }
            throw error
        }
    }
}
