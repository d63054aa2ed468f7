import Foundation

/// The share state of a site, in one folder (mode 0700) of append-only JSON Lines files (mode
/// 0600), each kept like the audit log (`JSONLinesLog`: flock, one write, fdatasync):
///
/// - `grants.jsonl`: one `GrantRecord` per grant issued (the grant, its token, where its data is);
/// - `revoked.jsonl`: one `Revocation` per grant revoked;
/// - `uses.jsonl`: one `Use` per use of a grant (a viewer session opened, a download).
///
/// Safe for many threads and many processes at once. The server (`cmr share serve`) keeps one
/// `ShareStore` for its run: `isRevoked` and `revocationTime` cost one `stat` while the file is
/// unchanged, and `recordUse` reads only what others appended since its last call.
public final class ShareStore: Sendable {
    public let directory: String
    public var grantsPath: String { directory + "/grants.jsonl" }
    public var revokedPath: String { directory + "/revoked.jsonl" }
    public var usesPath: String { directory + "/uses.jsonl" }

    let grantLog: JSONLinesLog<GrantIndex>
    let revocationLog: JSONLinesLog<RevocationIndex>
    let useLog: JSONLinesLog<UseIndex>

    public init(directory: String) {
        self.directory = directory
        grantLog = JSONLinesLog(path: directory + "/grants.jsonl")
        revocationLog = JSONLinesLog(path: directory + "/revoked.jsonl")
        useLog = JSONLinesLog(path: directory + "/uses.jsonl")
    }

    /// Makes the folder (and its parents) with mode 0700 if it does not exist.
    public func prepare() throws(ShareStoreError) {
        try JSONLinesLog<GrantIndex>.makeDirectory(directory)
    }

    // MARK: Grants

    /// A grant as issued: what `grants.jsonl` holds per line.
    public struct GrantRecord: Codable, Sendable, Equatable {
        public var grant: ShareGrant
        /// The signed token (a bearer secret: the file is mode 0600).
        public var token: String
        /// The study folder the grant was made from, when one was given.
        public var source: String?

        public init(grant: ShareGrant, token: String, source: String? = nil) {
            self.grant = grant
            self.token = token
            self.source = source
        }
    }

    /// Records an issued grant durably. A grant id already in the file is refused.
    public func add(_ record: GrantRecord) throws {
        try grantLog.append { index throws(ShareStoreError) in
            guard index.byID[record.grant.id] == nil else {
                throw ShareStoreError(path: grantsPath, call: "add grant \(record.grant.id)", code: EEXIST)
            }
            return record
        }
    }

    /// Every grant issued, oldest first.
    public func grants() throws(ShareStoreError) -> [GrantRecord] {
        try grantLog.current().records
    }

    /// The grant with this id, or nil.
    public func grant(id: String) throws(ShareStoreError) -> GrantRecord? {
        let index = try grantLog.current()
        return index.byID[id].map { index.records[$0] }
    }

    // MARK: Revocation

    public struct Revocation: Codable, Sendable, Equatable {
        public var id: String
        public var time: Date
        public var reason: String?
        /// Who revoked it: `user@host`.
        public var by: String

        public init(id: String, time: Date, reason: String?, by: String) {
            self.id = id
            self.time = time
            self.reason = reason
            self.by = by
        }
    }

    /// Revokes grant `id` durably. Revoking a revoked grant changes nothing and returns the first
    /// revocation with `alreadyRevoked` true.
    public func revoke(id: String, reason: String?, by: String, time: Date) throws -> (revocation: Revocation, alreadyRevoked: Bool) {
        let fresh = Revocation(id: id, time: time, reason: reason, by: by)
        let result = try revocationLog.append { index in index.byID[id] == nil ? fresh : nil }
        guard let appended = result.appended else { return (result.index.byID[id] ?? fresh, true) }
        return (appended, false)
    }

    /// The revocation of grant `id`, or nil.
    public func revocation(id: String) throws(ShareStoreError) -> Revocation? {
        try revocationLog.current().byID[id]
    }

    /// Every revocation, by grant id.
    public func revocations() throws(ShareStoreError) -> [String: Revocation] {
        try revocationLog.current().byID
    }

    /// When grant `id` was revoked, nil if it was not. Fails closed: if `revoked.jsonl` cannot be
    /// read, every grant counts as revoked (at the epoch). For `ShareToken.verify(revoked:)`.
    public func revocationTime(_ id: String) -> Date? {
        do { return try revocation(id: id)?.time } catch { return Date(timeIntervalSince1970: 0) }
    }

    /// Whether grant `id` is revoked (fails closed, as `revocationTime`).
    public func isRevoked(_ id: String) -> Bool { revocationTime(id) != nil }

    // MARK: Uses

    public struct Use: Codable, Sendable, Equatable {
        public var id: String
        public var time: Date
        /// The client address, as the server saw it.
        public var address: String?
        /// This use's number for the grant: 1 for the first.
        public var n: Int

        public init(id: String, time: Date, address: String?, n: Int) {
            self.id = id
            self.time = time
            self.address = address
            self.n = n
        }
    }

    /// Records one use of grant `id` and returns its number (1 for the first), counted across
    /// every process. With `limit` (the grant's `maxUses`), a use beyond it is not recorded and
    /// throws `GrantRefusal.usesExhausted(limit)`: check and count are one step under the lock.
    /// Other failures throw `ShareStoreError`.
    @discardableResult
    public func recordUse(id: String, address: String?, limit: Int? = nil, time: Date = Date()) throws -> Int {
        let result = try useLog.append { index in
            let count = index.counts[id] ?? 0
            if let limit, count >= limit { throw GrantRefusal.usesExhausted(limit) }
            return Use(id: id, time: time, address: address, n: count + 1)
        }
        return result.index.counts[id] ?? 0
    }

    /// The uses of grant `id`, oldest first.
    public func uses(id: String) throws(ShareStoreError) -> [Use] {
        try useLog.current().byID[id] ?? []
    }

    /// How many uses each grant has had.
    public func useCounts() throws(ShareStoreError) -> [String: Int] {
        try useLog.current().counts
    }
}

struct GrantIndex: JSONLinesIndex {
    var records: [ShareStore.GrantRecord] = []
    var byID: [String: Int] = [:]

    mutating func add(_ entry: ShareStore.GrantRecord) {
        guard byID[entry.grant.id] == nil else { return }
        byID[entry.grant.id] = records.count
        records.append(entry)
    }
}

struct RevocationIndex: JSONLinesIndex {
    var byID: [String: ShareStore.Revocation] = [:]

    mutating func add(_ entry: ShareStore.Revocation) {
        if byID[entry.id] == nil { byID[entry.id] = entry }
    }
}

struct UseIndex: JSONLinesIndex {
    var byID: [String: [ShareStore.Use]] = [:]
    var counts: [String: Int] = [:]

    mutating func add(_ entry: ShareStore.Use) {
        byID[entry.id, default: []].append(entry)
        counts[entry.id, default: 0] += 1
    }
}
