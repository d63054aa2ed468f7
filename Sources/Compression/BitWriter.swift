/// Packs bit fields least-significant-bit first, as DEFLATE wants, into a growable byte buffer.
///
/// `write` stores whole 32-bit words, so callers reserve room (4 bytes per write) beforehand with
/// `reserve`; the writer owns raw memory, freed by `deallocate()`.
struct BitWriter {
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Bytes completed in `bytes`.
    var count = 0
    /// Pending bits, fewer than 32 between calls.
    private var bits: UInt64 = 0
    private(set) var bitCount = 0

    init(capacity: Int) {
        self.capacity = capacity
        bytes = .allocate(capacity: capacity)
    }

    func deallocate() {
        bytes.deallocate()
    }

    /// Makes room for `extra` more bytes.
    mutating func reserve(_ extra: Int) {
        let needed = count + extra + 8
        guard needed > capacity else { return }
        let newCapacity = max(needed, capacity * 2)
        let newBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBytes.update(from: bytes, count: count)
        bytes.deallocate()
        bytes = newBytes
        capacity = newCapacity
    }

    /// Appends the low `n` bits of `value` (n ≤ 32; higher bits of `value` must be zero).
    @inline(__always)
    mutating func write(_ value: UInt64, _ n: Int) {
        bits |= value &<< UInt64(bitCount)
        bitCount += n
        if bitCount >= 32 {
            UnsafeMutableRawPointer(bytes + count).storeBytes(
                of: UInt32(truncatingIfNeeded: bits).littleEndian, as: UInt32.self)
            count += 4
            bits &>>= 32
            bitCount -= 32
        }
    }

    /// Pads with zero bits to a byte boundary and completes all pending bytes.
    mutating func alignToByte() {
        while bitCount > 0 {
            bytes[count] = UInt8(truncatingIfNeeded: bits)
            count += 1
            bits &>>= 8
            bitCount = max(bitCount - 8, 0)
        }
        bits = 0
    }

    /// Appends bytes; the writer must be byte-aligned.
    mutating func writeBytes(_ source: UnsafePointer<UInt8>, count n: Int) {
        alignToByte()
        (bytes + count).update(from: source, count: n)
        count += n
    }
}
