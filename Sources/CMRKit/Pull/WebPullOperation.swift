import Foundation
import DICOMCore
import DICOMCoding
import DICOMweb

/// `cmr pull --from https://…`: QIDO-RS finds the studies that match. A study none of which is in
/// the output is listed by series with their instance counts and asked for whole, and each
/// series' count checked against what arrived (`listSeries`; a series that disagrees is listed
/// after all). Otherwise the study's instances are listed (`/studies/{uid}/instances`, paged),
/// the instances already in the output are `exists`, and WADO-RS retrieves the rest: a whole
/// series when none of it is here, else instance by instance. Each part of a response is
/// written to its own file under a hidden staging folder as it is parsed, its SOP Instance UID
/// read, and linked into the layout once its batch is durable (never over an existing file), so
/// a run that stops keeps every complete part. What arrived is checked against what was listed:
/// a listed instance that no response held is `failed`; a part that was not listed is placed by
/// the UIDs in it and noted. A transient
/// failure (no answer, timeout, 408/429/5xx) pauses (backoff with jitter, or `Retry-After`) and
/// asks again for only what is still missing. Audit: one Query (110112), one Instances
/// Transferred (110104) per study, `peer` = the service URL.
public final class WebPullOperation: PullRunner, @unchecked Sendable {
    public let peer: WebPeer
    private var listed = 0
    /// Land each WADO-RS response in a spool file before parsing it (the default: bounded memory
    /// whatever the disk's speed), rather than parsing it as it arrives (faster, but
    /// FoundationNetworking queues what the parser has not taken yet without limit: 74–161 MB
    /// peak for 3 × 105 MB in scripts/bench pull_web, against 41–46 MB spooled).
    public var spool = true

    public init(request: PullRequest, peer: WebPeer, audit: AuditContext?) {
        self.peer = peer
        super.init(request: request, audit: audit)
    }

    public override func run() throws(CMRError) -> PullResult {
        let found = try begin(QIDOQueryBackend(peer: peer, retry: request.retry), peer: peer.description)
        startGroupCommit()
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let (studies, stoppedBy) = try PullSteps.studies(found, deadline: peer.deadline, peer: peer.description, audit: audit) { study throws(CMRError) in
            try pull(&study)
        }
        return PullSteps.result(found, studies, stoppedBy: stoppedBy, peer: peer.description, start: started, associations: peer.requests)
    }

    private func pull(_ study: inout PullStudy) throws(CMRError) {
        var state: State
        if request.layout.holdsNothing(ofStudy: study.studyUID, patientID: study.patientID, in: request.output) {
            state = try listSeries(&study)
        } else {
            let current = study
            let (expected, missing) = try PullSteps.listed(&study, request, onRecord: onRecord) { () throws(CMRError) in try list(current) }
            state = State(study: study, missing: missing, seriesSize: Dictionary(grouping: expected, by: \.seriesUID).mapValues(\.count))
        }
        var failure: CMRError?
        if !state.missing.isEmpty || !state.unverified.isEmpty {
            do {
                try peer.retrying(request.retry) { client, attempt in
                    state.attempt = attempt
                    try retrieveUnlisted(&state, client)
                    try verify(&state, client)
                    try retrieve(&state, client)
                }
            } catch {
                failure = error
            }
        }
        if let failure { unlisted(&state, failure) }
        study = state.study
        if failure == nil, !state.missing.isEmpty {
            study.notes.append("study \(study.studyUID): \(state.missing.count) listed instances were in no WADO-RS response")
        }
        PullSteps.notReceived(state.missing, output: request.output, study: &study, attempts: state.attempt,
                              reason: "not received" + (failure.map { ": \($0.message)" } ?? ": the server's response did not hold it"),
                              exitStatus: failure?.exitStatus ?? 1, onRecord: onRecord)
        if let failure { throw failure }
    }

