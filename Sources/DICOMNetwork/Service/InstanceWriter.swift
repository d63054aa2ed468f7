import Foundation
#if canImport(Glibc)
import Glibc
#endif
import DICOMCoding

/// Writes one C-STORE data set, fragment by fragment as it arrives, into a Part 10 file: the
/// meta header first, then the fragments as received (no re-encoding), committed atomically
/// (temporary file, fsync, rename) on the last fragment. Failures are kept, not thrown, so the
/// receiver can still answer the C-STORE-RQ with a failure status.
struct InstanceWriter {
    let directory: String
    let callingAETitle: String
    /// false: the file is closed and renamed into `directory` without `fsync` (the caller makes a
    /// batch durable at once, e.g. with `GroupCommit`, before exposing it under a final name).
    var durable = true
    /// true: the last fragment leaves an unsynced temporary file (`temporary`), neither synced nor
    /// moved to `path`: the caller syncs a batch at once, then publishes each (StorageSCP with a window).
    var deferred = false
    private(set) var temporary: String?
    private(set) var path = ""
    private(set) var failure: String?
    private var writer: AtomicFileWriter?

    init(directory: String, callingAETitle: String) {
        self.directory = directory
        self.callingAETitle = callingAETitle
    }

    /// The file name for an instance: its UID, with anything but digits and dots replaced.
    static func fileName(_ instance: String) -> String {
        let safe = String(instance.map { $0.isNumber || $0 == "." ? $0 : "_" })
        return (safe.isEmpty || safe.hasPrefix(".") ? UUID().uuidString : safe) + ".dcm"
    }

    mutating func add(_ fragment: [UInt8], isLast: Bool, command: CommandSet, transferSyntax: String) {
        guard failure == nil else { return }
        do {
            if writer == nil {
                let instance = command.affectedSOPInstanceUID ?? UUID().uuidString
                path = directory + "/" + Self.fileName(instance)
                var w = try AtomicFileWriter(path: path, overwrite: true)
                try w.write(Part10Header.bytes(sopClass: command.affectedSOPClassUID ?? "", sopInstance: instance,
                                               transferSyntax: transferSyntax, sourceAETitle: callingAETitle))
                writer = w
            }
            try fragment.withUnsafeBytes { try writer!.write($0) }
            if isLast {
                if deferred {
                    temporary = try writer!.finishUnsynced()
                } else if durable {
                    try writer!.commit()
                } else {
                    let temporary = try writer!.finishUnsynced()
                    if rename(temporary, path) != 0 {
                        let e = errno
                        unlink(temporary)
                        throw FileError(.io, path: path, reason: "cannot rename into place: \(String(cString: strerror(e)))")
                    }
                }
                writer = nil
            }
        } catch {
            writer?.abort()
            writer = nil
            failure = "\(error)"
        }
    }

    /// Drops a file left half-written (the association failed mid-instance).
    mutating func abandon() {
        writer?.abort()
        writer = nil
    }
}

/// One instance received by C-STORE (from a storage SCU, or as a C-GET sub-operation), on disk.
public struct ReceivedInstance: Sendable, Equatable {
    public var path: String
    public var sopClassUID: String
    public var sopInstanceUID: String
    public var transferSyntaxUID: String
    public var callingAETitle: String
    /// Why the instance could not be written (it was answered with a failure status), or nil.
    public var failure: String? = nil

    public init(path: String, sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String, callingAETitle: String,
                failure: String? = nil) {
        self.path = path
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.transferSyntaxUID = transferSyntaxUID
        self.callingAETitle = callingAETitle
        self.failure = failure
    }
}
