import Foundation
import DICOMCore
import DICOMCoding

/// An instance a study listing named, and where it goes under `--out`.
struct PullExpected {
    var sopInstanceUID: String
    var seriesUID: String
    var relativePath: String
}

/// A pull: the request, the audit context and the callbacks both protocols' pulls share
/// (`PullOperation` over DIMSE, `WebPullOperation` over DICOMweb). `run()` is theirs.
public class PullRunner: @unchecked Sendable {
    public let request: PullRequest
    public let audit: AuditContext?
    /// Hears of each instance as its fate is known (received, exists, failed), for `--print-paths` and progress.
    public var onRecord: (TransferRecord) -> Void = { _ in }
    /// Hears of the number of instances listed so far.
    public var onListed: (Int) -> Void = { _ in }
    /// The hidden staging folder of this run in the output folder.
    var staging = ""
    var started = Date()

    init(request: PullRequest, audit: AuditContext?) {
        self.request = request
        self.audit = audit
    }

    /// The start of a run: the studies found (and the Query audit record), the output and staging folders.
    func begin(_ backend: QueryBackend, peer: String) throws(CMRError) -> QueryResult {
        started = Date()
        let found = try PullSteps.findStudies(request, backend: backend, peer: peer, audit: audit)
        staging = try PullSteps.prepareOutput(request.output)
        return found
    }

    // Received files arrive unsynced in staging and are made durable in batches (one `syncfs` for
    // many, `GroupCommit`), then linked into place; hashing runs on other threads meanwhile.
    private var commit: GroupCommit?
    private let commitLock = NSLock()
    private var staged: [Int: TransferRecord] = [:]
    /// The digest of each staged file, computed on another thread as soon as it is staged (while
    /// the next files arrive and the batch is synced) rather than once it is placed.
    private var hashes: [Int: DispatchWorkItem] = [:]
    private var digests: [Int: (hex: String, size: Int64)] = [:]
    private var nextToken = 0
    private var finished: [TransferRecord] = []
    private let finishing = DispatchGroup()
    private var folders: Set<String> = []

    func startGroupCommit() {
        commit = GroupCommit(folder: request.output, maximumCount: 256, maximumBytes: 256 << 20) { [self] token, error in
            finishing.enter()
            DispatchQueue.global().async { [self] in
                defer { finishing.leave() }
                published(token: token, error: error)
            }
        }
    }

    var usesGroupCommit: Bool { commit != nil }

    /// Hands a received, unsynced file (`temporary`, in staging) to the group commit, which links
    /// it to `record.path` once its batch is durable; `published` then records it.
    func stageForCommit(_ temporary: String, bytes: Int64, record: TransferRecord) {
        guard let commit else { return }
        let folder = FilePath.directory(of: record.path)
        if !folders.contains(folder) {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            folders.insert(folder)
        }
        let token: Int = commitLock.withLock {
            nextToken += 1
            staged[nextToken] = record
            return nextToken
        }
        // Opened (mapped, or read when small) now, so the digest is of this file whatever
        // becomes of the staged name; when it cannot be, `published` hashes the placed file.
        let storage = try? MappedFile.open(temporary)
        let hash = DispatchWorkItem { [self] in
            guard let storage else { return }
            let d = (hex: FileDigest.sha256(storage), size: Int64(storage.count))
            commitLock.withLock { digests[token] = d }
        }
        commitLock.withLock { hashes[token] = hash }
        DispatchQueue.global().async(execute: hash)
        commit.stage(GroupCommit.Staged(temporary: temporary, path: record.path, overwrite: false, bytes: bytes, token: token))
    }

    /// A staged file is in place (or was not placed: `exists` when the name was taken).
    private func published(token: Int, error: Error?) {
        guard var r = commitLock.withLock({ staged.removeValue(forKey: token) }) else { return }
        commitLock.withLock { hashes.removeValue(forKey: token) }?.wait()
        let early = commitLock.withLock { digests.removeValue(forKey: token) }
        if let error {
            if FileManager.default.fileExists(atPath: r.path) {
                r.status = .exists
            } else {
                r.status = .failed
                r.comment = "\(error)"
                r.exitStatus = 74
            }
        } else if let d = early ?? FileDigest.sha256(r.path) {
            r.sha256 = d.hex
            r.bytes = d.size
        }
        commitLock.withLock { finished.append(r) }
        onRecord(r)
    }

    /// Commits what is staged, waits for the records, and returns those published since the last call.
    func settleCommitted() -> [TransferRecord] {
        guard let commit else { return [] }
        commit.flush()
        finishing.wait()
        return commitLock.withLock { defer { finished = [] }; return finished }
    }

    /// Finds, lists and retrieves; the subclass says how.
    public func run() throws(CMRError) -> PullResult {
        preconditionFailure("PullRunner.run is implemented by PullOperation and WebPullOperation")
    }
}

/// What `cmr pull` does the same way whatever the protocol (`PullOperation` over DIMSE,
/// `WebPullOperation` over DICOMweb): find the studies and audit the query, make the output
/// folder, go through the studies until one stops the run, sort listed instances into those
/// already in place and those missing, and report what did not arrive.
enum PullSteps {
    /// The study-level query of `request` (with the study UID and patient ID asked for), run and
    /// recorded as a Query audit event (110112), success or not.
    static func findStudies(_ request: PullRequest, backend: QueryBackend, peer: String, audit: AuditContext?) throws(CMRError) -> QueryResult {
        var query = request.query
        query.level = .study
        for tag in [Tag.studyInstanceUID, .patientID] where !query.keys.contains(where: { $0.tag == tag }) { query.keys.append(QueryKey(tag)) }
        do {
            let found = try backend.find(query, onMatch: { _ in })
            try audit?.append(audit?.queryDrafts(query: query, peer: peer, matches: found.matches.count, error: nil) ?? [])
            return found
        } catch {
            try audit?.append(audit?.queryDrafts(query: query, peer: peer, matches: 0, error: error) ?? [])
            throw error
        }
    }

