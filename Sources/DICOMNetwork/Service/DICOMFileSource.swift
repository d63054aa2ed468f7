import DICOMCore
import DICOMCoding

/// A Part 10 file opened for sending: its SOP class and instance, its transfer syntax, and the
/// byte range of its data set inside the memory-mapped file, so the data set goes to the network
/// without being parsed or copied whole.
public struct DICOMFileSource: Sendable {
    public let path: String
    public let storage: ByteStorage
    public let sopClassUID: String
    public let sopInstanceUID: String
    public let transferSyntaxUID: String
    /// Where the data set is inside `storage` (after the meta header).
    public let dataSetRange: Range<Int>

    public init(path: String) throws {
        let storage = try MappedFile.open(path)
        self.path = path
        self.storage = storage
        let buf = storage.buffer
        guard storage.count >= 132, buf[128] == 0x44, buf[129] == 0x49, buf[130] == 0x43, buf[131] == 0x4D else {
            throw DICOMNetworkError(.protocolError, "\(path): not a DICOM Part 10 file (no DICM at offset 128); cannot send without a meta header")
        }
        // Walk the meta group (always explicit VR little endian), taking the three UIDs needed.
        var p = 132
        var fields: [UInt16: String] = [:]
        while p + 8 <= storage.count {
            let group = UInt16(buf[p]) | UInt16(buf[p + 1]) << 8
            guard group == 0x0002 else { break }
            let element = UInt16(buf[p + 2]) | UInt16(buf[p + 3]) << 8
            let vr0 = buf[p + 4], vr1 = buf[p + 5]
            let long = [("O", "B"), ("O", "W"), ("U", "N"), ("S", "Q"), ("U", "T"), ("U", "C"), ("U", "R"), ("O", "F"), ("O", "D"), ("O", "L"), ("O", "V")]
                .contains { UInt8(ascii: Unicode.Scalar($0.0)!) == vr0 && UInt8(ascii: Unicode.Scalar($0.1)!) == vr1 }
            let length: Int, header: Int
            if long {
                guard p + 12 <= storage.count else { break }
                length = Int(UInt32(buf[p + 8]) | UInt32(buf[p + 9]) << 8 | UInt32(buf[p + 10]) << 16 | UInt32(buf[p + 11]) << 24)
                header = 12
            } else {
                length = Int(UInt16(buf[p + 6]) | UInt16(buf[p + 7]) << 8)
                header = 8
            }
            guard length <= storage.count - p - header else {
                throw DICOMNetworkError(.protocolError, "\(path): meta element (0002,\(hex4(element))) runs past the end of the file")
            }
            if element == 0x0002 || element == 0x0003 || element == 0x0010 {
                var bytes = Array(buf[(p + header)..<(p + header + length)])
                while let last = bytes.last, last == 0 || last == 0x20 { bytes.removeLast() }
                fields[element] = String(decoding: bytes, as: UTF8.self)
            }
            p += header + length
        }
        guard let sopClass = fields[0x0002], !sopClass.isEmpty, let instance = fields[0x0003], !instance.isEmpty,
              let syntax = fields[0x0010], !syntax.isEmpty else {
            throw DICOMNetworkError(.protocolError, "\(path): the meta header lacks the SOP class, SOP instance or transfer syntax UID")
        }
        self.sopClassUID = sopClass
        self.sopInstanceUID = instance
        self.transferSyntaxUID = syntax
        self.dataSetRange = p..<storage.count
    }
}