    /// The study's instances: QIDO-RS `/studies/{uid}/instances` with the series UID, paged.
    private func list(_ study: PullStudy) throws(CMRError) -> [PullExpected] {
        var q = QIDOQuery(.instances, study: study.studyUID, includeFields: ["SeriesInstanceUID", "SOPInstanceUID"])
        q.keys = []
        let matches: [DataSet] = try peer.retrying(request.retry) { client, _ in
            var seen = 0
            return try client.searchAll(q, pageSize: 1000) { page in
                seen += page.count
                self.onListed(self.listed + seen)
            }
        }
        var expected: [PullExpected] = []
        for m in matches {
            guard let sop = m.string(.sopInstanceUID), !sop.isEmpty else { continue }
            let series = m.string(.seriesInstanceUID) ?? ""
            if !request.series.isEmpty && !request.series.contains(series) { continue }
            expected.append(expect(study, series: series, sop: sop))
        }
        listed += expected.count
        onListed(listed)
        return expected
    }

    private func expect(_ study: PullStudy, series: String, sop: String) -> PullExpected {
        PullExpected(sopInstanceUID: sop, seriesUID: series,
                     relativePath: request.layout.relativePath(patientID: study.patientID, studyUID: study.studyUID, seriesUID: series, sopInstanceUID: sop))
    }

