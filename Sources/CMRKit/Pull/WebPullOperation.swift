import Foundation
import DICOMCore
import DICOMweb

/// `cmr pull --from https://…`: QIDO-RS finds the studies that match and lists each study's
/// instances (`/studies/{uid}/instances`, paged), the instances already in the output are
/// `exists`, and WADO-RS retrieves the rest: a whole series when none of it is here, else
/// instance by instance. Each part of a response is written to its own file under a hidden
/// staging folder as it is parsed (synced), its SOP Instance UID read, and linked into the
/// layout at once (never over an existing file), so a run that stops keeps every complete part.
/// What arrived is checked against what was listed: a listed instance that no response held is
/// `failed`; a part that was not listed is placed by the UIDs in it and noted. A transient
/// failure (no answer, timeout, 408/429/5xx) pauses (backoff with jitter, or `Retry-After`) and
/// asks again for only what is still missing. Audit: one Query (110112), one Instances
/// Transferred (110104) per study, `peer` = the service URL.
public final class WebPullOperation: PullRunner, @unchecked Sendable {
    public let peer: WebPeer
    private var listed = 0
    /// Land each WADO-RS response in a spool file before parsing it (the default: bounded memory
    /// whatever the disk's speed), rather than parsing it as it arrives (faster, but
    /// FoundationNetworking queues what the parser has not taken yet without limit: 74–138 MB
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
        let current = study
        let (expected, missing) = try PullSteps.listed(&study, request, onRecord: onRecord) { () throws(CMRError) in try list(current) }
        var state = State(study: study, missing: missing, seriesSize: Dictionary(grouping: expected, by: \.seriesUID).mapValues(\.count))
        var failure: CMRError?
        if !state.missing.isEmpty {
            do {
                try peer.retrying(request.retry) { client, attempt in
                    state.attempt = attempt
                    try retrieve(&state, client)
                }
            } catch {
                failure = error
            }
        }
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
            expected.append(PullExpected(sopInstanceUID: sop, seriesUID: series,
                                         relativePath: request.layout.relativePath(patientID: study.patientID, studyUID: study.studyUID,
                                                                                   seriesUID: series, sopInstanceUID: sop)))
        }
        listed += expected.count
        onListed(listed)
        return expected
    }

    private struct State {
        var study: PullStudy
        var missing: [String: PullExpected]
        var seriesSize: [String: Int]
        var attempt = 1
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

    private func retrieve(_ state: inout State, _ client: DICOMwebClient) throws {
        for (target, asked) in targets(state) {
            if peer.deadline.hasPassed { throw DIMSEPeer.deadlinePassed }
            var got = 0
            let started = Date()
            let box = Box(state)
            defer {
                state = box.state
                settle(&state)
            }
            try client.retrieve(target, into: staging, spool: spool, durable: false) { part in
                got += 1
                self.stage(part, &box.state, started: started)
            }
            if got != asked {
                state.study.notes.append("study \(state.study.studyUID): asked for \(asked) instances (\(target.path)), the response held \(got)")
            }
        }
    }

    /// Hands one retrieved (unsynced) part to the group commit, to be linked at its listed path
    /// (not listed: the path the UIDs in it give) once its batch is durable.
    private func stage(_ part: RetrievedPart, _ state: inout State, started: Date) {
        guard let sop = part.sopInstanceUID else {
            unlink(part.path)
            state.study.notes.append("study \(state.study.studyUID): a part of type \(part.contentType ?? "none") was not a DICOM instance with a SOP Instance UID; dropped")
            return
        }
        let ids = ReceivedFileIdentity(path: part.path)
        let relative: String
        if let e = state.missing[sop] {
            relative = e.relativePath
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
