/// A connection to a destination that stores files one at a time and says what became of each:
/// one DIMSE association (`DIMSEStoreSession`). DICOMweb stores a batch per request and has its
/// own session and worker (`WebStoreSession`, `WebSendWorker`).
///
/// A refusal by the peer (a failure status) is a record, not an error. `store` throws only when
/// the session itself failed (connection lost, abort, timeout, broken protocol): that file was not
/// acknowledged, and `SendOperation` may retry it on a new session.
protocol StoreSession: AnyObject {
    func store(_ item: SendItem) throws(CMRError) -> TransferRecord
    /// Ends the session politely (A-RELEASE); errors are of no interest by then.
    func close()
}

/// Where sessions come from: one per worker, again after each transient failure.
protocol StoreDestination: Sendable {
    /// The destination as journals, reports and the audit log name it.
    var name: String { get }
    /// Opens a session able to store the files of plan group `group`.
    func openSession(group: Int, deadline: Deadline) throws(CMRError) -> StoreSession
}
