/// How a data set is encoded (PS3.5 §10): VR explicit or implicit, byte order, deflate,
/// and whether pixel data is encapsulated.
public struct TransferSyntax: Hashable, Sendable, CustomStringConvertible {
    public let uid: String
    public let isExplicitVR: Bool
    public let isBigEndian: Bool
    public let isDeflated: Bool
    /// Pixel data is encapsulated in fragments (compressed, or Encapsulated Uncompressed).
    public let isEncapsulated: Bool

    public init(uid: String) {
        var u = Substring(uid)
        while let l = u.last, l == " " || l == "\0" { u = u.dropLast() }
        while let f = u.first, f == " " { u = u.dropFirst() }
        let uid = String(u)
        self.uid = uid
        switch uid {
        case TransferSyntax.implicitVRLittleEndianUID:
            (isExplicitVR, isBigEndian, isDeflated, isEncapsulated) = (false, false, false, false)
        case TransferSyntax.explicitVRLittleEndianUID:
            (isExplicitVR, isBigEndian, isDeflated, isEncapsulated) = (true, false, false, false)
        case TransferSyntax.explicitVRBigEndianUID:
            (isExplicitVR, isBigEndian, isDeflated, isEncapsulated) = (true, true, false, false)
        case TransferSyntax.deflatedExplicitVRLittleEndianUID:
            (isExplicitVR, isBigEndian, isDeflated, isEncapsulated) = (true, false, true, false)
        case "1.2.840.10008.1.2.4.95":  // JPIP Referenced Deflate
            (isExplicitVR, isBigEndian, isDeflated, isEncapsulated) = (true, false, true, false)
        case "1.2.840.10008.1.2.4.94":  // JPIP Referenced: pixel data by reference, not encapsulated
            (isExplicitVR, isBigEndian, isDeflated, isEncapsulated) = (true, false, false, false)
        default:
            // Every other registered transfer syntax (JPEG, JPEG-LS, JPEG 2000, RLE, MPEG,
            // HEVC, HTJ2K, Encapsulated Uncompressed, ...) is explicit VR little-endian with
            // encapsulated pixel data.
            (isExplicitVR, isBigEndian, isDeflated, isEncapsulated) = (true, false, false, true)
        }
    }

    public static let implicitVRLittleEndianUID = "1.2.840.10008.1.2"
    public static let explicitVRLittleEndianUID = "1.2.840.10008.1.2.1"
    public static let explicitVRBigEndianUID = "1.2.840.10008.1.2.2"
    public static let deflatedExplicitVRLittleEndianUID = "1.2.840.10008.1.2.1.99"

    public static let implicitVRLittleEndian = TransferSyntax(uid: implicitVRLittleEndianUID)
    public static let explicitVRLittleEndian = TransferSyntax(uid: explicitVRLittleEndianUID)
    public static let explicitVRBigEndian = TransferSyntax(uid: explicitVRBigEndianUID)
    public static let deflatedExplicitVRLittleEndian = TransferSyntax(uid: deflatedExplicitVRLittleEndianUID)

    /// True for the registered transfer syntaxes cmr knows by UID.
    public var isKnown: Bool { UIDRegistry.entry(for: uid)?.type == .transferSyntax }

    /// The registry's name (`"Explicit VR Little Endian"`), or the UID.
    public var name: String { UIDRegistry.entry(for: uid)?.name ?? uid }

    public var description: String { name }
}

