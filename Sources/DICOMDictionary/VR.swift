/// A DICOM Value Representation (PS3.5 §6.2), spelled as the standard writes it.
public enum VR: String, Sendable, CaseIterable, Hashable {
    case AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW
    case PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UN, UR, US, UT, UV

    /// The two ASCII bytes of the VR as a big-endian pair (`"OB"` → 0x4F42).
    @inlinable public var code: UInt16 {
        let u = rawValue.utf8
        return UInt16(u[u.startIndex]) << 8 | UInt16(u[u.index(after: u.startIndex)])
    }

    /// The VR whose two ASCII bytes are `code`, or nil when they name none.
    @inlinable public init?(code: UInt16) {
        switch code {
        case 0x4145: self = .AE
        case 0x4153: self = .AS
        case 0x4154: self = .AT
        case 0x4353: self = .CS
        case 0x4441: self = .DA
        case 0x4453: self = .DS
        case 0x4454: self = .DT
        case 0x4644: self = .FD
        case 0x464C: self = .FL
        case 0x4953: self = .IS
        case 0x4C4F: self = .LO
        case 0x4C54: self = .LT
        case 0x4F42: self = .OB
        case 0x4F44: self = .OD
        case 0x4F46: self = .OF
        case 0x4F4C: self = .OL
        case 0x4F56: self = .OV
        case 0x4F57: self = .OW
        case 0x504E: self = .PN
        case 0x5348: self = .SH
        case 0x534C: self = .SL
        case 0x5351: self = .SQ
        case 0x5353: self = .SS
        case 0x5354: self = .ST
        case 0x5356: self = .SV
        case 0x544D: self = .TM
        case 0x5543: self = .UC
        case 0x5549: self = .UI
        case 0x554C: self = .UL
        case 0x554E: self = .UN
        case 0x5552: self = .UR
        case 0x5553: self = .US
        case 0x5554: self = .UT
        case 0x5556: self = .UV
        default: return nil
        }
    }

    /// True when explicit VR encoding uses 2 reserved bytes and a 32-bit length (PS3.5 Table 7.1-1).
    @inlinable public var hasLongLength: Bool {
        switch self {
        case .OB, .OD, .OF, .OL, .OV, .OW, .SQ, .SV, .UC, .UN, .UR, .UT, .UV: return true
        default: return false
        }
    }

    /// True for VRs whose value is character data.
    @inlinable public var isString: Bool {
        switch self {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT: return true
        default: return false
        }
    }

    /// True for string VRs whose characters may come from the Specific Character Set
    /// (the others are restricted to the default repertoire).
    @inlinable public var usesSpecificCharacterSet: Bool {
        switch self {
        case .LO, .LT, .PN, .SH, .ST, .UC, .UT: return true
        default: return false
        }
    }

    /// True for string VRs whose value may hold several values separated by backslash.
    @inlinable public var allowsMultipleStringValues: Bool {
        isString && self != .LT && self != .ST && self != .UT && self != .UR
    }

    /// The byte used to pad a value to even length: NUL for UI and binary VRs, space for text.
    @inlinable public var paddingByte: UInt8 {
        isString && self != .UI ? 0x20 : 0x00
    }

    /// Size of the unit that is byte-swapped between little- and big-endian encodings (1: none).
    @inlinable public var byteSwapUnit: Int {
        switch self {
        case .US, .SS, .OW, .AT: return 2
        case .UL, .SL, .FL, .OF, .OL: return 4
        case .FD, .OD, .SV, .UV, .OV: return 8
        default: return 1
        }
    }

    /// Fixed size of one binary value, or nil for string and byte-stream VRs.
    @inlinable public var fixedValueSize: Int? {
        switch self {
        case .US, .SS: return 2
        case .UL, .SL, .FL: return 4
        case .AT: return 4
        case .FD, .SV, .UV: return 8
        default: return nil
        }
    }

    /// Maximum length in bytes (or characters for PN component groups) of one value, when the standard sets one.
    public var maximumLength: Int? {
        switch self {
        case .AE: return 16
        case .AS: return 4
        case .CS: return 16
        case .DA: return 8
        case .DS: return 16
        case .DT: return 26
        case .IS: return 12
        case .LO: return 64
        case .LT: return 10240
        case .PN: return 64
        case .SH: return 16
        case .ST: return 1024
        case .TM: return 14
        case .UI: return 64
        default: return nil
        }
    }
}
