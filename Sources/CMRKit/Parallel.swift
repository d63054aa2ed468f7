import Foundation

/// Fixed-size slots filled from several threads.
final class ResultBox<T>: @unchecked Sendable {
    private var storage: [T?]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: T) { lock.lock(); storage[i] = v; lock.unlock() }
    func get(_ i: Int) -> T? { lock.lock(); defer { lock.unlock() }; return storage[i] }
    var values: [T?] { lock.lock(); defer { lock.unlock() }; return storage }
}

/// A counter shared by worker threads.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    /// Adds one and returns the new value.
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}

/// Errors reported from another thread after the fact, by integer key (the group committer's tokens).
final class LateErrors: @unchecked Sendable {
    private var errors: [Int: Error] = [:]
    private let lock = NSLock()
    func add(_ key: Int, _ error: Error) { lock.lock(); errors[key] = error; lock.unlock() }
    var all: [Int: Error] { lock.lock(); defer { lock.unlock() }; return errors }
}

/// `body(i)` for `0..<count` on `jobs` threads (0: one per core), results in order; `progress(done)`
/// is called from the workers after each item. The one worker loop of cmr's batch commands.
func parallelMap<T>(_ count: Int, jobs: Int, _ body: @escaping (Int) -> T, progress: @escaping @Sendable (Int) -> Void) -> [T] {
    let workers = max(1, min(jobs > 0 ? jobs : ProcessInfo.processInfo.activeProcessorCount, count))
    if workers == 1 {
        var out: [T] = []
        for i in 0..<count { out.append(body(i)); progress(i + 1) }
        return out
    }
    let results = ResultBox<T>(count: count)
    let next = Counter(), done = Counter()
    nonisolated(unsafe) let body = body
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            let i = next.increment() - 1
            guard i < count else { break }
            results.set(i, body(i))
            progress(done.increment())
        }
    }
    return results.values.map { $0! }
}
