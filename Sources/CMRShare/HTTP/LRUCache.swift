import Foundation

/// A thread-safe cache of at most `capacity` entries that drops the least recently used first.
/// Small capacities (hundreds): eviction scans the entries.
final class LRUCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    let capacity: Int
    private let lock = NSLock()
    private var entries: [Key: (value: Value, used: UInt64)] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func value(_ key: Key) -> Value? {
        lock.withLock {
            guard let e = entries[key] else { return nil }
            clock += 1
            entries[key] = (e.value, clock)
            return e.value
        }
    }

    func set(_ key: Key, _ value: Value) {
        lock.withLock {
            clock += 1
            entries[key] = (value, clock)
            if entries.count > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
                entries[oldest] = nil
            }
        }
    }

    var count: Int { lock.withLock { entries.count } }
}
