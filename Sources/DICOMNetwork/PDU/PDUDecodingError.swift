/// Why bytes received are not a valid PDU. The connection should be aborted (Evt19).
public enum PDUDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The first byte names no PDU type.
    case unknownType(UInt8)
    /// The header's length is beyond what this side accepts.
    case tooLong(PDUType, length: Int, maximum: Int)
    /// The PDU's content breaks PS3.8 §9.3: `offset` counts from the PDU's first byte.
    case malformed(PDUType, offset: Int, String)

    public var description: String {
        switch self {
        case .unknownType(let t):
            return "unknown PDU type 0x\(String(t, radix: 16, uppercase: true))"
        case .tooLong(let t, let length, let maximum):
            return "\(t.name) of \(length) bytes is longer than the \(maximum) bytes allowed"
        case .malformed(let t, let offset, let why):
            return "malformed \(t.name) at byte \(offset): \(why)"
        }
    }
}
