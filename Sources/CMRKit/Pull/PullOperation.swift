import Foundation
import DICOMCore
import DICOMCoding
import DICOMNetwork

/// One study of a pull: what the peer listed and what became of each instance.
public struct PullStudy: Sendable {
    public var studyUID: String
    public var patientID: String?
    /// Instances the peer listed (IMAGE-level C-FIND).
    public var expected: Int
    public var records: [TransferRecord]
    /// Sub-operation counts that disagree with what was listed or written, and similar findings.
    public var notes: [String]
}

/// What `cmr pull` did.
public struct PullResult: Sendable {
    public var query: QueryResult
    public var studies: [PullStudy]
    public var summary: TransferSummary
    /// The error that ended the run early, when one did.
    public var stoppedBy: CMRError?
    public var records: [TransferRecord] { studies.flatMap(\.records) }

    /// 0 every listed instance is in the output; 1 some are not (or nothing matched) while others
    /// are; else the status of the error that stopped a run that got nothing.
    public var exitStatus: Int32 {
        let records = self.records
        let failed = records.contains { $0.status == .failed }
        let got = records.contains { $0.status == .received || $0.status == .exists }
        if let stoppedBy { return got ? 1 : stoppedBy.exitStatus }
        return failed || studies.isEmpty ? 1 : 0
    }
}

/// `cmr pull`: C-FIND the studies that match, list each study's instances (SERIES then IMAGE
/// level), skip those already in the output, retrieve the rest (C-GET, or C-MOVE to cmr's own
/// storage SCP), and place each file atomically into the layout. Transient failures re-associate
/// after a backoff and ask again only for what is still missing (whole study, whole series, or a
/// list of instances). Appends the audit records as it goes: one Query (110112), then one
/// Instances Transferred (110104, action C) per study.
public final class PullOperation: PullRunner, @unchecked Sendable {
    public let peer: DIMSEPeer
    private let lock = NSLock()
    private var associations = 0
    /// How many of the move destination's `received` have been placed (the SCP serves the whole run).
    private var movedSeen = 0
    public init(request: PullRequest, peer: DIMSEPeer, audit: AuditContext?) {
        self.peer = peer
        super.init(request: request, audit: audit)
    }

    public override func run() throws(CMRError) -> PullResult {
        let found = try begin(DIMSEQueryBackend(peer: peer, retry: request.retry), peer: peer.description)
        if request.method == .get { startGroupCommit() }
        defer { try? FileManager.default.removeItem(atPath: staging) }

        var scp: StorageSCP?
        if case .move(let listen) = request.method {
            let s = StorageSCP(directory: staging, aeTitle: listen.aeTitle, transferSyntaxes: RetrieveContexts.transferSyntaxes,
                               timeouts: peer.timeouts)
            do { s.start(try SocketListener(host: listen.host, port: listen.port)) } catch {
                throw CMRError(.temporaryFailure, "cannot listen at \(listen.listenDescription): \(error)", hint: "another process may use the port; name another with --listen AE@127.0.0.1:PORT")
            }
            scp = s
        }
        defer { scp?.stop() }

        let (studies, stoppedBy) = try PullSteps.studies(found, deadline: peer.deadline, peer: peer.description, audit: audit) { study throws(CMRError) in
            try pull(&study, scp: scp)
        }
        return PullSteps.result(found, studies, stoppedBy: stoppedBy, peer: peer.description, start: started, associations: lock.withLock { associations })
    }

    // MARK: One study

    private func pull(_ study: inout PullStudy, scp: StorageSCP?) throws(CMRError) {
        let studyUID = study.studyUID, patientID = study.patientID
        let (expected, missing) = try PullSteps.listed(&study, request, onRecord: onRecord) { () throws(CMRError) in
            try list(studyUID: studyUID, patientID: patientID)
        }
        var state = StudyState(studyUID: studyUID, patientID: patientID, total: expected.count, missing: missing,
                               seriesSize: Dictionary(grouping: expected, by: \.seriesUID).mapValues(\.count))
        var failure: CMRError?
        if !state.missing.isEmpty {
            do {
                try peer.retrying(request.retry) { attempt throws(CMRError) in
                    state.attempt = attempt
                    try retrieve(&state, scp: scp)
                }
            } catch {
                failure = error
            }
        }
        study.records += state.records
        study.notes += state.notes
        PullSteps.notReceived(state.missing, output: request.output, study: &study, attempts: state.attempt,
                              reason: "not received" + (failure.map { ": \($0.message)" } ?? (state.subOperationFailures > 0 ? ": the peer reported failed sub-operations" : "")),
                              exitStatus: failure?.exitStatus ?? 1, onRecord: onRecord)
        if let failure { throw failure }
    }

