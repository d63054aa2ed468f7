import Foundation

/// An incremental `multipart/related` (RFC 2046 §5.1, RFC 2387) parser: feed it the body in
/// chunks of any size; it hands each part's headers and bytes to a `MultipartReceiver` as they
/// arrive and keeps only the current part's header block (at most `maximumHeaderSize`) and a
/// count of held-back delimiter bytes. Time is linear in the input: every byte is looked at a
/// bounded number of times, whatever the chunking (see `DelimiterMatcher`).
///
/// Handles a preamble before the first boundary, transport padding after boundaries, parts with
/// no headers, an epilogue after the close delimiter (ignored), and checks Content-Length when a
/// part declares one. Malformed input throws `MultipartError`; it never traps.
public struct MultipartParser {
    public let boundary: String
    public var maximumHeaderSize = 64 << 10

    private enum State {
        case preamble
        /// Right after a boundary: `--`, padding, or CRLF.
        case afterBoundary
        case closeDash
        case padding
        case paddingCR
        case headers
        case body
        case epilogue
    }

    private var state = State.preamble
    private var matcher: DelimiterMatcher
    private var headerBytes: [UInt8] = []
    private var partLength = 0
    private var declaredLength: Int?
    /// Bytes of body consumed so far (for error offsets).
    public private(set) var offset = 0
    public private(set) var partCount = 0

    public init(boundary: String) throws {
        guard !boundary.isEmpty, boundary.utf8.count <= 200 else {
            throw MultipartError(.badContentType, offset: 0, "boundary must be 1 to 200 characters")
        }
        self.boundary = boundary
        matcher = DelimiterMatcher(Array("\r\n--\(boundary)".utf8))
        // The first boundary may open the body without a CRLF before it: start as if one was seen.
        matcher.matched = 2
    }

    /// A parser for a response whose Content-Type is `multipart/...; boundary=...`.
    public init(contentType: String) throws {
        guard let media = MediaType(parsing: contentType), media.type == "multipart" else {
            throw MultipartError(.badContentType, offset: 0, "Content-Type is not multipart: \(contentType)")
        }
        guard let b = media.parameter("boundary") else {
            throw MultipartError(.badContentType, offset: 0, "Content-Type has no boundary: \(contentType)")
        }
        try self.init(boundary: b)
    }

    public var isComplete: Bool { state == .epilogue }

    /// Work done by the delimiter search so far (comparisons and jumps): at most a small
    /// constant times the bytes fed, whatever the chunking.
    var searchSteps: Int { matcher.steps }

    public mutating func feed(_ bytes: [UInt8], into receiver: inout some MultipartReceiver) throws {
        try bytes.withUnsafeBytes { try feed($0, into: &receiver) }
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer, into receiver: inout some MultipartReceiver) throws {
        var i = 0
        let n = chunk.count
        defer { offset += n }
        while i < n {
            switch state {
            case .epilogue:
                return
            case .preamble:
                i = matcher.scan(chunk, from: i) { event in
                    if case .found = event { state = .afterBoundary }
                }
            case .body:
                let pattern = matcher.pattern
                var found = false
                i = try matcher.scan(chunk, from: i) { event in
                    switch event {
                    case .data(let r):
                        partLength += r.count
                        try receiver.partBytes(UnsafeRawBufferPointer(rebasing: chunk[r]))
                    case .patternPrefix(let k):
                        partLength += k
                        try pattern.withUnsafeBytes { try receiver.partBytes(UnsafeRawBufferPointer(rebasing: $0[0..<k])) }
                    case .found:
                        found = true
                    }
                }
                if found {
                    if let d = declaredLength, d != partLength {
                        throw MultipartError(.lengthMismatch, offset: offset + i,
                                             "part \(partCount) has Content-Length \(d) but \(partLength) bytes")
                    }
                    try receiver.partEnded()
                    state = .afterBoundary
                }
            case .afterBoundary:
                let b = chunk[i]
                i += 1
                switch b {
                case UInt8(ascii: "-"): state = .closeDash
                case 0x20, 0x09: state = .padding
                case 0x0D: state = .paddingCR
                default: throw badLine(i - 1, b)
                }
            case .closeDash:
                let b = chunk[i]
                i += 1
                guard b == UInt8(ascii: "-") else { throw badLine(i - 1, b) }
                state = .epilogue
            case .padding:
                let b = chunk[i]
                i += 1
                switch b {
                case 0x20, 0x09: break
                case 0x0D: state = .paddingCR
                default: throw badLine(i - 1, b)
                }
            case .paddingCR:
                let b = chunk[i]
                i += 1
                guard b == 0x0A else { throw badLine(i - 1, b) }
                state = .headers
                headerBytes.removeAll(keepingCapacity: true)
            case .headers:
                // Up to the empty line: CRLF at the very start (no headers) or CRLF CRLF.
                while i < n {
                    headerBytes.append(chunk[i])
                    i += 1
                    let c = headerBytes.count
                    guard c >= 2, headerBytes[c - 1] == 0x0A, headerBytes[c - 2] == 0x0D else {
                        if c > maximumHeaderSize {
                            throw MultipartError(.badHeaders, offset: offset + i, "part \(partCount + 1) headers exceed \(maximumHeaderSize) bytes")
                        }
                        continue
                    }
                    if c == 2 || (c >= 4 && headerBytes[c - 3] == 0x0A && headerBytes[c - 4] == 0x0D) {
                        try beginPart(at: offset + i, into: &receiver)
                        break
                    }
                }
            }
        }
    }

    private mutating func beginPart(at position: Int, into receiver: inout some MultipartReceiver) throws {
        let block = headerBytes.count == 2 ? headerBytes[0..<0] : headerBytes[0..<(headerBytes.count - 4)]
        guard let headers = MultipartHeaders.parse(block) else {
            throw MultipartError(.badHeaders, offset: position, "part \(partCount + 1) has a header line that is not name: value")
        }
        if let raw = headers["Content-Length"] {
            guard let d = Int(raw.trimmingCharacters(in: .whitespaces)), d >= 0 else {
                throw MultipartError(.badHeaders, offset: position, "part \(partCount + 1) has Content-Length \(raw)")
            }
            declaredLength = d
        } else {
            declaredLength = nil
        }
        partCount += 1
        partLength = 0
        state = .body
        matcher.matched = 0
        try receiver.partBegan(headers)
    }

    private func badLine(_ at: Int, _ b: UInt8) -> MultipartError {
        MultipartError(.badDelimiterLine, offset: offset + at,
                       "byte 0x\(String(b, radix: 16)) after a boundary (expected --, padding or CRLF)")
    }

    /// Call at the end of the body: throws unless the close delimiter was seen.
    public func finish() throws {
        switch state {
        case .epilogue: return
        case .preamble:
            throw MultipartError(.noParts, offset: offset, "no boundary \"\(boundary)\" in the body")
        default:
            throw MultipartError(.truncated, offset: offset, "the body ended inside part \(max(partCount, 1)) (no close delimiter)")
        }
    }
}
