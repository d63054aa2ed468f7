/// The decoder for each compressed transfer syntax, by UID.
///
/// Native (uncompressed) syntaxes have no decoder: `PixelDataFrames` slices them directly.
/// Encapsulated syntaxes cmr cannot decode (JPEG 2000, HTJ2K, MPEG, HEVC…) get an
/// `UnsupportedTransferSyntaxDecoder` whose `decode` throws a message naming the syntax and a
/// workaround, so callers need no second list of what is unsupported.
public enum FrameDecoders {
    static let supported: [any FrameDecoder] = [
        RLEDecoder(), JPEGDecoder(), JPEGLSDecoder(),
    ]

    static let table: [String: any FrameDecoder] = {
        var t: [String: any FrameDecoder] = [:]
        for d in supported {
            for uid in type(of: d).transferSyntaxUIDs { t[uid] = d }
        }
        return t
    }()

    /// The decoder for `uid`: a working one, an `UnsupportedTransferSyntaxDecoder` for a known
    /// encapsulated syntax cmr does not decode, or nil for anything else (native syntaxes, unknown
    /// UIDs).
    public static func decoder(for uid: String) -> (any FrameDecoder)? {
        if let d = table[uid] { return d }
        if UnsupportedTransferSyntaxDecoder.transferSyntaxUIDs.contains(uid) {
            return UnsupportedTransferSyntaxDecoder(uid: uid)
        }
        return nil
    }

    /// UIDs with a working decoder.
    public static var decodableUIDs: [String] { table.keys.sorted() }
}

/// Stands in for the syntaxes cmr recognises but does not decode; every `decode` throws
/// `.unsupportedTransferSyntax` naming the syntax and how to get pixels anyway.
public struct UnsupportedTransferSyntaxDecoder: FrameDecoder {
    public static let names: [String: String] = [
        "1.2.840.10008.1.2.4.90": "JPEG 2000 Image Compression (Lossless Only)",
        "1.2.840.10008.1.2.4.91": "JPEG 2000 Image Compression",
        "1.2.840.10008.1.2.4.92": "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)",
        "1.2.840.10008.1.2.4.93": "JPEG 2000 Part 2 Multi-component Image Compression",
        "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 Image Compression (Lossless Only)",
        "1.2.840.10008.1.2.4.202": "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)",
        "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000 Image Compression",
        "1.2.840.10008.1.2.4.100": "MPEG2 Main Profile / Main Level",
        "1.2.840.10008.1.2.4.100.1": "Fragmentable MPEG2 Main Profile / Main Level",
        "1.2.840.10008.1.2.4.101": "MPEG2 Main Profile / High Level",
        "1.2.840.10008.1.2.4.101.1": "Fragmentable MPEG2 Main Profile / High Level",
        "1.2.840.10008.1.2.4.102": "MPEG-4 AVC/H.264 High Profile / Level 4.1",
        "1.2.840.10008.1.2.4.102.1": "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1",
        "1.2.840.10008.1.2.4.103": "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1",
        "1.2.840.10008.1.2.4.103.1": "Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1",
        "1.2.840.10008.1.2.4.104": "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video",
        "1.2.840.10008.1.2.4.104.1": "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video",
        "1.2.840.10008.1.2.4.105": "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video",
        "1.2.840.10008.1.2.4.105.1": "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video",
        "1.2.840.10008.1.2.4.106": "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2",
        "1.2.840.10008.1.2.4.106.1": "Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2",
        "1.2.840.10008.1.2.4.107": "HEVC/H.265 Main Profile / Level 5.1",
        "1.2.840.10008.1.2.4.108": "HEVC/H.265 Main 10 Profile / Level 5.1",
        "1.2.840.10008.1.2.4.52": "JPEG Extended (Process 3 & 5) (retired)",
        "1.2.840.10008.1.2.4.53": "JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8) (retired)",
        "1.2.840.10008.1.2.4.54": "JPEG Spectral Selection, Non-Hierarchical (Process 7 & 9) (retired)",
        "1.2.840.10008.1.2.4.55": "JPEG Full Progression, Non-Hierarchical (Process 10 & 12) (retired)",
        "1.2.840.10008.1.2.4.56": "JPEG Full Progression, Non-Hierarchical (Process 11 & 13) (retired)",
        "1.2.840.10008.1.2.4.58": "JPEG Lossless, Non-Hierarchical (Process 15) (retired)",
        "1.2.840.10008.1.2.4.59": "JPEG Extended, Hierarchical (Process 16 & 18) (retired)",
        "1.2.840.10008.1.2.4.60": "JPEG Extended, Hierarchical (Process 17 & 19) (retired)",
        "1.2.840.10008.1.2.4.61": "JPEG Spectral Selection, Hierarchical (Process 20 & 22) (retired)",
        "1.2.840.10008.1.2.4.62": "JPEG Spectral Selection, Hierarchical (Process 21 & 23) (retired)",
        "1.2.840.10008.1.2.4.63": "JPEG Full Progression, Hierarchical (Process 24 & 26) (retired)",
        "1.2.840.10008.1.2.4.64": "JPEG Full Progression, Hierarchical (Process 25 & 27) (retired)",
        "1.2.840.10008.1.2.4.65": "JPEG Lossless, Hierarchical (Process 28) (retired)",
        "1.2.840.10008.1.2.4.66": "JPEG Lossless, Hierarchical (Process 29) (retired)",
        "1.2.840.10008.1.2.6.1": "RFC 2557 MIME encapsulation (retired)",
        "1.2.840.10008.1.2.6.2": "XML Encoding (retired)",
    ]

    public static var transferSyntaxUIDs: [String] { names.keys.sorted() }

    public let uid: String
    public init(uid: String) { self.uid = uid }

    public func decode(_ encoded: [UInt8], as description: ImagePixelDescription) throws -> NativeFrame {
        throw Self.error(uid: uid)
    }

    /// The error for `uid`: the syntax's name and how to get pixels anyway.
    public static func error(uid: String) -> ImagingError {
        let name = names[uid] ?? uid
        let workaround: String
        if name.contains("MPEG") || name.contains("HEVC") {
            workaround = "video is not decoded here; extract it with `dcmdump +W DIR in.dcm` and use a video tool (e.g. ffmpeg)"
        } else {
            workaround = "decompress it first with `gdcmconv --raw in.dcm out.dcm` (GDCM), then run cmr on out.dcm"
        }
        return ImagingError(.unsupportedTransferSyntax, "transfer syntax \(name) (\(uid)) is not supported: \(workaround)")
    }
}
