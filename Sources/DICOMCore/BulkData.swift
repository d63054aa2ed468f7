/// A value left in its source instead of copied: pixel data, overlays, waveforms, large blobs.
///
/// `swapUnit` > 1 means the source is big-endian and each unit of that size is swapped when the
/// bytes are read, so every consumer sees the little-endian bytes the data model uses.
public struct BulkData: Sendable {
    public let storage: ByteStorage
    public let offset: Int
    public let count: Int
    public let swapUnit: Int

    public init(storage: ByteStorage, offset: Int, count: Int, swapUnit: Int = 1) {
        precondition(offset >= 0 && count >= 0 && offset + count <= storage.count)
        self.storage = storage
        self.offset = offset
        self.count = count
        self.swapUnit = swapUnit
    }

    /// Calls `body` with the little-endian bytes; no copy unless the source needs byte-swapping.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let raw = storage.buffer(offset..<(offset + count))
        if swapUnit <= 1 {
            return try withExtendedLifetime(storage) { try body(raw) }
        }
        let swapped = ByteSwap.swapped(raw, unit: swapUnit)
        return try swapped.withUnsafeBytes { try body($0) }
    }

    /// A little-endian copy of the bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }
}

/// Byte-order conversion between little- and big-endian encodings.
public enum ByteSwap {
    /// `bytes` with each `unit`-byte group reversed; a trailing partial group is left as it is.
    public static func swapped(_ bytes: UnsafeRawBufferPointer, unit: Int) -> [UInt8] {
        var out = Array(bytes)
        swapInPlace(&out, unit: unit)
        return out
    }

    public static func swapInPlace(_ bytes: inout [UInt8], unit: Int) {
        guard unit > 1 else { return }
        let whole = bytes.count - bytes.count % unit
        bytes.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i < whole {
                var a = i, b = i + unit - 1
                while a < b { p.swapAt(a, b); a += 1; b -= 1 }
                i += unit
            }
        }
    }
}
