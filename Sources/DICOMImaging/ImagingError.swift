/// Why pixels could not be produced, with the frame and byte offset where it is known.
public struct ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The transfer syntax has no decoder here (JPEG 2000, HTJ2K, MPEG…).
        case unsupportedTransferSyntax
        /// The attributes describing the pixels are missing or contradict each other.
        case invalidDescription
        /// The encoded stream is corrupt or truncated.
        case corruptData
        /// The requested frame does not exist.
        case frameOutOfRange
    }

    public var kind: Kind
    public var message: String
    public var frame: Int?
    public var offset: Int?

    public init(_ kind: Kind, _ message: String, frame: Int? = nil, offset: Int? = nil) {
        self.kind = kind
        self.message = message
        self.frame = frame
        self.offset = offset
    }

    public var description: String {
        var text = message
        if let frame { text += " (frame \(frame)" + (offset.map { ", byte \($0))" } ?? ")") }
        else if let offset { text += " (byte \(offset))" }
        return text
    }
}
