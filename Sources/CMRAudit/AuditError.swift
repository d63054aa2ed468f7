/// The errors of CMRAudit, each with the file it concerns.
public enum AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed: which one, on which file, and errno.
    case system(call: String, path: String, errno: Int32)
    /// A write wrote fewer bytes than asked (disk full, signal): the log may now end in a torn
    /// line, which the next append quarantines.
    case shortWrite(path: String, written: Int, expected: Int)
    /// The last complete record of the log could not be read, so nothing can be chained to it.
    case unreadableRecord(path: String, offset: Int, reason: String)
    /// A key, checkpoint or proof file is not in the expected form.
    case invalidFormat(path: String, reason: String)

    public var description: String {
        switch self {
        case let .system(call, path, errno):
            "\(call) failed on \(path): \(String(cString: strerror(errno))) (errno \(errno))"
        case let .shortWrite(path, written, expected):
            "short write to \(path): \(written) of \(expected) bytes"
        case let .unreadableRecord(path, offset, reason):
            "\(path): the record at byte \(offset) cannot be read: \(reason)"
        case let .invalidFormat(path, reason):
            "\(path): \(reason)"
        }
    }

    /// The errno of a failed system call, else nil.
    public var systemErrno: Int32? {
        if case let .system(_, _, code) = self { return code }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
