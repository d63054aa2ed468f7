/// A connection to a destination that stores files and says what became of each: one DIMSE
/// association (`DIMSEStoreSession`), with up to `window` requests in flight when the peer granted
/// an asynchronous operations window. DICOMweb stores a batch per request and has its own session
/// and worker (`WebStoreSession`, `WebSendWorker`).
///
/// A refusal by the peer (a failure status) is a record, not an error. The calls throw only when
/// the session itself failed (connection lost, abort, timeout, broken protocol): then every file in
/// `outstanding` was not acknowledged, and `SendWorker` may retry them on a new session.
protocol StoreSession: AnyObject {
    /// Requests this session may have outstanding at once (1: one request, then its response).
    var window: Int { get }
    /// Files whose request went out and whose response has not come, in the order they were sent.
    var outstanding: [SendItem] { get }
    /// Sends `item`'s request without waiting for its response. Returns its record at once when the
    /// file was settled without a request (no context for its SOP class, cannot transcode).
    func submit(_ item: SendItem) throws(CMRError) -> TransferRecord?
    /// Whether a response has started to arrive, so `nextResponse` will not wait for the peer. Never waits.
    func responseIsWaiting() throws(CMRError) -> Bool
    /// The next response, to any outstanding file: that file and its record (`ms` from its request).
    func nextResponse() throws(CMRError) -> (item: SendItem, record: TransferRecord)
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
