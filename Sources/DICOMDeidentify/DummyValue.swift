import DICOMDictionary

/// The dummy values action D writes: non-empty, valid for the VR, carrying nothing about anyone.
public enum DummyValue {
    /// Encoded value bytes (even length) for `vr`; nil for SQ and UI, which the caller handles
    /// (sequences are rewritten item by item, UIDs are remapped).
    public static func bytes(for vr: VR) -> [UInt8]? {
        let text: String
        switch vr {
        case .SQ, .UI: return nil
        case .AE: text = "ANONYMOUS"
        case .AS: text = "000Y"
        case .CS: text = "ANONYMIZED"
        case .DA: text = "19000101"
        case .DT: text = "19000101000000"
        case .TM: text = "000000"
        case .DS, .IS: text = "0"
        case .LO, .LT, .SH, .ST, .UC, .UT: text = "ANONYMIZED"
        case .PN: text = "ANONYMIZED^"
        case .UR: text = "urn:cmr:anonymized"
        case .AT, .UL, .SL, .FL: return [0, 0, 0, 0]
        case .US, .SS: return [0, 0]
        case .FD, .SV, .UV: return [UInt8](repeating: 0, count: 8)
        case .OB, .OD, .OF, .OL, .OV, .OW, .UN: return [0, 0]
        }
        var bytes = Array(text.utf8)
        if bytes.count % 2 == 1 { bytes.append(0x20) }
        return bytes
    }
}
