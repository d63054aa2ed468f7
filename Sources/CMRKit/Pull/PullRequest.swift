import Foundation
import DICOMNetwork

/// How `cmr pull` retrieves: C-GET on the query's association peer (no inbound port), or C-MOVE
/// to cmr's own storage SCP listening at `listen` for the run.
public enum RetrieveMethod: Sendable, Equatable {
    case get
    case move(listen: DIMSEAddress)
}

extension DIMSEAddress {
    /// `--listen AE@host:port`, `AE@port` or `AE` (host 127.0.0.1, port `defaultPort`): the AE
    /// title and address cmr's own storage SCP answers at.
    public static func parseListen(_ text: String, option: String = "--listen", defaultPort: UInt16 = 11112) throws(CMRError) -> DIMSEAddress {
        let hint = "e.g. \(option) CMR@127.0.0.1:11112"
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let ae = String(parts[0])
        try validateAETitle(ae, what: "\(option) '\(text)'")
        guard parts.count == 2 else { return DIMSEAddress(aeTitle: ae, host: "127.0.0.1", port: defaultPort) }
        if UInt16(parts[1]) != nil { return try parse("dicom://\(ae)@127.0.0.1:\(parts[1])", option: option) }
        var address = try parse("dicom://\(text)", option: option)
        if !text.hasSuffix(":\(address.port)") { address.port = defaultPort }
        guard !address.host.isEmpty else { throw CMRError(.usage, "\(option) '\(text)' names no host", hint: hint) }
        return address
    }

    /// `AE@host:port`, as `--listen` takes it.
    public var listenDescription: String { "\(aeTitle)@\(host.contains(":") ? "[\(host)]" : host):\(port)" }
}

/// What `cmr pull` does: which studies (study-level matching keys), how, and where to.
public struct PullRequest: Sendable {
    public var query: QueryRequest
    public var output: String
    public var layout: OutputLayout
    public var method: RetrieveMethod
    /// C-MOVE: give up when no sub-operation came for this long.
    public var moveTimeout: Double
    public var retry: RetryPolicy
    /// Only these series of the studies found (`--series`); empty: every series.
    public var series: [String] = []

    public init(query: QueryRequest, output: String, layout: OutputLayout = .tree, method: RetrieveMethod = .get,
                moveTimeout: Double = 600, retry: RetryPolicy = RetryPolicy()) {
        self.query = query
        self.output = output
        self.layout = layout
        self.method = method
        self.moveTimeout = moveTimeout
        self.retry = retry
    }
}
