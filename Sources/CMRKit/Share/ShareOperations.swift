import CMRAudit
import CMRCrypto
import CMRShare
import Foundation

/// `cmr share`: issue, list, check and revoke grants (docs/share.md). Every function takes the
/// time as `now`, so tests can move the clock.
public enum ShareOperations {
    // MARK: Create

    public struct CreateRequest: Sendable {
        public var studyDirectory: String?
        public var studyUID: String?
        /// With `studyUID` and no folder: the data mode the issuer vouches for.
        public var mode: String?
        public var recipient: String
        public var validity: TimeInterval = 72 * 3600
        public var notBefore: Date?
        public var scope: ShareGrant.Scope = .view
        public var seriesUIDs: [String] = []
        public var maxUses: Int?
        public var note: String?
        public var allowIdentified = false

        public init(recipient: String) { self.recipient = recipient }
    }

    public struct CreateResult: Sendable, Encodable {
        public var id: String
        public var link: String
        public var token: String
        public var grant: ShareGrant
        /// The study folder read, when one was given.
        public var source: StudySource?
        public var grantsFile: String
    }

    /// Issues a grant: checks the request against the data and the policy, signs the token,
    /// records it in `grants.jsonl`, and returns the link. The caller appends the audit record.
    public static func create(_ request: CreateRequest, settings: ShareSettings, signer: NoteSigner, gateway: String,
                              now: Date = Date()) throws(CMRError) -> CreateResult {
        guard !request.recipient.trimmingCharacters(in: .whitespaces).isEmpty, !request.recipient.contains("\n") else {
            throw CMRError(.usage, "--to needs a recipient (an e-mail address or a name)")
        }
        guard request.validity <= settings.maxExpiry else {
            throw CMRError(.usage, "--expires \(ShareSettings.formatDuration(request.validity)) is longer than the site's cap of \(ShareSettings.formatDuration(settings.maxExpiry))",
                           hint: "ask for at most \(ShareSettings.formatDuration(settings.maxExpiry)) (CMR_SHARE_MAX_EXPIRY)")
        }
        let studyUID: String, mode: String
        var source: StudySource?
        if let folder = request.studyDirectory {
            guard request.mode == nil else {
                throw CMRError(.usage, "--mode is read from the files of STUDY_DIR", hint: "give --mode only with --study UID and no STUDY_DIR")
            }
            let read = try StudySource.read(folder, studyUID: request.studyUID)
            for series in request.seriesUIDs where !read.seriesUIDs.contains(series) {
                throw CMRError(.usage, "--series \(series) is not a series of study \(read.studyUID) in \(folder)")
            }
            (studyUID, mode, source) = (read.studyUID, read.mode, read)
        } else {
            guard let uid = request.studyUID else { throw CMRError(.usage, "name the study: STUDY_DIR or --study UID") }
            guard let declared = request.mode else {
                throw CMRError(.usage, "--study without STUDY_DIR needs --mode: cmr cannot see the data to tell its mode",
                               hint: "pass the study folder instead, or --mode deidentified|pseudonymous|anonymous if you vouch for it")
            }
            guard StudySource.modeOrder.contains(declared) else { throw CMRError(.usage, "--mode must be one of \(StudySource.modeOrder.joined(separator: ", "))") }
            (studyUID, mode) = (uid, declared)
        }
        if mode == "identified" && !request.allowIdentified {
            throw CMRError(.permissionDenied, "study \(studyUID) is identified data: only de-identified or pseudonymous data is shared",
                           hint: "de-identify it first (cmr deidentify), or pass --allow-identified if sharing identified data is allowed here")
        }
        let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let notBefore = request.notBefore.map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) } ?? issued
        let id: String
        do { id = Hex.encode(try SecureRandom.bytes(count: 16)) } catch {
            throw CMRError(.ioError, "cannot draw a grant id: \(error)")
        }
        let grant = ShareGrant(id: id, issuer: signer.name, recipient: request.recipient, studyUID: studyUID,
                               seriesUIDs: request.seriesUIDs, scope: request.scope, notBefore: notBefore,
                               expires: notBefore.addingTimeInterval(request.validity.rounded(.down)), maxUses: request.maxUses,
                               mode: mode, note: request.note, issuedAt: issued)
        let token = ShareToken.issue(grant, signer: signer)
        let store = ShareStore(directory: settings.directory)
        do {
            try store.prepare()
            try store.add(ShareStore.GrantRecord(grant: grant, token: token, source: request.studyDirectory))
        } catch { throw stateError(error) }
        return CreateResult(id: id, link: gateway + "/s#" + token, token: token, grant: grant, source: source,
                            grantsFile: store.grantsPath)
    }

    // MARK: List and status

    /// A grant's state at a time: `pending` (before not-before), `active`, `used-up`, `expired`,
    /// `revoked` (the first that applies of revoked, expired, used-up, pending, active).
    public static func state(of grant: ShareGrant, revoked: Bool, uses: Int, now: Date) -> String {
        if revoked { return "revoked" }
        if now >= grant.expires { return "expired" }
        if let max = grant.maxUses, uses >= max { return "used-up" }
        if now < grant.notBefore { return "pending" }
        return "active"
    }

    public struct Listing: Sendable, Encodable {
        public var grant: ShareGrant
        public var state: String
        public var uses: Int
        public var revoked: ShareStore.Revocation?
        public var source: String?
    }

    /// Every grant issued from `settings.directory`, oldest first, with its state and uses.
    public static func list(settings: ShareSettings, now: Date = Date()) throws(CMRError) -> [Listing] {
        let store = ShareStore(directory: settings.directory)
        do {
            let revocations = try store.revocations(), counts = try store.useCounts()
            return try store.grants().map { record in
                let uses = counts[record.grant.id] ?? 0, revoked = revocations[record.grant.id]
                return Listing(grant: record.grant, state: state(of: record.grant, revoked: revoked != nil, uses: uses, now: now),
                               uses: uses, revoked: revoked, source: record.source)
            }
        } catch { throw stateError(error) }
    }

    public struct Status: Sendable, Encodable {
        public var listing: Listing
        public var uses: [ShareStore.Use]
        /// Audit records about the grant (`details.grant` = its id), as their canonical lines.
        public var accesses: [Access]
        /// Why the audit log was not read, when it was not.
        public var auditNote: String?
    }

    /// One audit record of a grant.
    public struct Access: Sendable, Encodable {
        public var seq: UInt64
        public var time: String
        public var event: String
        public var action: String
        public var name: String
        public var outcome: Int
        public var peer: String?
        public var destination: String?
        public var details: [String: String]?
    }

    /// One grant, its state, its uses, and every audit record that names it.
    public static func status(id: String, settings: ShareSettings, auditLog: String?, now: Date = Date()) throws(CMRError) -> Status {
        let store = ShareStore(directory: settings.directory)
        let record: ShareStore.GrantRecord?
        let uses: [ShareStore.Use]
        let revocation: ShareStore.Revocation?
        do {
            record = try store.grant(id: id)
            uses = try store.uses(id: id)
            revocation = try store.revocation(id: id)
        } catch { throw stateError(error) }
        guard let record else {
            throw CMRError(.inputMissing, "no grant \(id) in \(store.grantsPath)", hint: "see 'cmr share list' for the grants issued here")
        }
        let listing = Listing(grant: record.grant, state: state(of: record.grant, revoked: revocation != nil, uses: uses.count, now: now),
                              uses: uses.count, revoked: revocation, source: record.source)
        var accesses: [Access] = []
        var note: String?
        if let auditLog, FileManager.default.fileExists(atPath: auditLog) {
            try AuditOperations.forEachLine(logPath: auditLog) { line in
                guard case .record(let r, _) = line, r.details?["grant"] == id else { return }
                accesses.append(Access(seq: r.seq, time: r.time, event: r.event.code, action: r.event.action.rawValue, name: r.event.name,
                                       outcome: Int(r.outcome.code.rawValue), peer: r.peer, destination: r.destination, details: r.details))
            }
        } else {
            note = auditLog.map { "\($0): no audit log" } ?? "no audit log location"
        }
        return Status(listing: listing, uses: uses, accesses: accesses, auditNote: note)
    }

    // MARK: Revoke

    public struct RevokeResult: Sendable, Encodable {
        public var grant: ShareGrant
        public var revocation: ShareStore.Revocation
        public var alreadyRevoked: Bool
    }

    /// Revokes grant `id` (it must have been issued here). The caller appends the audit record
    /// unless it was revoked already.
    public static func revoke(id: String, reason: String?, by actor: String, settings: ShareSettings,
                              now: Date = Date()) throws(CMRError) -> RevokeResult {
        let store = ShareStore(directory: settings.directory)
        do {
            guard let record = try store.grant(id: id) else {
                throw CMRError(.inputMissing, "no grant \(id) in \(store.grantsPath)", hint: "see 'cmr share list' for the grants issued here")
            }
            let result = try store.revoke(id: id, reason: reason, by: actor, time: now)
            return RevokeResult(grant: record.grant, revocation: result.revocation, alreadyRevoked: result.alreadyRevoked)
        } catch { throw stateError(error) }
    }

    // MARK: Verify

    /// What a verification found: the grant when valid, else the reason and what the token claimed.
    public struct Verification: Sendable, Encodable {
        public var valid: Bool
        public var reason: String?
        public var detail: String?
        public var grant: ShareGrant?
        public var uses: Int?
    }

    /// What to check a token for besides signature, time, revocation and uses.
    public struct Request: Sendable {
        public var study: String?
        public var series: String?
        public var download = false
        public init() {}
    }

    /// Checks a token as the server would: signature under `keys`, time window, revocation and
    /// uses from `settings.directory`, and, when `request` names a study, scope.
    public static func verify(token: String, keys: [NoteVerifier], settings: ShareSettings, request: Request = Request(),
                              now: Date = Date()) -> Verification {
        let store = ShareStore(directory: settings.directory)
        do throws(GrantRefusal) {
            let grant = try ShareToken.verify(token, keys: keys, now: now, revoked: store.revocationTime)
            let uses = (try? store.useCounts()[grant.id]) ?? 0
            if let max = grant.maxUses, uses >= max { throw GrantRefusal.usesExhausted(max) }
            if let study = request.study { try grant.authorize(study: study, series: request.series, download: request.download) }
            return Verification(valid: true, grant: grant, uses: uses)
        } catch {
            return Verification(valid: false, reason: error.reason, detail: detail(error),
                                grant: ShareToken.unverifiedGrant(token))
        }
    }

    /// The human part of a refusal.
    public static func detail(_ refusal: GrantRefusal) -> String {
        switch refusal {
        case .malformed(let why): why
        case .unknownKey(let kid): "signed by a key not held here: \(kid)"
        case .badSignature: "the signature does not verify: the token was changed or signed by another key"
        case .notYetValid(let time): "not valid before \(ShareTime.format(time))"
        case .expired(let time): "expired at \(ShareTime.format(time))"
        case .revoked(let time): "revoked at \(ShareTime.format(time))"
        case .usesExhausted(let max): "all \(max) uses have been made"
        case .outOfScope(let why): why
        }
    }

    // MARK: Errors

    static func stateError(_ error: any Error) -> CMRError {
        switch error {
        case let e as CMRError: return e
        case let e as ShareStoreError:
            return CMRError(e.code == EACCES ? .permissionDenied : .ioError, "share state: \(e)",
                            hint: "check the share folder and its permissions (--share-dir, CMR_SHARE_DIR)")
        default: return CMRError(.ioError, "share state: \(error)")
        }
    }
}
