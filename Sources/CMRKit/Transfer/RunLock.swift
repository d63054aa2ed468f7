#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive lock on `PATH.lock` (with `flock`, released by the kernel when the process ends,
/// however it ends), so two runs against the same journal — overlapping cron jobs — never interleave.
public final class RunLock: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    /// Takes the lock, or fails with `.temporaryFailure` (75) naming the process that holds it.
    /// With `wait` > 0, waits up to that many seconds for it first.
    public init(path: String, what: String, wait: Double = 0) throws(CMRError) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CMRError(.cannotCreateOutput, "\(path): cannot create the lock file: \(String(cString: strerror(errno)))")
        }
        let until = Date().addingTimeInterval(wait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(fd)
                throw CMRError(.ioError, "\(path): cannot lock: \(String(cString: strerror(errno)))")
            }
            if Date() >= until {
                var buffer = [UInt8](repeating: 0, count: 32)
                let n = pread(fd, &buffer, buffer.count, 0)
                let holder = n > 0 ? String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
                close(fd)
                throw CMRError(.temporaryFailure, "another run \(what) holds \(path) (process \(holder))",
                               hint: "overlapping runs would send twice; wait for it, or pass --wait-lock SECONDS")
            }
            usleep(100_000)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
