import Foundation
import DICOMCoding
import DICOMNetwork
import DICOMweb

/// How `cmr send` talks to a DICOMweb destination (docs/transfer.md, "cmr send over DICOMweb").
public struct WebSendOptions: Sendable {
    /// Where the credentials come from (nil: none).
    public var credentials: WebCredentialSource?
    /// Allow plain http:// to a host that is not loopback.
    public var allowInsecure = false
    /// Files per STOW-RS request (`--batch-count`).
    public var batchCount = 50
    /// Bytes per STOW-RS request (`--batch-bytes`); a larger file goes alone.
    public var batchBytes: Int64 = 64 << 20
    /// The HTTP transport for a session, given its idle and total timeouts (tests put a canned server here).
    var transport: (@Sendable (_ idle: Double, _ total: Double) -> HTTPTransport)?

    public init(credentials: WebCredentialSource? = nil, allowInsecure: Bool = false, batchCount: Int = 50,
                batchBytes: Int64 = 64 << 20) {
        self.credentials = credentials
        self.allowInsecure = allowInsecure
        self.batchCount = batchCount
        self.batchBytes = batchBytes
    }
}

extension CMRError {
    /// Whether a failed HTTP status ends the whole run rather than failing the request's files.
    var stopsWebRun: Bool { kind == .permissionDenied || kind == .configuration }
}

/// The run's DICOMweb credentials, shared by its workers; re-read when the server answers 401
/// and the source can give new ones (`--token-command`).
final class WebCredentialBox: @unchecked Sendable {
    let source: WebCredentialSource?
    private let lock = NSLock()
    private var value: DICOMwebClient.Credentials?
    private var generation = 0

    init(_ source: WebCredentialSource?) throws(CMRError) {
        self.source = source
        value = try source?.credentials()
    }

    var current: (credentials: DICOMwebClient.Credentials?, generation: Int) { lock.withLock { (value, generation) } }

    /// After a 401 to credentials of `generation`: runs the command again, unless another worker
    /// did since. False when the source cannot give other credentials.
    func refresh(after generation: Int) throws(CMRError) -> Bool {
        guard let source, source.canRefresh else { return false }
        lock.lock()
        defer { lock.unlock() }
        if self.generation != generation { return true }
        value = try source.credentials()
        self.generation += 1
        return true
    }
}

/// `cmr send` to a DICOMweb service root: a session is a `DICOMwebClient` over its own transport.
struct WebDestination: Sendable {
    var url: URL
    var options: WebSendOptions
    var timeouts: NetworkTimeouts
    var credentials: WebCredentialBox

    var name: String { url.absoluteString }

    /// Refuses what must never be sent: credentials in the URL, plain http to a host that is not loopback.
    static func check(_ url: URL, allowInsecure: Bool) throws(CMRError) {
        if url.user != nil || url.password != nil {
            throw CMRError(.usage, "--to: credentials in the URL are refused (ps, shell history and logs would show them)",
                           hint: "give them in a file: --user-file FILE (user:password) or --token-file FILE")
        }
        if url.scheme?.lowercased() == "http", !allowInsecure, !DICOMwebClient.isLoopback(url.host ?? "") {
            throw CMRError(.permissionDenied, "\(url.absoluteString): plain http to \(url.host ?? "") would send the images and the credentials unencrypted",
                           hint: "use https://, or give --allow-insecure if this network is trusted")
        }
    }

    func openSession(deadline: Deadline) throws(CMRError) -> WebStoreSession {
        // --dimse-timeout is the wait for any byte of the answer; the deadline bounds each request.
        let idle = deadline.bound(timeouts.dimse ?? 24 * 3600) ?? 24 * 3600
        let total = deadline.bound(24 * 3600) ?? 24 * 3600
        let transport = options.transport?(idle, total) ?? URLSessionTransport(idleTimeout: idle, totalTimeout: total)
        do {
            let client = try DICOMwebClient(base: url, options: .init(credentials: nil, allowInsecure: options.allowInsecure), transport: transport)
            return WebStoreSession(client: client, credentials: credentials, peer: name)
        } catch {
            throw CMRError.web(error, peer: name, storing: true)
        }
    }
}

