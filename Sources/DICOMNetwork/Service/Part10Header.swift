import DICOMCoding

/// The preamble, DICM prefix and file meta information (PS3.10 §7.1) written before a data set
/// received over the network, so it lands on disk as a Part 10 file without being re-encoded.
enum Part10Header {
    static func bytes(sopClass: String, sopInstance: String, transferSyntax: String, sourceAETitle: String?) -> [UInt8] {
        var elements: [UInt8] = []
        func element(_ e: UInt16, _ vr: String, _ value: [UInt8]) {
            elements += [0x02, 0x00, UInt8(e & 0xFF), UInt8(e >> 8)] + Array(vr.utf8)
            if vr == "OB" {
                let n = UInt32(value.count)
                elements += [0, 0, UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
            } else {
                elements += [UInt8(value.count & 0xFF), UInt8(value.count >> 8)]
            }
            elements += value
        }
        func text(_ s: String, pad: UInt8) -> [UInt8] {
            var v = Array(s.utf8)
            if v.count % 2 == 1 { v.append(pad) }
            return v
        }
        element(0x0001, "OB", [0, 1])
        element(0x0002, "UI", text(sopClass, pad: 0))
        element(0x0003, "UI", text(sopInstance, pad: 0))
        element(0x0010, "UI", text(transferSyntax, pad: 0))
        element(0x0012, "UI", text(Implementation.classUID, pad: 0))
        element(0x0013, "SH", text(Implementation.versionName, pad: 0x20))
        if let sourceAETitle, !sourceAETitle.isEmpty { element(0x0016, "AE", text(sourceAETitle, pad: 0x20)) }
        var out = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        let n = UInt32(elements.count)
        out += [0x02, 0x00, 0x00, 0x00] + Array("UL".utf8) + [4, 0, UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
        return out + elements
    }
}