    /// Makes the output folder, removes staging folders of dead runs, and returns a new one.
    static func prepareOutput(_ output: String) throws(CMRError) -> String {
        try makeOutputFolder(output)
        FilePlacement.removeStaleStaging(in: output)
        return try FilePlacement.makeStaging(in: output)
    }

    static func makeOutputFolder(_ output: String) throws(CMRError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CMRError(.cannotCreateOutput, "\(output): exists and is not a folder") }
            return
        }
        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            throw CMRError(.cannotCreateOutput, "\(output): cannot create the folder: \(error.localizedDescription)")
        }
    }

    /// Pulls each matched study in turn (`pull`), appending its Instances Transferred audit
    /// record (110104); stops at the deadline or at the first study whose pull throws.
    static func studies(_ found: QueryResult, deadline: Deadline, peer: String, audit: AuditContext?,
                        pull: (inout PullStudy) throws(CMRError) -> Void) throws(CMRError) -> (studies: [PullStudy], stoppedBy: CMRError?) {
        var studies: [PullStudy] = []
        var stoppedBy: CMRError?
        for match in found.matches {
            guard let studyUID = match.string(.studyInstanceUID), !studyUID.isEmpty else { continue }
            if deadline.hasPassed { stoppedBy = DIMSEPeer.deadlinePassed; break }
            var study = PullStudy(studyUID: studyUID, patientID: match.string(.patientID), expected: 0, records: [], notes: [])
            do {
                try pull(&study)
            } catch {
                stoppedBy = error
            }
            studies.append(study)
            try audit?.append(audit?.pullDrafts(study: study, peer: peer) ?? [])
            if stoppedBy != nil { break }
        }
        return (studies, stoppedBy)
    }

    /// The run's result and summary.
    static func result(_ found: QueryResult, _ studies: [PullStudy], stoppedBy: CMRError?, peer: String, start: Date, associations: Int) -> PullResult {
        var summary = TransferSummary(command: "pull", peer: peer)
        for s in studies { for r in s.records { summary.count(r) } }
        summary.seconds = Date().timeIntervalSince(start)
        summary.associations = associations
        summary.stoppedBecause = stoppedBy?.message
        var result = PullResult(query: found, studies: studies, summary: summary, stoppedBy: stoppedBy)
        result.summary.exitStatus = result.exitStatus
        return result
    }

    /// Lists the study's instances (`list`) and sorts them (`partition`). A listing that fails is
    /// one failed record for the study's folder, and the error is thrown on.
    static func listed(_ study: inout PullStudy, _ request: PullRequest, onRecord: (TransferRecord) -> Void,
                       list: () throws(CMRError) -> [PullExpected]) throws(CMRError) -> (all: [PullExpected], missing: [String: PullExpected]) {
        let expected: [PullExpected]
        do {
            expected = try list()
        } catch {
            listingFailed(&study, request, error, onRecord: onRecord)
            throw error
        }
        study.expected = expected.count
        return (expected, partition(expected, output: request.output, study: &study, onRecord: onRecord))
    }

    /// The failed record of a study that could not be listed: one, for the study's folder.
    static func listingFailed(_ study: inout PullStudy, _ request: PullRequest, _ error: CMRError, onRecord: (TransferRecord) -> Void) {
        var r = TransferRecord(path: request.output + "/" + request.layout.studyFolder(patientID: study.patientID, studyUID: study.studyUID), status: .failed)
        r.studyInstanceUID = study.studyUID
        r.comment = "the study's instances could not be listed: \(error.message)"
        r.exitStatus = error.exitStatus
        study.records.append(r)
        onRecord(r)
    }

    /// Listed instances whose file is already in place (an `exists` record each, told to
    /// `onRecord`), and the others, by SOP Instance UID; those in `accounted` (a record of this
    /// run has them already) are neither.
    static func partition(_ expected: [PullExpected], output: String, study: inout PullStudy, accounted: Set<String> = [],
                          onRecord: (TransferRecord) -> Void) -> [String: PullExpected] {
        var missing: [String: PullExpected] = [:]
        for e in expected where !accounted.contains(e.sopInstanceUID) {
            let path = output + "/" + e.relativePath
            if FileManager.default.fileExists(atPath: path) {
                var r = TransferRecord(path: path, status: .exists)
                r.sopInstanceUID = e.sopInstanceUID
                r.studyInstanceUID = study.studyUID
                study.records.append(r)
                onRecord(r)
            } else {
                missing[e.sopInstanceUID] = e
            }
        }
        return missing
    }

    /// A failed record for each listed instance that did not arrive, with the reason.
    static func notReceived(_ missing: [String: PullExpected], output: String, study: inout PullStudy, attempts: Int,
                            reason: String, exitStatus: Int32, onRecord: (TransferRecord) -> Void) {
        for e in missing.values.sorted(by: { $0.relativePath < $1.relativePath }) {
            var r = TransferRecord(path: output + "/" + e.relativePath, status: .failed, attempts: attempts)
            r.sopInstanceUID = e.sopInstanceUID
            r.studyInstanceUID = study.studyUID
            r.comment = reason
            r.exitStatus = exitStatus
            study.records.append(r)
            onRecord(r)
        }
    }
}
