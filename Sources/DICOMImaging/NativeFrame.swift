/// One frame as native (uncompressed) pixel data: little-endian samples of `description.bitsAllocated`
/// bits, laid out as `description.planarConfiguration` says, in `description.photometricInterpretation`.
public struct NativeFrame: Sendable, Equatable {
    public var description: ImagePixelDescription
    public var bytes: [UInt8]

    public init(description: ImagePixelDescription, bytes: [UInt8]) {
        self.description = description
        self.bytes = bytes
    }
}
