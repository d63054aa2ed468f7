#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One reading of the clocks a record carries.
public struct AuditClockReading: Sendable, Hashable {
    /// Wall time, milliseconds since the Unix epoch (UTC).
    public var milliseconds: Int64
    /// A clock that never goes backwards within one boot, in nanoseconds.
    public var monotonic: UInt64
    /// Identifies the boot `monotonic` belongs to.
    public var boot: String

    public init(milliseconds: Int64, monotonic: UInt64, boot: String) {
        self.milliseconds = milliseconds
        self.monotonic = monotonic
        self.boot = boot
    }
}

/// Where `AuditLog` gets the time. `SystemAuditClock` in production; tests pass their own.
public protocol AuditClock: Sendable {
    func now() -> AuditClockReading
}

/// CLOCK_REALTIME, CLOCK_BOOTTIME (CLOCK_MONOTONIC off Linux) and the kernel's boot id.
public struct SystemAuditClock: AuditClock {
    /// `/proc/sys/kernel/random/boot_id`, or "unknown" where there is none.
    public let boot: String

    public init() {
        boot = Self.readBootID() ?? "unknown"
    }

    public func now() -> AuditClockReading {
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        var steady = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_BOOTTIME, &steady)
        #else
        clock_gettime(CLOCK_MONOTONIC, &steady)
        #endif
        return AuditClockReading(
            milliseconds: Int64(wall.tv_sec) * 1000 + Int64(wall.tv_nsec) / 1_000_000,
            monotonic: UInt64(steady.tv_sec) * 1_000_000_000 + UInt64(steady.tv_nsec),
            boot: boot)
    }

    static func readBootID() -> String? {
        guard let bytes = try? POSIXFile.readAll(path: "/proc/sys/kernel/random/boot_id") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
        return text.isEmpty ? nil : text
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