    /// The fast path, for a study none of which is in the output yet: QIDO-RS
    /// `/studies/{uid}/series` with each series' Number of Series Related Instances (one short
    /// answer, where the instance listing of a large study takes the archive most of a second),
    /// then the study asked for whole (or each series, with `--series`). Each series' count is
    /// checked against what arrived (`retrieveUnlisted`); a series that disagrees, has no count,
    /// or whose response failed is listed instance by instance afterwards (`verify`).
    private func listSeries(_ study: inout PullStudy) throws(CMRError) -> State {
        var q = QIDOQuery(.series, study: study.studyUID, includeFields: ["SeriesInstanceUID", "NumberOfSeriesRelatedInstances"])
        q.keys = []
        let matches: [DataSet]
        do {
            matches = try peer.retrying(request.retry) { client, _ in try client.searchAll(q, pageSize: 1000) }
        } catch {
            PullSteps.listingFailed(&study, request, error, onRecord: onRecord)
            throw error
        }
        var state = State(study: study, missing: [:], seriesSize: [:])
        for m in matches {
            guard let series = m.string(.seriesInstanceUID), !series.isEmpty, state.unverified[series] == nil else { continue }
            if !request.series.isEmpty && !request.series.contains(series) { continue }
            state.unverified[series] = .some(m.string(.numberOfSeriesRelatedInstances).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) })
        }
        state.study.expected = 0
        if request.series.isEmpty {
            if !state.unverified.isEmpty { state.whole = [.study(study.studyUID)] }
        } else {
            state.whole = state.unverified.keys.sorted().map { .series(study: study.studyUID, series: $0) }
        }
        listed += state.unverified.values.reduce(0) { $0 + ($1 ?? 0) }
        onListed(listed)
        return state
    }

    private struct State {
        var study: PullStudy
        /// Listed instances not in place yet, by SOP Instance UID.
        var missing: [String: PullExpected]
        /// Instances listed per series.
        var seriesSize: [String: Int]
        var attempt = 1
        /// Fast path: the series not listed instance by instance, with the archive's count (nil:
        /// none given), until what arrived of them is checked.
        var unverified: [String: Int?] = [:]
        /// Fast path: the requests for whole unlisted series (or the study) not made yet.
        var whole: [WADOTarget] = []
        /// Fast path: the SOP Instance UIDs that arrived per series.
        var arrived: [String: Set<String>] = [:]
    }

    /// The state as the part callback (an escaping closure) updates it.
    private final class Box {
        var state: State
        init(_ state: State) { self.state = state }
    }

    /// The requests that ask for exactly what is missing: each series none of which is here,
    /// and each missing instance of the other series.
    private func targets(_ state: State) -> [(WADOTarget, Int)] {
        let uid = state.study.studyUID
        var out: [(WADOTarget, Int)] = []
        for (series, items) in Dictionary(grouping: state.missing.values, by: \.seriesUID).sorted(by: { $0.key < $1.key }) {
            if !series.isEmpty && items.count == state.seriesSize[series] {
                out.append((.series(study: uid, series: series), items.count))
            } else if series.isEmpty {
                out.append((.study(uid), items.count))
            } else {
                for i in items.sorted(by: { $0.sopInstanceUID < $1.sopInstanceUID }) {
                    out.append((.instance(study: uid, series: series, instance: i.sopInstanceUID), 1))
                }
            }
        }
        return out
    }

    /// Retrieves what was listed and is still missing.
    private func retrieve(_ state: inout State, _ client: DICOMwebClient) throws {
        for (target, asked) in targets(state) {
            let got = try fetch(target, &state, client, placing: .listed)
            if got != asked {
                state.study.notes.append("study \(state.study.studyUID): asked for \(asked) instances (\(target.path)), the response held \(got)")
            }
        }
    }

    /// Fast path: the whole requests not made yet; after each (failed or not), each series whose
    /// count is reached is done.
    private func retrieveUnlisted(_ state: inout State, _ client: DICOMwebClient) throws {
        while !state.whole.isEmpty {
            let target = state.whole.removeFirst()
            defer {
                for (series, count) in state.unverified {
                    guard let count, state.arrived[series]?.count == count else { continue }
                    state.unverified[series] = nil
                    state.study.expected += count
                }
            }
            var series: String?
            if case .series(_, let s) = target { series = s }
            _ = try fetch(target, &state, client, placing: .unlisted(series: series))
        }
    }

    /// Fast path: lists each series whose count was not reached (QIDO-RS
    /// `/studies/{uid}/series/{uid}/instances`, paged): what arrived is accounted for, a listed
    /// file already in place is `exists`, the others are missing (asked for by `retrieve`).
    private func verify(_ state: inout State, _ client: DICOMwebClient) throws {
        let uid = state.study.studyUID
        for series in state.unverified.keys.sorted() {
            let count = state.unverified[series] ?? nil
            let arrived = state.arrived[series] ?? []
            var q = QIDOQuery(.instances, study: uid, series: series, includeFields: ["SOPInstanceUID"])
            q.keys = []
            var expected: [PullExpected] = []
            var names = Set<String>()
            for m in try client.searchAll(q, pageSize: 1000) {
                guard let sop = m.string(.sopInstanceUID), !sop.isEmpty, names.insert(sop).inserted else { continue }
                expected.append(expect(state.study, series: series, sop: sop))
            }
            if let count {
                state.study.notes.append("study \(uid): series \(series): the archive counted \(count) instances, \(arrived.count) arrived; listed the series (\(expected.count) instances)")
            }
            for sop in arrived.subtracting(names).sorted() {
                state.study.notes.append("study \(uid): \(sop) arrived but was not listed")
            }
            let accounted = Set(state.study.records.compactMap(\.sopInstanceUID))
            for (sop, e) in PullSteps.partition(expected, output: request.output, study: &state.study, accounted: accounted, onRecord: onRecord) {
                state.missing[sop] = e
            }
            state.seriesSize[series] = expected.count
            state.study.expected += expected.count
            listed += expected.count - (count ?? 0)
            onListed(listed)
            state.unverified[series] = nil
        }
    }

    /// Fast path, after a failure: the series neither counted whole nor listed yet are listed
    /// once more (best effort: the failure may have been the retrieve's alone), so that what did
    /// not arrive is failed instance by instance; a series that still cannot be listed has one
    /// failed record (its folder) saying how many of its instances did not arrive.
    private func unlisted(_ state: inout State, _ failure: CMRError) {
        if !state.unverified.isEmpty, !peer.deadline.hasPassed, let client = try? peer.client() {
            try? verify(&state, client)
        }
        for series in state.unverified.keys.sorted() {
            let count = state.unverified[series] ?? nil
            let arrived = state.arrived[series]?.count ?? 0
            let path = request.output + "/" + request.layout.relativePath(patientID: state.study.patientID, studyUID: state.study.studyUID,
                                                                          seriesUID: series, sopInstanceUID: "x")
            var r = TransferRecord(path: FilePath.directory(of: path), status: .failed, attempts: state.attempt)
            r.studyInstanceUID = state.study.studyUID
            r.comment = "series \(series): " + (count.map { "\($0 - arrived) of \($0) instances" } ?? "instances beyond the \(arrived) that arrived may be")
                + " not received, and the series could not be listed: \(failure.message)"
            r.exitStatus = failure.exitStatus
            state.study.records.append(r)
            state.study.expected += max(count ?? arrived, arrived)
            onRecord(r)
        }
        state.unverified = [:]
    }

    /// Where a retrieved part goes: at its listed path (`listed`), or, on the fast path, by the
    /// series asked for (`unlisted(series:)`; nil for a study: the series in the file).
    private enum Placing {
        case listed
        case unlisted(series: String?)
    }

    /// One WADO-RS request, its parts staged and, when it ends (failed or not), committed;
    /// returns how many distinct instances it held.
    private func fetch(_ target: WADOTarget, _ state: inout State, _ client: DICOMwebClient, placing: Placing) throws -> Int {
        if peer.deadline.hasPassed { throw DIMSEPeer.deadlinePassed }
        var held = Set<String>()
        let started = Date()
        let box = Box(state)
        defer {
            state = box.state
            settle(&state)
        }
        try client.retrieve(target, into: staging, spool: spool, durable: false) { part in
            if let sop = part.sopInstanceUID { held.insert(sop) }
            self.stage(part, &box.state, started: started, placing: placing)
        }
        return held.count
    }

    /// Hands one retrieved (unsynced) part to the group commit, to be linked at its listed path
    /// (not listed: the path the UIDs in it give) once its batch is durable.
    private func stage(_ part: RetrievedPart, _ state: inout State, started: Date, placing: Placing) {
        guard let sop = part.sopInstanceUID else {
            unlink(part.path)
            state.study.notes.append("study \(state.study.studyUID): a part of type \(part.contentType ?? "none") was not a DICOM instance with a SOP Instance UID; dropped")
            return
        }
        let ids = ReceivedFileIdentity(path: part.path)
        let relative: String
        if let e = state.missing[sop] {
            relative = e.relativePath
        } else if case .unlisted(let asked) = placing, let series = asked ?? ids.seriesUID, state.unverified.keys.contains(series) {
            if !state.arrived[series, default: []].insert(sop).inserted {
                if !part.alreadyPresent { unlink(part.path) }
                state.study.notes.append("study \(state.study.studyUID): \(sop) arrived twice; the second copy dropped")
                return
            }
            relative = expect(state.study, series: series, sop: sop).relativePath
        } else {
            state.study.notes.append("study \(state.study.studyUID): \(sop) arrived but was not listed")
            relative = request.layout.relativePath(patientID: ids.patientID ?? state.study.patientID, studyUID: ids.studyUID ?? state.study.studyUID,
                                                   seriesUID: ids.seriesUID, sopInstanceUID: sop)
        }
        var r = TransferRecord(path: request.output + "/" + relative, status: .received, attempts: state.attempt)
        r.sopInstanceUID = sop
        r.sopClassUID = ids.sopClassUID
        r.studyInstanceUID = state.study.studyUID
        r.transferSyntax = ids.transferSyntax
        r.peerStatus = "200"
        r.ms = Int(Date().timeIntervalSince(started) * 1000)
        stageForCommit(part.path, bytes: Int64(part.size), record: r)
    }

    /// Commits what is staged and moves the records into the study's state.
    private func settle(_ state: inout State) {
        for r in settleCommitted() {
            state.study.records.append(r)
            if r.status != .failed, let sop = r.sopInstanceUID { state.missing[sop] = nil }
        }
    }
}
