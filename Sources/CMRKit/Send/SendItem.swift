import Foundation
import DICOMCore
import DICOMCoding
import DICOMNetwork

/// One file found by the scan and ready to go: its mapped source, its digest and the few
/// attributes the report and the audit record need.
public struct SendItem: Sendable {
    /// Position in the scan (records come back in this order).
    public var index: Int
    public var source: DICOMFileSource
    /// SHA-256 of the file; nil until hashed (a large file the journal cannot skip is hashed
    /// while it is sent, see `SendScanner.hashLater`).
    public var sha256: String?
    public var identity: FileIdentity?
    public var studyInstanceUID: String?
    public var patientID: String?
    /// Patient Identity Removed (0012,0062) is YES.
    public var identityRemoved: Bool

    public var path: String { source.path }
    public var bytes: Int64 { Int64(source.dataSetRange.count) }

    /// A record of this item with `status`, the fields the scan knows filled in.
    func record(_ status: TransferRecord.Status, comment: String? = nil) -> TransferRecord {
        var r = TransferRecord(path: path, status: status)
        r.sopInstanceUID = source.sopInstanceUID
        r.sopClassUID = source.sopClassUID
        r.studyInstanceUID = studyInstanceUID
        r.sha256 = sha256
        r.comment = comment
        return r
    }
}
