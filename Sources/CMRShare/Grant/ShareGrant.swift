import Foundation

/// What a share link grants: the claims of a signed grant token (docs/share.md).
///
/// A grant names one study (optionally some of its series), who it is for, what the recipient may
/// do (`view`: rendered frames; `download`: also the DICOM files), and when. The token that carries
/// it is signed with the site's Ed25519 key; the server checks signature, time window, revocation
/// and scope on every request.
public struct ShareGrant: Sendable, Codable, Equatable {
    /// What the recipient may do.
    public enum Scope: String, Sendable, Codable, CaseIterable {
        /// Rendered frames and the study manifest.
        case view
        /// `view`, plus the DICOM files themselves.
        case download
    }

    /// Unique id (random, 128 bits, lower-case hex): revocation and the audit trail use it.
    public var id: String
    /// The site that issued the grant (its key name).
    public var issuer: String
    /// Who the link is for (an e-mail address or a name; recorded, not authenticated).
    public var recipient: String
    /// Study Instance UID of the granted study.
    public var studyUID: String
    /// Series Instance UIDs the grant is limited to; empty: the whole study.
    public var seriesUIDs: [String]
    public var scope: Scope
    /// Not valid before this time.
    public var notBefore: Date
    /// Not valid at or after this time.
    public var expires: Date
    /// How many times the link may be opened (a viewer session); nil: no limit.
    public var maxUses: Int?
    /// The data mode of the shared data (`deidentified`, `pseudonymous`, `anonymous`, `identified`).
    public var mode: String
    /// Free text from the issuer, shown to nobody but the owner (kept in `grants.jsonl`, never in the token).
    public var note: String?
    /// When the grant was issued (the token's `iat`); nil for a grant made before it was signed.
    public var issuedAt: Date?

    public init(id: String, issuer: String, recipient: String, studyUID: String, seriesUIDs: [String] = [],
                scope: Scope, notBefore: Date, expires: Date, maxUses: Int? = nil, mode: String, note: String? = nil,
                issuedAt: Date? = nil) {
        self.id = id
        self.issuer = issuer
        self.recipient = recipient
        self.studyUID = studyUID
        self.seriesUIDs = seriesUIDs
        self.scope = scope
        self.notBefore = notBefore
        self.expires = expires
        self.maxUses = maxUses
        self.mode = mode
        self.note = note
        self.issuedAt = issuedAt
    }

    /// Whether the grant covers `series` of its study.
    public func covers(series: String) -> Bool { seriesUIDs.isEmpty || seriesUIDs.contains(series) }
}

/// Why a token or a request was refused. Each case is its own reason, shown on the refusal page and
/// recorded in the audit log.
public enum GrantRefusal: Error, Sendable, Equatable {
    /// Not a token of this format (wrong header, bad encoding, bad claims).
    case malformed(String)
    /// The footer names a key this server does not hold.
    case unknownKey(String)
    /// The signature does not verify: the token was changed or signed by another key.
    case badSignature
    case notYetValid(Date)
    case expired(Date)
    case revoked(Date)
    /// Every permitted use has been made.
    case usesExhausted(Int)
    /// The request asks for something outside the grant (another study, series, or download with view scope).
    case outOfScope(String)

    /// A short machine name: `malformed`, `unknown-key`, `bad-signature`, `not-yet-valid`, `expired`,
    /// `revoked`, `uses-exhausted`, `out-of-scope`.
    public var reason: String {
        switch self {
        case .malformed: "malformed"
        case .unknownKey: "unknown-key"
        case .badSignature: "bad-signature"
        case .notYetValid: "not-yet-valid"
        case .expired: "expired"
        case .revoked: "revoked"
        case .usesExhausted: "uses-exhausted"
        case .outOfScope: "out-of-scope"
        }
    }
}