    /// The instances of a study: SERIES level, then IMAGE level per series (a hierarchical peer
    /// answers IMAGE-level queries within one series).
    private func list(studyUID: String, patientID: String?) throws(CMRError) -> [PullExpected] {
        let backend = DIMSEQueryBackend(peer: peer, retry: request.retry)
        var base: [QueryKey] = [QueryKey(.studyInstanceUID, studyUID)]
        if request.query.model == .patient, let patientID { base.append(QueryKey(.patientID, patientID)) }
        let series = try backend.find(QueryRequest(level: .series, model: request.query.model, keys: base))
        var expected: [PullExpected] = []
        for s in series.matches {
            guard let seriesUID = s.string(.seriesInstanceUID), !seriesUID.isEmpty else { continue }
            if !request.series.isEmpty && !request.series.contains(seriesUID) { continue }
            let images = try backend.find(QueryRequest(level: .image, model: request.query.model, keys: base + [QueryKey(.seriesInstanceUID, seriesUID)]))
            for m in images.matches {
                guard let sop = m.string(.sopInstanceUID), !sop.isEmpty else { continue }
                expected.append(PullExpected(sopInstanceUID: sop, seriesUID: seriesUID,
                                         relativePath: request.layout.relativePath(patientID: patientID, studyUID: studyUID, seriesUID: seriesUID, sopInstanceUID: sop)))
            }
            onListed(expected.count)
        }
        return expected
    }

    private struct StudyState {
        var studyUID: String
        var patientID: String?
        var total: Int
        var missing: [String: PullExpected]
        /// Instances listed per series.
        var seriesSize: [String: Int]
        var records: [TransferRecord] = []
        var notes: [String] = []
        var attempt = 1
        var subOperationFailures = 0
    }

    /// The identifiers that ask for exactly what is missing: the study when all of it is (and all
    /// of it was asked for), else per series the series when all of it is, or a list of its missing
    /// instances (at most 200 UIDs a request).
    private func identifiers(_ state: StudyState) throws(CMRError) -> [(DataSet, Int)] {
        func base(_ level: QueryLevel) -> [QueryKey] {
            var keys = [QueryKey(.studyInstanceUID, state.studyUID)]
            if request.query.model == .patient, let p = state.patientID { keys.append(QueryKey(.patientID, p)) }
            return keys
        }
        func identifier(_ level: QueryLevel, _ keys: [QueryKey]) throws(CMRError) -> DataSet {
            var ds = DataSet()
            ds.setString(.queryRetrieveLevel, level.dicomValue)
            for k in keys { ds.setString(k.tag, k.value ?? "") }
            return ds
        }
        // The whole study when all of it is missing (and all of it was asked for).
        if state.missing.count == state.total && request.series.isEmpty {
            return [(try identifier(.study, base(.study)), state.total)]
        }
        let bySeries = Dictionary(grouping: state.missing.values, by: \.seriesUID)
        var out: [(DataSet, Int)] = []
        for (series, items) in bySeries.sorted(by: { $0.key < $1.key }) {
            let keys = base(.series) + [QueryKey(.seriesInstanceUID, series)]
            if items.count == state.seriesSize[series] {
                out.append((try identifier(.series, keys), items.count))   // the whole series is missing
                continue
            }
            let uids = items.map(\.sopInstanceUID).sorted()
            for start in stride(from: 0, to: uids.count, by: 200) {
                let chunk = uids[start..<min(uids.count, start + 200)]
                var ds = try identifier(.image, keys)
                ds.setStrings(.sopInstanceUID, Array(chunk))
                out.append((ds, chunk.count))
            }
        }
        return out
    }

    private func retrieve(_ state: inout StudyState, scp: StorageSCP?) throws(CMRError) {
        defer { settle(&state) }
        let model = request.query.model
        let a: Association
        if scp != nil {
            a = try peer.associate(dimseTimeout: request.moveTimeout) { p in
                p.propose(model.moveUID, transferSyntaxes: [TransferSyntax.explicitVRLittleEndianUID, TransferSyntax.implicitVRLittleEndianUID])
            }
        } else {
            a = try peer.associate { p in RetrieveContexts.proposeGet(model.getUID, into: &p) }
        }
        lock.withLock { associations += 1 }
        let requests = try identifiers(state)
        try peer.using(a) {
            for (identifier, count) in requests {
                var receivedHere = 0
                let final: DIMSEResponse
                if case .move(let listen) = request.method, let scp {
                    final = try a.move(identifier, informationModel: model.moveUID, destination: listen.aeTitle) { _ in
                        receivedHere += self.drain(scp, &state)
                    }
                    receivedHere += drain(scp, &state)
                } else {
                    final = try a.get(identifier, informationModel: model.getUID, into: staging, durable: false) { instance, status in
                        self.stage(instance, ok: status.isSuccessOrWarning, &state)
                        if status.isSuccessOrWarning { receivedHere += 1 }
                    }
                }
                check(final, asked: count, written: receivedHere, &state)
            }
        }
    }

