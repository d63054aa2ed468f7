import Foundation
import DICOMCore
import DICOMCoding
import DICOMNetwork

/// What a query found.
public struct QueryResult: Sendable {
    public var request: QueryRequest
    public var matches: [DataSet]
    /// The peer's final status: DIMSE, four hex digits (FE00 when `--limit` cancelled the rest); QIDO-RS, the HTTP status.
    public var finalStatus: String
    /// True when the query stopped at `request.limit`.
    public var limited: Bool
    public var seconds: Double
    public var peer: String

    /// The matches as one DICOM JSON array (PS3.18 F.2, as QIDO-RS returns them).
    public var json: [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, m) in matches.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += DICOMJSON.encode(m)
        }
        out += Array("]\n".utf8)
        return out
    }

    /// The columns of the level, then every key asked for that is not one of them.
    public var columns: [Tag] {
        var columns = QueryRequest.columns(for: request.level)
        for key in request.keys where !columns.contains(key.tag) { columns.append(key.tag) }
        return columns
    }
}

/// Where queries go: a DIMSE peer (C-FIND, `DIMSEQueryBackend`) or a DICOMweb service (QIDO-RS, `QIDOQueryBackend`).
public protocol QueryBackend: Sendable {
    /// Runs the query; `onMatch` hears of each match as it arrives.
    func find(_ request: QueryRequest, onMatch: (DataSet) -> Void) throws(CMRError) -> QueryResult
}

/// C-FIND against a DIMSE peer, on its own association, retried on transient failures.
public struct DIMSEQueryBackend: QueryBackend {
    public var peer: DIMSEPeer
    public var retry: RetryPolicy

    public init(peer: DIMSEPeer, retry: RetryPolicy = RetryPolicy()) {
        self.peer = peer
        self.retry = retry
    }

    public func find(_ request: QueryRequest, onMatch: (DataSet) -> Void = { _ in }) throws(CMRError) -> QueryResult {
        let identifier = try request.identifier()
        let start = Date()
        return try peer.retrying(retry) { _ throws(CMRError) -> QueryResult in
            let a = try peer.associate { p in
                p.propose(request.model.findUID, transferSyntaxes: [TransferSyntax.explicitVRLittleEndianUID, TransferSyntax.implicitVRLittleEndianUID])
            }
            var matches: [DataSet] = []
            var limited = false
            return try peer.using(a) {
                let final = try a.find(identifier, informationModel: request.model.findUID) { match, response in
                    guard !limited else { return }
                    matches.append(match)
                    onMatch(match)
                    if let limit = request.limit, matches.count >= limit, let id = response.command.messageIDBeingRespondedTo,
                       let pc = a.context(for: request.model.findUID) {
                        limited = true
                        try a.cancel(messageID: id, contextID: pc.id)
                    }
                }
                guard final.status.isSuccessOrWarning || (limited && final.status == .cancel) else {
                    throw CMRError(final.status.category == .cancel ? .temporaryFailure : .protocolError,
                                   "\(peer.description): C-FIND failed with status \(final.status.hex)" + (final.errorComment.map { ": \($0)" } ?? ""),
                                   hint: final.status.code == 0xA700 ? "the peer is out of resources; try again later" : "check the query keys and level")
                }
                return QueryResult(request: request, matches: matches, finalStatus: final.status.hex, limited: limited,
                                   seconds: Date().timeIntervalSince(start), peer: peer.description)
            }
        }
    }
}

/// `cmr query`: one C-FIND or QIDO-RS search at a level, the matches in order.
public struct QueryOperation {
    public var backend: QueryBackend
    public var request: QueryRequest

    public init(backend: QueryBackend, request: QueryRequest) throws(CMRError) {
        let missing = request.missingHigherKeys()
        if !missing.isEmpty {
            let names = missing.map { QueryKey($0).name }.joined(separator: " and ")
            throw CMRError(.usage, "a query at \(request.level.rawValue) level needs \(names)",
                           hint: "a hierarchical peer finds \(request.level.rawValue)s within one study (--study UID)\(request.level == .image ? " and series (--series UID)" : "")")
        }
        self.backend = backend
        self.request = request
    }

    /// The backend for `--from`: C-FIND to a DIMSE peer, or QIDO-RS to a DICOMweb service root.
    public static func backend(for endpoint: TransferEndpoint, retry: RetryPolicy,
                               peer: (DIMSEAddress) throws(CMRError) -> DIMSEPeer,
                               web: (URL) throws(CMRError) -> WebPeer) throws(CMRError) -> QueryBackend {
        switch endpoint {
        case .dimse(let address): return DIMSEQueryBackend(peer: try peer(address), retry: retry)
        case .web(let url): return QIDOQueryBackend(peer: try web(url), retry: retry)
        }
    }

    public func run(onMatch: (DataSet) -> Void = { _ in }) throws(CMRError) -> QueryResult {
        try backend.find(request, onMatch: onMatch)
    }
}
