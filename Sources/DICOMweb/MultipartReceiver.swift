/// Where `MultipartParser` hands the parts: headers when a part begins, its bytes as they arrive
/// (in pieces of any size), and its end. Throwing stops the parse with that error.
public protocol MultipartReceiver {
    mutating func partBegan(_ headers: MultipartHeaders) throws
    mutating func partBytes(_ bytes: UnsafeRawBufferPointer) throws
    mutating func partEnded() throws
}

/// Collects parts in memory (for small responses and tests).
public struct MultipartCollector: MultipartReceiver {
    public struct Part: Sendable, Equatable {
        public var headers: MultipartHeaders
        public var body: [UInt8]
    }

    public var parts: [Part] = []
    /// Parts larger than this are refused (the parse fails) instead of filling memory.
    public var maximumPartSize: Int

    public init(maximumPartSize: Int = 64 << 20) { self.maximumPartSize = maximumPartSize }

    public mutating func partBegan(_ headers: MultipartHeaders) throws {
        parts.append(Part(headers: headers, body: []))
    }

    public mutating func partBytes(_ bytes: UnsafeRawBufferPointer) throws {
        guard parts[parts.count - 1].body.count + bytes.count <= maximumPartSize else {
            throw MultipartError(.partTooLarge, offset: 0, "a part is larger than \(maximumPartSize) bytes")
        }
        parts[parts.count - 1].body.append(contentsOf: bytes)
    }

    public mutating func partEnded() throws {}
}
