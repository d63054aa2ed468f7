/// A DIMSE command set: group 0000 elements, encoded in implicit VR little endian with
/// Command Group Length (0000,0000) first (PS3.7 §6.3, §E.1).
///
/// Values are kept as their encoded bytes, keyed by element number; typed accessors read and
/// write the command fields this module uses. Unknown elements survive a decode/encode round trip.
public struct CommandSet: Sendable, Equatable {
    /// Element numbers of group 0000 (PS3.7 Annex E).
    public enum Element: UInt16, Sendable {
        case groupLength = 0x0000
        case affectedSOPClassUID = 0x0002
        case requestedSOPClassUID = 0x0003
        case commandField = 0x0100
        case messageID = 0x0110
        case messageIDBeingRespondedTo = 0x0120
        case moveDestination = 0x0600
        case priority = 0x0700
        case commandDataSetType = 0x0800
        case status = 0x0900
        case offendingElement = 0x0901
        case errorComment = 0x0902
        case errorID = 0x0903
        case affectedSOPInstanceUID = 0x1000
        case requestedSOPInstanceUID = 0x1001
        case numberOfRemainingSuboperations = 0x1020
        case numberOfCompletedSuboperations = 0x1021
        case numberOfFailedSuboperations = 0x1022
        case numberOfWarningSuboperations = 0x1023
        case moveOriginatorApplicationEntityTitle = 0x1030
        case moveOriginatorMessageID = 0x1031
    }

    /// Command Data Set Type (0000,0800) value meaning "no data set follows".
    public static let noDataSet: UInt16 = 0x0101

    /// Encoded values by element number of group 0000 (group length excluded).
    public private(set) var values: [UInt16: [UInt8]] = [:]

    public init() {}

    public subscript(raw element: UInt16) -> [UInt8]? {
        get { values[element] }
        set { if element != 0 { values[element] = newValue } }
    }

    // MARK: typed access

    public func uint16(_ e: Element) -> UInt16? {
        guard let v = values[e.rawValue], v.count == 2 else { return nil }
        return UInt16(v[0]) | UInt16(v[1]) << 8
    }

    public mutating func set(_ e: Element, _ v: UInt16) { values[e.rawValue] = [UInt8(v & 0xFF), UInt8(v >> 8)] }

    /// A UI, AE or LO value with its padding (NUL or space) removed.
    public func string(_ e: Element) -> String? {
        guard var v = values[e.rawValue] else { return nil }
        while let last = v.last, last == 0 || last == 0x20 { v.removeLast() }
        while let first = v.first, first == 0x20 { v.removeFirst() }
        return String(decoding: v, as: UTF8.self)
    }

    /// Sets a string value padded to even length: UIDs with NUL, other strings with a space.
    public mutating func set(_ e: Element, _ s: String) {
        var v = Array(s.utf8)
        if v.count % 2 == 1 { v.append(Self.isUID(e) ? 0 : 0x20) }
        values[e.rawValue] = v
    }

    /// Offending Element (0000,0901): a list of tags (AT).
    public func tags(_ e: Element) -> [(group: UInt16, element: UInt16)]? {
        guard let v = values[e.rawValue], v.count % 4 == 0 else { return nil }
        return stride(from: 0, to: v.count, by: 4).map {
            (UInt16(v[$0]) | UInt16(v[$0 + 1]) << 8, UInt16(v[$0 + 2]) | UInt16(v[$0 + 3]) << 8)
        }
    }

    public mutating func setTags(_ e: Element, _ tags: [(group: UInt16, element: UInt16)]) {
        var v: [UInt8] = []
        for t in tags { v += [UInt8(t.group & 0xFF), UInt8(t.group >> 8), UInt8(t.element & 0xFF), UInt8(t.element >> 8)] }
        values[e.rawValue] = v
    }

    public mutating func remove(_ e: Element) { values[e.rawValue] = nil }

    static func isUID(_ e: Element) -> Bool {
        switch e {
        case .affectedSOPClassUID, .requestedSOPClassUID, .affectedSOPInstanceUID, .requestedSOPInstanceUID: return true
        default: return false
        }
    }

    public var commandField: CommandField? { uint16(.commandField).flatMap(CommandField.init(rawValue:)) }
    public var messageID: UInt16? { uint16(.messageID) }
    public var messageIDBeingRespondedTo: UInt16? { uint16(.messageIDBeingRespondedTo) }
    public var status: DIMSEStatus? { uint16(.status).map(DIMSEStatus.init) }
    public var hasDataSet: Bool { (uint16(.commandDataSetType) ?? Self.noDataSet) != Self.noDataSet }
    public var affectedSOPClassUID: String? { string(.affectedSOPClassUID) }
    public var affectedSOPInstanceUID: String? { string(.affectedSOPInstanceUID) }
    public var errorComment: String? { string(.errorComment) }

    // MARK: coding

    /// Implicit VR little endian, elements in ascending order, group length first.
    public func encoded() -> [UInt8] {
        var body: [UInt8] = []
        for key in values.keys.sorted() {
            let v = values[key]!
            Self.appendHeader(&body, key, v.count)
            body += v
        }
        var out: [UInt8] = []
        out.reserveCapacity(12 + body.count)
        Self.appendHeader(&out, 0, 4)
        let n = UInt32(body.count)
        out += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
        return out + body
    }

    static func appendHeader(_ out: inout [UInt8], _ element: UInt16, _ length: Int) {
        let n = UInt32(length)
        out += [0, 0, UInt8(element & 0xFF), UInt8(element >> 8),
                UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
    }

    /// Decodes a command set; anything but well-formed group 0000 elements is a protocol error.
    public static func decode(_ bytes: [UInt8]) throws -> CommandSet {
        var c = CommandSet()
        var p = 0
        var last: Int = -1
        while p < bytes.count {
            guard p + 8 <= bytes.count else { throw DICOMNetworkError(.protocolError, "command set: element header at byte \(p) is truncated") }
            let group = UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8
            let element = UInt16(bytes[p + 2]) | UInt16(bytes[p + 3]) << 8
            let length = Int(UInt32(bytes[p + 4]) | UInt32(bytes[p + 5]) << 8 | UInt32(bytes[p + 6]) << 16 | UInt32(bytes[p + 7]) << 24)
            guard group == 0 else {
                throw DICOMNetworkError(.protocolError, "command set: element (\(hex4(group)),\(hex4(element))) at byte \(p) is not in group 0000")
            }
            guard Int(element) > last else {
                throw DICOMNetworkError(.protocolError, "command set: element (0000,\(hex4(element))) at byte \(p) is out of order")
            }
            guard length <= bytes.count - p - 8 else {
                throw DICOMNetworkError(.protocolError, "command set: element (0000,\(hex4(element))) of \(length) bytes runs past the command")
            }
            last = Int(element)
            if element != 0 { c.values[element] = Array(bytes[(p + 8)..<(p + 8 + length)]) }
            p += 8 + length
        }
        guard c.commandField != nil else {
            throw DICOMNetworkError(.protocolError, "command set: no known Command Field (0000,0100)")
        }
        return c
    }
}

func hex4(_ v: UInt16) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: 4 - s.count) + s
}
