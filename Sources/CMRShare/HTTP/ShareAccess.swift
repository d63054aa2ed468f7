/// One request of a share link, as `ShareApp` reports it for the owner's audit log: which grant,
/// what was asked for, by whom, and how it ended.
public struct ShareAccess: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The manifest, a thumbnail or a rendered frame.
        case view
        /// A DICOM file.
        case download
        /// Refused; `reason` is `GrantRefusal.reason` (or `not-found` for a study not held here).
        case refused(reason: String)
    }

    /// What was asked for: `study` (manifest), `thumbnail`, `frame`, `instance` (a DICOM file).
    public enum Endpoint: String, Sendable, Equatable {
        case study, thumbnail, frame, instance
    }

    /// The grant's id; nil when the token could not be read or verified.
    public var grantID: String?
    public var studyUID: String?
    public var seriesUID: String?
    public var instanceUID: String?
    /// Frame number (0-based) of a rendered frame.
    public var frame: Int?
    public var endpoint: Endpoint
    public var kind: Kind
    /// The client (`host:port`, or the address the trusted proxy forwarded).
    public var client: String
    public var status: Int
    /// Body bytes sent (file size for a DICOM file).
    public var bytes: Int
    /// The grant's data mode (`ShareGrant.mode`), when the grant is known.
    public var mode: String?

    public init(grantID: String?, studyUID: String?, seriesUID: String? = nil, instanceUID: String? = nil, frame: Int? = nil,
                endpoint: Endpoint, kind: Kind, client: String, status: Int, bytes: Int, mode: String? = nil) {
        self.grantID = grantID
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.instanceUID = instanceUID
        self.frame = frame
        self.endpoint = endpoint
        self.kind = kind
        self.client = client
        self.status = status
        self.bytes = bytes
        self.mode = mode
    }
}
