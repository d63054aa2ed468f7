import DICOMCoding
#if canImport(Glibc)
import Glibc
#endif

extension FileError {
    /// A FileError from `errno` (DICOMCoding's own initializer is internal to it).
    static func fromErrno(_ code: Int32, path: String, doing: String) -> FileError {
        let reason = doing + ": " + String(cString: strerror(code))
        switch code {
        case ENOENT, ENOTDIR: return FileError(.notFound, path: path, reason: reason)
        case EACCES, EPERM: return FileError(.permissionDenied, path: path, reason: reason)
        case EISDIR: return FileError(.isDirectory, path: path, reason: reason)
        case EEXIST: return FileError(.exists, path: path, reason: reason)
        default: return FileError(.io, path: path, reason: reason)
        }
    }
}
