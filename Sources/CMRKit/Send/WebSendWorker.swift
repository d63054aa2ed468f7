import Foundation

/// One worker of a DICOMweb send: takes a batch of files from the shared queue, stores it with one
/// STOW-RS request, and accounts for each file by what the answer said about it. Files the answer
/// did not acknowledge are sent again after a transient failure (no answer, a timeout, 408, 429,
/// 5xx: backoff with jitter, or the server's `Retry-After`), after a 401 once the token command
/// gave a new token, and fail otherwise; 401, 403 and a URL that is no STOW-RS service stop the run.
struct WebSendWorker: @unchecked Sendable {
    let request: SendRequest
    let destination: WebDestination
    let queue: WorkQueue
    let state: RunState
    let journal: TransferJournal?
    let limiter: RateLimiter?
    let finished: (TransferRecord, Int) -> Void

    func run() {
        var session: WebStoreSession?
        var failures = 0
        var refreshed = false
        var attempts: [Int: Int] = [:]
        var carried: [SendItem] = []
        let clock = ISO8601DateFormatter()
        clock.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let options = request.web
        while true {
            if state.isStopped {
                queue.putBack(carried)
                return
            }
            var batch = carried.isEmpty
                ? queue.take(maxCount: options.batchCount, maxBytes: options.batchBytes, size: { Int64($0.source.storage.count) })
                : carried
            carried = []
            guard !batch.isEmpty else { return }
            if request.deadline.hasPassed {
                queue.putBack(batch)
                state.stop(SendWorker.deadlineError, deadline: true)
                return
            }
            // Pauses before sending `rest` again; false when the run must stop instead.
            func retry(_ rest: [SendItem], after error: CMRError, suggested: Double? = nil) -> Bool {
                guard error.isTransient, failures < request.retry.retries else { return false }
                failures += 1
                guard request.deadline.sleep(request.retry.delay(attempt: failures, suggested: suggested)) else { return false }
                carried = rest
                return true
            }
            func stop(_ rest: [SendItem], _ error: CMRError) {
                queue.putBack(rest)
                if request.deadline.hasPassed { state.stop(SendWorker.deadlineError, deadline: true) } else { state.stop(error) }
            }
            if session == nil {
                do throws(CMRError) {
                    session = try destination.openSession(deadline: request.deadline)
                    state.countAssociation()
                } catch {
                    if retry(batch, after: error) { continue }
                    stop(batch, error)
                    return
                }
            }
            limiter?.consume(Int(clamping: batch.reduce(0) { $0 + Int64($1.source.storage.count) }))
            for item in batch { attempts[item.index, default: 0] += 1 }
            // Large files not hashed by the scan are hashed while the request goes, on other cores.
            let digests = batch.map { $0.sha256 == nil ? DigestTask($0.source.storage) : nil }
            let outcome = Result { () throws(CMRError) in try session!.store(batch) }
            for (i, digest) in digests.enumerated() { if let digest { batch[i].sha256 = digest.value } }
            let answer: WebBatchAnswer
            switch outcome {
            case .success(let a):
                answer = a
            case .failure(let error):
                session = nil
                if retry(batch, after: error) { continue }
                stop(batch, error)
                return
            }
            var rest: [SendItem] = []
            var busy: [SendItem] = []   // refused with A7xx (out of resources): sent again after a pause
            for (item, record) in zip(batch, answer.records) {
                guard var record else { rest.append(item); continue }
                if record.status == .failed, record.exitStatus == 75, failures < request.retry.retries {
                    busy.append(item)
                    continue
                }
                record.sha256 = item.sha256
                record.attempts = attempts[item.index] ?? 1
                if let journal, record.status == .stored || record.status == .warning {
                    do throws(CMRError) {
                        try journal.record(SendWorker.entry(item, record, time: clock.string(from: Date())))
                    } catch {
                        stop([item] + rest, error)
                        return
                    }
                }
                finished(record, item.index)
            }
            if rest.count + busy.count < batch.count {   // progress: some files were answered for good
                failures = 0
                refreshed = false
            }
            guard !rest.isEmpty || !busy.isEmpty else { continue }
            guard let error = answer.error else {
                // 2xx, and the answer did not name these files.
                for item in rest { fail(item, attempts, answer.status, answer.unacknowledged) }
                if !busy.isEmpty && retry(busy, after: CMRError(.temporaryFailure, "the server is out of resources (Failure Reason A7xx)")) { continue }
                for item in busy { fail(item, attempts, answer.status, "refused by the server: out of resources (Failure Reason A7xx), after the retries") }
                continue
            }
            rest += busy
            if answer.status == 401, !refreshed {
                do throws(CMRError) {
                    if try destination.credentials.refresh(after: answer.generation) {
                        refreshed = true
                        carried = rest
                        continue
                    }
                } catch {
                    stop(rest, error)
                    return
                }
            }
            if error.isTransient {
                if retry(rest, after: error, suggested: answer.retryAfter) { continue }
                stop(rest, error)
                return
            }
            if error.stopsWebRun {
                stop(rest, error)
                return
            }
            // A refusal of this request's content (400, 409, 413, …): its unacknowledged files failed.
            for item in rest { fail(item, attempts, answer.status, answer.unacknowledged) }
        }
    }

    private func fail(_ item: SendItem, _ attempts: [Int: Int], _ status: Int?, _ reason: String) {
        var r = item.record(.failed, comment: reason)
        r.peerStatus = status.map(String.init)
        r.bytes = Int64(item.source.storage.count)
        r.transferSyntax = item.source.transferSyntaxUID
        r.attempts = attempts[item.index] ?? 1
        r.exitStatus = 1
        finished(r, item.index)
    }
}
