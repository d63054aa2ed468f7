#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CMRKit

/// Where a stream's bytes go: a file descriptor, or memory for tests. Not locked: its owner
/// (`Output`, `ErrorStream`) serialises writes.
final class ByteSink: @unchecked Sendable {
    private let descriptor: Int32?
    private(set) var captured: [UInt8] = []
    /// The `errno` of the first failed write; later writes are dropped.
    private(set) var failure: Int32?

    init(descriptor: Int32) { self.descriptor = descriptor }
    init() { self.descriptor = nil }

    func write(_ bytes: [UInt8]) {
        guard failure == nil, !bytes.isEmpty else { return }
        guard let descriptor else {
            captured.append(contentsOf: bytes)
            return
        }
        failure = bytes.withUnsafeBytes { writeAll(descriptor, $0) }
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    var capturedText: String { String(decoding: captured, as: UTF8.self) }
}

/// Writes all of `buffer`, retrying after signals; the `errno` of a failure.
private func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
    var offset = 0
    while offset < buffer.count {
        let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += written
    }
    return nil
}

/// Standard input: the process's, or bytes given by a test.
struct InputSource: Sendable {
    private let bytes: [UInt8]?

    static let process = InputSource(bytes: nil)
    static func memory(_ bytes: [UInt8]) -> InputSource { InputSource(bytes: bytes) }

    /// Everything up to end of file.
    func readAll() throws(CMRError) -> [UInt8] {
        if let bytes { return bytes }
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count == 0 { return all }
            if count < 0 {
                if errno == EINTR { continue }
                throw CMRError(.ioError, "cannot read standard input: \(String(cString: strerror(errno)))")
            }
            all.append(contentsOf: chunk[..<count])
        }
    }
}