    /// Places what the move destination received since the last call; returns how many.
    private func drain(_ scp: StorageSCP, _ state: inout StudyState) -> Int {
        let all = scp.received
        let new = all.dropFirst(movedSeen)
        movedSeen = all.count
        for instance in new { received(instance, ok: true, &state) }
        return new.count
    }

    /// Compares the final response's sub-operation counts with what was asked for and written.
    private func check(_ final: DIMSEResponse, asked: Int, written: Int, _ state: inout StudyState) {
        let counts = final.command.subOperations
        let completed = Int(counts?.completed ?? 0), failed = Int(counts?.failed ?? 0), warning = Int(counts?.warning ?? 0)
        state.subOperationFailures += failed
        if !final.status.isSuccessOrWarning {
            state.notes.append("study \(state.studyUID): the peer ended the retrieve with status \(final.status.hex)" + (final.errorComment.map { " (\($0))" } ?? ""))
        }
        if failed > 0 || completed + warning != asked || written != asked {
            state.notes.append("study \(state.studyUID): asked for \(asked), the peer reports \(completed) completed, \(failed) failed, \(warning) warning; \(written) written")
        }
    }

    /// C-GET: hands a received (unsynced) file to the group commit, which links it into place
    /// once a batch is durable.
    private func stage(_ instance: ReceivedInstance, ok: Bool, _ state: inout StudyState) {
        guard usesGroupCommit, ok, let size = FileIdentity(path: instance.path)?.size else { return received(instance, ok: ok, &state) }
        var r = record(instance, state)
        r.path = request.output + "/" + relativePath(instance, state)
        stageForCommit(instance.path, bytes: size, record: r)
    }

    /// Commits what is staged and moves the records into the study's state.
    private func settle(_ state: inout StudyState) {
        for r in settleCommitted() {
            state.records.append(r)
            if r.status != .failed, let sop = r.sopInstanceUID { state.missing[sop] = nil }
        }
    }

    private func relativePath(_ instance: ReceivedInstance, _ state: StudyState) -> String {
        if let e = state.missing[instance.sopInstanceUID] { return e.relativePath }
        // Not listed by C-FIND (added since, or a peer that lists less): name it from the file.
        let ids = ReceivedFileIdentity(path: instance.path)
        return request.layout.relativePath(patientID: ids.patientID ?? state.patientID, studyUID: ids.studyUID ?? state.studyUID,
                                           seriesUID: ids.seriesUID, sopInstanceUID: instance.sopInstanceUID)
    }

    private func record(_ instance: ReceivedInstance, _ state: StudyState) -> TransferRecord {
        var r = TransferRecord(path: instance.path, status: .received, attempts: state.attempt)
        r.sopInstanceUID = instance.sopInstanceUID
        r.sopClassUID = instance.sopClassUID
        r.studyInstanceUID = state.studyUID
        r.transferSyntax = instance.transferSyntaxUID
        return r
    }

    /// Moves one received instance from staging into the layout and records it.
    private func received(_ instance: ReceivedInstance, ok: Bool, _ state: inout StudyState) {
        var r = record(instance, state)
        guard ok, FileManager.default.fileExists(atPath: instance.path) else {
            r.status = .failed
            r.comment = "could not be written" + (instance.failure.map { ": \($0)" } ?? "")
            r.exitStatus = 74
            state.records.append(r)
            onRecord(r)
            return
        }
        let relative = relativePath(instance, state)
        let final = request.output + "/" + relative
        r.path = final
        do {
            switch try FilePlacement.place(instance.path, at: final) {
            case .placed:
                if let d = FileDigest.sha256(final) {
                    r.sha256 = d.hex
                    r.bytes = d.size
                }
            case .exists:
                r.status = .exists
            }
            state.missing[instance.sopInstanceUID] = nil
        } catch {
            r.status = .failed
            r.comment = error.message
            r.exitStatus = error.exitStatus
        }
        state.records.append(r)
        onRecord(r)
    }
}

/// Patient ID, study, series and SOP class UIDs and the transfer syntax of a received file
/// (read up to the series UID only).
struct ReceivedFileIdentity {
    var patientID: String?
    var studyUID: String?
    var seriesUID: String?
    var sopClassUID: String?
    var transferSyntax: String?

    init(path: String) {
        let file = try? DICOMReader.read(contentsOf: path, options: ReadOptions(stopBeforeTag: Tag(0x0020, 0x0010)))
        patientID = file?.dataSet.string(.patientID)
        studyUID = file?.dataSet.string(.studyInstanceUID)
        seriesUID = file?.dataSet.string(.seriesInstanceUID)
        sopClassUID = file?.dataSet.string(.sopClassUID) ?? file?.meta.string(.mediaStorageSOPClassUID)
        transferSyntax = file?.meta.string(.transferSyntaxUID)
    }
}
