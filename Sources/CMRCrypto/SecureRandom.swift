#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes from the operating system's cryptographically secure random source.
///
/// On Linux this is the getrandom(2) system call, through the C library's `getentropy`
/// (glibc's wrapper that calls getrandom(2) without flags, so it blocks only until the kernel's
/// pool is first initialised). Where the system call is missing (ENOSYS, kernels before 3.17)
/// it falls back to reading `/dev/urandom`. On Darwin it is `getentropy`.
public enum SecureRandom {
    /// The most bytes one `getentropy` call may return.
    private static let entropyChunk = 256

    /// `count` random bytes.
    ///
    /// - Throws: `CryptoError.randomSourceFailed` if the system cannot supply them.
    public static func bytes(count: Int) throws(CryptoError) -> [UInt8] {
        precondition(count >= 0, "count must not be negative")
        var bytes = [UInt8](repeating: 0, count: count)
        var failure: CryptoError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(CryptoError) { try fill(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Fills `buffer` with random bytes.
    ///
    /// - Throws: `CryptoError.randomSourceFailed` if the system cannot supply them.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var filled = 0
        while filled < buffer.count {
            let chunk = min(entropyChunk, buffer.count - filled)
            if getentropy(base + filled, chunk) == 0 {
                filled += chunk
                continue
            }
            let error = errno
            #if os(Linux)
            if error == ENOSYS {
                try fillFromDevice(UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                return
            }
            #endif
            if error == EINTR { continue }
            throw .randomSourceFailed(errno: error)
        }
    }

    /// Reads `/dev/urandom` into `buffer`.
    static func fillFromDevice(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var descriptor: Int32
        repeat {
            descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw .randomSourceFailed(errno: errno) }
        defer { close(descriptor) }
        var filled = 0
        while filled < buffer.count {
            let result = read(descriptor, base + filled, buffer.count - filled)
            if result > 0 {
                filled += result
            } else if result < 0 && errno == EINTR {
                continue
            } else {
                throw .randomSourceFailed(errno: result < 0 ? errno : EIO)
            }
        }
    }
}
