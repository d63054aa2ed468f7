import Foundation
import DICOMCore

/// The files of one plan group still to send, shared by that group's workers.
final class WorkQueue: @unchecked Sendable {
    private var items: [SendItem]
    private var next = 0
    private var returned: [SendItem] = []
    private let lock = NSLock()

    init(_ items: [SendItem]) { self.items = items }

    var count: Int { items.count }

    func take() -> SendItem? {
        lock.withLock {
            if let item = returned.popLast() { return item }
            guard next < items.count else { return nil }
            next += 1
            return items[next - 1]
        }
    }

    /// Gives back a file a worker could not finish (its association failed for good).
    func putBack(_ item: SendItem) { lock.withLock { returned.append(item) } }

    /// The next files, in order, up to `maxCount` files and `maxBytes` bytes by `size` (a file
    /// larger than `maxBytes` comes alone): one STOW-RS request's worth.
    func take(maxCount: Int, maxBytes: Int64, size: (SendItem) -> Int64) -> [SendItem] {
        lock.withLock {
            var batch: [SendItem] = []
            var bytes: Int64 = 0
            while batch.count < max(1, maxCount) {
                guard let item = returned.last ?? (next < items.count ? items[next] : nil) else { break }
                if !batch.isEmpty && bytes + size(item) > maxBytes { break }
                if returned.isEmpty { next += 1 } else { returned.removeLast() }
                batch.append(item)
                bytes += size(item)
            }
            return batch
        }
    }

    /// Gives back files not finished, to be taken again in the same order.
    func putBack(_ batch: [SendItem]) { lock.withLock { returned.append(contentsOf: batch.reversed()) } }
}

/// What all workers of a run share: whether the run was stopped and why, the association count
/// and the largest asynchronous operations window used on one.
final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var error: CMRError?
    private var passed = false
    private var opened = 0
    private var widest = 0

    var isStopped: Bool { lock.withLock { error != nil } }
    var stopError: CMRError? { lock.withLock { error } }
    var deadlinePassed: Bool { lock.withLock { passed } }
    var associations: Int { lock.withLock { opened } }
    /// The largest window a session used (0: no session was opened).
    var window: Int { lock.withLock { widest } }

    /// Stops the run (the first reason wins).
    func stop(_ e: CMRError, deadline: Bool = false) {
        lock.withLock {
            if error == nil { error = e }
            if deadline { passed = true }
        }
    }

    func countAssociation(window: Int = 1) { lock.withLock { opened += 1; widest = max(widest, window) } }
}

/// One worker: an association (a session) over its share of a group's files, with up to the
/// session's window of C-STORE requests in flight. Only a response makes a file done (recorded,
/// journaled). A transient failure (connection lost, A-ABORT, timeout, busy peer, out-of-resources
/// status A7xx) is retried after a backoff with jitter on a new session, beginning with every file
/// that was in flight and not acknowledged; a permanent one, or retries used up, stops the whole
/// run, and the files in flight go back to the queue (reported not sent).
struct SendWorker: @unchecked Sendable {
    let request: SendRequest
    let destination: StoreDestination
    let group: Int
    let queue: WorkQueue
    let state: RunState
    let journal: TransferJournal?
    let finished: (TransferRecord, Int) -> Void

    static let deadlineError = CMRError(.temporaryFailure, "the run's deadline (--deadline) passed",
                                        hint: "run it again to send the rest, or allow more time")