/// What one STOW-RS request gave: a record per file the answer named (nil: not acknowledged), and
/// the request's error when its status was not 2xx.
struct WebBatchAnswer {
    var records: [TransferRecord?]
    var error: CMRError?
    var status: Int?
    var retryAfter: Double?
    /// The credentials' generation the request carried.
    var generation: Int
    /// Why a file the answer did not name was not stored.
    var unacknowledged: String
}

/// Stores batches of files with STOW-RS, one request each, and reads the answer file by file.
final class WebStoreSession {
    private var client: DICOMwebClient
    let credentials: WebCredentialBox
    let peer: String

    init(client: DICOMwebClient, credentials: WebCredentialBox, peer: String) {
        self.client = client
        self.credentials = credentials
        self.peer = peer
    }

    /// Throws only when no HTTP answer came (unreachable, timeout) or the answer is broken. The
    /// bodies come from the files' mappings made by the scan, so a file changed or removed since
    /// cannot make a request fail.
    func store(_ items: [SendItem]) throws(CMRError) -> WebBatchAnswer {
        let (auth, generation) = credentials.current
        client.options.credentials = auth
        let instances = items.map {
            STOWInstance(path: $0.path, sopClassUID: $0.source.sopClassUID, sopInstanceUID: $0.source.sopInstanceUID,
                         studyInstanceUID: $0.studyInstanceUID ?? "", size: $0.source.storage.count, storage: $0.source.storage)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let result: STOWResult
        do {
            result = try client.store(instances)
        } catch {
            throw CMRError.web(error, peer: peer, storing: true)
        }
        let ms = Int((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        let status = result.status.map(String.init)
        let records = zip(items, result.instances).map { item, answer -> TransferRecord? in
            var r: TransferRecord
            switch answer.outcome {
            case .stored:
                r = item.record(.stored)
            case .storedWithWarning(let reason):
                r = item.record(.warning, comment: "Warning Reason " + Self.describe(reason))
            case .failed(let reason):
                r = item.record(.failed, comment: "refused by the server: " + (reason.map { "Failure Reason " + Self.describe($0) } ?? "no Failure Reason given"))
                // A7xx (out of resources) may pass later: 75, and the worker sends it again (as DIMSE A7xx).
                r.exitStatus = reason.map { (0xA700...0xA7FF).contains($0) } == true ? 75 : 1
            case .notAcknowledged:
                return nil
            case .unreadable(let reason):
                r = item.record(.failed, comment: "cannot be read: \(reason); not sent")
                r.exitStatus = 66
                return r
            }
            r.peerStatus = status
            r.bytes = Int64(item.source.storage.count)
            r.ms = ms
            r.transferSyntax = item.source.transferSyntaxUID
            return r
        }
        let why = result.response != nil
            ? "the server answered HTTP \(status ?? "?") and did not name it among the stored or failed instances (it could not read it, or refused it without saying why)"
            : (result.error?.message ?? "the server answered HTTP \(status ?? "?") without naming it")
        return WebBatchAnswer(records: records, error: result.error.map { CMRError.web($0, peer: peer, storing: true) }, status: result.status,
                              retryAfter: result.error?.retryAfter, generation: generation, unacknowledged: "not stored: " + why)
    }

    /// `B000H (coercion of data elements)`: the code as 4 hex digits, with its meaning when known (PS3.18 Table 10.5.3-1).
    static func describe(_ code: Int) -> String {
        let hex = String(format: "%04X", code)
        let meanings: [Int: String] = [
            0xB000: "coercion of data elements", 0xB006: "elements discarded", 0xB007: "data set does not match SOP class",
            0x0110: "processing failure", 0x0122: "SOP class not supported", 0x0124: "not authorized",
            0xA700: "out of resources", 0xA900: "data set does not match SOP class", 0xC000: "cannot understand",
            0xC122: "referenced transfer syntax not supported", 0xA770: "instance already exists and cannot be replaced",
        ]
        return hex + "H" + (meanings[code].map { " (\($0))" } ?? "")
    }
}
