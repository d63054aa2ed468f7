/// Why a multipart body could not be parsed or written, and at which byte offset of the body.
public struct MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The Content-Type is not multipart or has no usable boundary.
        case badContentType
        /// Bytes after a boundary that are neither `--`, padding nor CRLF.
        case badDelimiterLine
        /// A part's header block is not `name: value` lines, or is too long.
        case badHeaders
        /// A part's Content-Length does not match its bytes.
        case lengthMismatch
        /// The body ended before the close delimiter.
        case truncated
        /// No boundary at all in the body.
        case noParts
        /// A receiver refused a part as too large.
        case partTooLarge
        /// The boundary occurs inside data being written (the writer must choose another).
        case boundaryInData
    }

    public var kind: Kind
    public var offset: Int
    public var message: String

    public init(_ kind: Kind, offset: Int, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String { "multipart: \(message) (at byte \(offset))" }
}
