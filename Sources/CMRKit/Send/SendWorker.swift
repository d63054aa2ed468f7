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

/// What all workers of a run share: whether the run was stopped and why, and the association count.
final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var error: CMRError?
    private var passed = false
    private var opened = 0

    var isStopped: Bool { lock.withLock { error != nil } }
    var stopError: CMRError? { lock.withLock { error } }
    var deadlinePassed: Bool { lock.withLock { passed } }
    var associations: Int { lock.withLock { opened } }

    /// Stops the run (the first reason wins).
    func stop(_ e: CMRError, deadline: Bool = false) {
        lock.withLock {
            if error == nil { error = e }
            if deadline { passed = true }
        }
    }

    func countAssociation() { lock.withLock { opened += 1 } }
}

/// One worker: an association (a session) over its share of a group's files. A transient
/// failure (connection lost, A-ABORT, timeout, busy peer, out-of-resources status A7xx) is
/// retried after a backoff with jitter on a new session, continuing with the file not yet
/// acknowledged; a permanent one, or retries used up, stops the whole run.
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
        var carried: SendItem?
        let clock = ISO8601DateFormatter()
        clock.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        defer { session?.close() }
        while true {
            if state.isStopped {
                if let carried { queue.putBack(carried) }
                return
            }
            guard var item = carried ?? queue.take() else { return }
            carried = nil
            if request.deadline.hasPassed {
                queue.putBack(item)
                state.stop(Self.deadlineError, deadline: true)
                return
            }
            // Pauses before trying again; false when the run must stop instead.
            func retry(after error: CMRError) -> Bool {
                guard error.isTransient, failures < request.retry.retries else { return false }
                failures += 1
                guard request.deadline.sleep(request.retry.delay(attempt: failures)) else { return false }
                carried = item
                return true
            }
            func stop(_ error: CMRError) {
                queue.putBack(item)
                if request.deadline.hasPassed { state.stop(Self.deadlineError, deadline: true) } else { state.stop(error) }
            }
            if session == nil {
                do throws(CMRError) {
                    session = try destination.openSession(group: group, deadline: request.deadline)
                    state.countAssociation()
                } catch {
                    if retry(after: error) { continue }
                    stop(error)
                    return
                }
            }
            attempts[item.index, default: 0] += 1
            // A large file is hashed alongside its transfer, on another core.
            let digest = item.sha256 == nil ? DigestTask(item.source.storage) : nil
            defer { if let digest, carried != nil { carried!.sha256 = digest.value } }
            do throws(CMRError) {
                var record = try session!.store(item)
                if let digest {
                    item.sha256 = digest.value
                    record.sha256 = item.sha256
                }
                if record.status == .failed, record.peerStatus?.hasPrefix("A7") == true,
                   retry(after: CMRError(.temporaryFailure, record.comment ?? "out of resources")) {
                    continue
                }
                record.attempts = attempts[item.index] ?? 1
                if let journal, record.status == .stored || record.status == .warning {
                    try journal.record(Self.entry(item, record, time: clock.string(from: Date())))
                }
                failures = 0
                finished(record, item.index)
            } catch {
                session?.close()
                session = nil
                if retry(after: error) { continue }
                stop(error)
                return
            }
        }
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
