import Foundation
import DICOMCoding
import DICOMNetwork

/// `cmr send`: scan, skip what the journal says the peer has, propose what was found, store over
/// one or more associations with retries on transient failures, and account for every file
/// (docs/transfer.md). Never prints: progress goes to the closure passed in, the rest into the result.
public final class SendOperation: @unchecked Sendable {
    public let request: SendRequest

    /// Checks what can be checked before anything is read or sent.
    public init(_ request: SendRequest) throws(CMRError) {
        if case .web(let url) = request.destination {
            try WebDestination.check(url, allowInsecure: request.web.allowInsecure)
            guard request.web.batchCount >= 1, request.web.batchBytes >= 1 else {
                throw CMRError(.usage, "--batch-count and --batch-bytes must be at least 1")
            }
        }
        guard request.associations >= 1 else {
            throw CMRError(.usage, "--associations must be at least 1")
        }
        guard (1...Int(UInt16.max)).contains(request.window) else {
            throw CMRError(.usage, "--window must be from 1 to 65535")
        }
        self.request = request
    }

    /// Runs the send. Throws only for what stops it before any file is sent (the lock is held by
    /// another run: 75; the journal cannot be opened: 73); everything later is in the result.
    /// `willSend` is called once after the scan, before the first file goes (not when nothing is
    /// left to send); what it throws ends the run there.
    public func run(readStdin: () -> [UInt8], willSend: (SendStart) throws(CMRError) -> Void = { _ throws(CMRError) in },
                    progress: @escaping @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws(CMRError) -> SendResult {
        let started = Date()
        var lock: RunLock?
        if let journalPath = request.journalPath {
            try Self.makeFolder(of: journalPath)
            lock = try RunLock(path: journalPath + ".lock", what: "sending to \(request.destination)", wait: request.waitLock)
        }
        defer { _ = lock }
        // DICOMweb credentials are read (the token command run) before anything is scanned.
        var credentials: WebCredentialBox?
        if case .web = request.destination { credentials = try WebCredentialBox(request.web.credentials) }
        let journal = try request.resume ? request.journalPath.map { p throws(CMRError) in try TransferJournal(path: p) } : nil

        // Scan, then skip what was acknowledged before.
        let scan = SendScanner(nulSeparated: request.nulSeparated, journal: journal).scan(request.inputs, readStdin: readStdin)
        let total = scan.count
        let records = ResultBox<TransferRecord>(count: total)
        for (i, r) in scan.failures { records.set(i, r) }
        var toSend: [SendItem] = []
        for item in scan.items {
            if let journal, let digest = item.sha256, journal.contains(sop: item.source.sopInstanceUID, sha256: digest) {
                var r = item.record(.skipped, comment: "acknowledged by the peer in an earlier run (journal)")
                r.bytes = item.bytes
                records.set(item.index, r)
            } else {
                toSend.append(item)
            }
        }
        let done = Counter()
        for _ in 0..<(total - toSend.count) { progress(done.increment(), total) }

        if !toSend.isEmpty {
            var studies: [String: Int] = [:]
            for item in toSend { studies[item.studyInstanceUID ?? "", default: 0] += 1 }
            try willSend(SendStart(files: toSend.count, bytes: toSend.reduce(0) { $0 + $1.bytes }, studies: studies,
                                   destination: request.destination.description))
        }

        let limiter = request.maxRate.map { RateLimiter(bytesPerSecond: $0) }
        let state = RunState()
        let finished: (TransferRecord, Int) -> Void = { r, index in
            records.set(index, r)
            progress(done.increment(), total)
        }
        switch request.destination {
        case .web(let url):
            // STOW-RS: batches from one queue, over `associations` requests at once.
            let destination = WebDestination(url: url, options: request.web, timeouts: request.timeouts, credentials: credentials!)
            let queue = WorkQueue(toSend)
            let worker = WebSendWorker(request: request, destination: destination, queue: queue, state: state, journal: journal,
                                       limiter: limiter, finished: finished)
            let workers = min(request.associations, toSend.count)
            if workers <= 1 { worker.run() } else { DispatchQueue.concurrentPerform(iterations: workers) { _ in worker.run() } }
        case .dimse(let address):
            runDIMSE(address, toSend, limiter: limiter, state: state, journal: journal, finished: finished)
        }
        journal?.sync()

        // What a stopped run did not send is failed, with the reason.
        let stop = state.stopError
        for item in toSend where records.get(item.index) == nil {
            var r = item.record(.failed, comment: "not sent: " + (stop?.message ?? "the run ended"))
            r.exitStatus = stop?.exitStatus ?? 1
            records.set(item.index, r)
        }

        var summary = TransferSummary(command: "send", peer: request.destination.description)
        let all = records.values.compactMap { $0 }
        for r in all { summary.count(r) }
        summary.seconds = Date().timeIntervalSince(started)
        summary.associations = state.associations
        if case .dimse = request.destination, state.associations > 0 { summary.window = state.window }
        summary.stoppedBecause = stop?.message
        summary.exitStatus = Self.exitStatus(all, summary: summary, stop: stop, deadlinePassed: state.deadlinePassed)
        let mode: String? = !scan.items.isEmpty && scan.items.allSatisfy(\.identityRemoved) ? "deidentified" : nil
        var result = SendResult(records: all, summary: summary, notes: scan.notes, stoppedBy: stop, mode: mode)
        for item in scan.items { if let study = item.studyInstanceUID, let id = item.patientID { result.patientIDs[study] = id } }
        return result
    }

    /// Proposes what was found, group by group, each over `associations` parallel associations.
    private func runDIMSE(_ address: DIMSEAddress, _ toSend: [SendItem], limiter: RateLimiter?, state: RunState,
                          journal: TransferJournal?, finished: @escaping (TransferRecord, Int) -> Void) {
        let plan = PresentationPlan(pairs: toSend.map { ($0.source.sopClassUID, $0.source.transferSyntaxUID) })
        let destination = DIMSEDestination(address: address, callingAETitle: request.callingAETitle, timeouts: request.timeouts,
                                           plan: plan, limiter: limiter, transcode: request.transcode, window: request.window)
        for g in plan.groups.indices where !state.isStopped {
            let queue = WorkQueue(toSend.filter { plan.group(of: $0.source.sopClassUID) == g })
            let workers = min(request.associations, queue.count)
            let worker = SendWorker(request: request, destination: destination, group: g, queue: queue, state: state,
                                    journal: journal, finished: finished)
            if workers <= 1 {
                worker.run()
            } else {
                DispatchQueue.concurrentPerform(iterations: workers) { _ in worker.run() }
            }
        }
    }

    /// 0 when nothing failed; 75 when the deadline cut the run; 1 when some were stored and some not;
    /// when none was stored, the error that stopped the run, else the failures' common status, else 1.
    static func exitStatus(_ records: [TransferRecord], summary: TransferSummary, stop: CMRError?, deadlinePassed: Bool) -> Int32 {
        if summary.failed == 0 { return 0 }
        if deadlinePassed { return 75 }
        if summary.stored + summary.warnings > 0 { return 1 }
        if let stop { return stop.exitStatus }
        let statuses = Set(records.filter(\.isFailure).map { $0.exitStatus ?? 1 })
        return statuses.count == 1 ? statuses.first! : 1
    }
}

extension SendOperation {
    /// The journal's folder (mode 0700), made before its lock is taken there.
    static func makeFolder(of path: String) throws(CMRError) {
        let folder = FilePath.directory(of: path)
        guard !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CMRError(.cannotCreateOutput, "\(folder): cannot create the journal folder: \(error.localizedDescription)",
                           hint: "name another journal with --journal FILE")
        }
    }
}