    func run() {
        var session: StoreSession?
        var failures = 0
        var attempts: [Int: Int] = [:]
        // Large files are hashed alongside their transfer, on another core, until their response.
        var digests: [Int: DigestTask] = [:]
        // Files not acknowledged on a session that failed (or refused A7xx): sent first, in scan order.
        var carried: [SendItem] = []
        let clock = ISO8601DateFormatter()
        clock.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        defer { session?.close() }

        func hashed(_ item: SendItem) -> SendItem {
            var i = item
            if let digest = digests.removeValue(forKey: i.index) { i.sha256 = digest.value }
            return i
        }
        func carry(_ items: [SendItem]) {
            carried = (carried + items.map(hashed)).sorted { $0.index < $1.index }
        }
        func stop(_ error: CMRError) {
            if request.deadline.hasPassed { state.stop(Self.deadlineError, deadline: true) } else { state.stop(error) }
        }
        // Pauses before trying again; false when it may not (retries used up, not transient, deadline, run stopped).
        func pause(after error: CMRError) -> Bool {
            guard !state.isStopped, error.isTransient, failures < request.retry.retries else { return false }
            failures += 1
            return request.deadline.sleep(request.retry.delay(attempt: failures))
        }
        // The session failed: what was in flight was not acknowledged and goes first next time.
        func sessionFailed(_ error: CMRError) {
            carry(session?.outstanding ?? [])
            session?.close()
            session = nil
            if !pause(after: error) { stop(error) }
        }
        // A response (or a file settled without a request): recorded, journaled, done.
        func handle(_ answered: SendItem, _ answer: TransferRecord) throws(CMRError) {
            let item = hashed(answered)
            var record = answer
            record.sha256 = item.sha256
            if record.status == .failed, record.peerStatus?.hasPrefix("A7") == true,
               pause(after: CMRError(.temporaryFailure, record.comment ?? "out of resources")) {
                carry([item])
                return
            }
            record.attempts = attempts[item.index] ?? 1
            if let journal, record.status == .stored || record.status == .warning {
                try journal.record(Self.entry(item, record, time: clock.string(from: Date())))
            }
            failures = 0
            finished(record, item.index)
        }

        while true {
            let hasRoom = !state.isStopped && (session.map { $0.outstanding.count < $0.window } ?? true)
            if hasRoom, let item = carried.isEmpty ? queue.take() : carried.removeFirst() {
                if request.deadline.hasPassed {
                    carry([item])
                    state.stop(Self.deadlineError, deadline: true)
                    continue
                }
                if session == nil {
                    do throws(CMRError) {
                        let opened = try destination.openSession(group: group, deadline: request.deadline)
                        session = opened
                        state.countAssociation(window: opened.window)
                    } catch {
                        carry([item])
                        if !pause(after: error) { stop(error) }
                        continue
                    }
                }
                attempts[item.index, default: 0] += 1
                if item.sha256 == nil && digests[item.index] == nil { digests[item.index] = DigestTask(item.source.storage) }
                do throws(CMRError) {
                    if let settled = try session!.submit(item) { try handle(item, settled) }
                    // Take in what has already come back, so the journal keeps up while the window stays full.
                    while let s = session, !s.outstanding.isEmpty, try s.responseIsWaiting() {
                        let (answered, record) = try s.nextResponse()
                        try handle(answered, record)
                    }
                } catch {
                    sessionFailed(error)
                }
                continue
            }
            // Nothing more goes out now: wait for a response, or end.
            guard let s = session, !s.outstanding.isEmpty else { break }
            do throws(CMRError) {
                let (answered, record) = try s.nextResponse()
                try handle(answered, record)
            } catch {
                sessionFailed(error)
            }
        }
        // A stopped run leaves what this worker did not finish to be reported as not sent.
        if !carried.isEmpty { queue.putBack(carried) }
    }

    static func entry(_ item: SendItem, _ r: TransferRecord, time: String) -> TransferJournal.Entry {
        TransferJournal.Entry(path: item.path, sha256: item.sha256 ?? "", size: item.identity?.size ?? item.bytes,
                              sop: item.source.sopInstanceUID, status: r.peerStatus ?? "0000", syntax: r.transferSyntax,
                              time: time, dev: item.identity?.device, ino: item.identity?.inode, mtime: item.identity?.mtime)
    }
}

/// The SHA-256 of a mapped file, computed on a global queue; `value` waits for it.
final class DigestTask: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result = ""
    private var taken: String?

    init(_ storage: ByteStorage) {
        DispatchQueue.global().async {
            self.result = FileDigest.sha256(storage)
            self.done.signal()
        }
    }

    var value: String {
        if let taken { return taken }
        done.wait()
        taken = result
        return result
    }
}
