/// Decodes one encoded frame of one compressed transfer syntax into native pixel data.
///
/// `encoded` is the whole frame: the fragments that make it up, already joined. Decoders never
/// crash on bad input; they throw `ImagingError` with the byte offset where decoding failed.
public protocol FrameDecoder: Sendable {
    /// The transfer syntax UIDs this decoder reads.
    static var transferSyntaxUIDs: [String] { get }
    func decode(_ encoded: [UInt8], as description: ImagePixelDescription) throws -> NativeFrame
}
