/// Why decompression failed.
///
/// Every case carries `offset`: the position in the compressed input, counted from the first byte of
/// the stream (the first byte ever fed to an ``Inflater``), at or just after the point where the fault
/// was detected. Bit-level faults are reported at the byte holding the next unread bit.
public enum CompressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The zlib or gzip header is malformed (wrong method, bad check bits, reserved flags).
    case invalidHeader(offset: Int)
    /// The zlib header asks for a preset dictionary (FDICT), which this decoder does not support.
    case presetDictionaryUnsupported(offset: Int)
    /// A block header names the reserved block type 3.
    case invalidBlockType(offset: Int)
    /// A stored block's LEN is not the one's complement of its NLEN.
    case invalidStoredLength(offset: Int)
    /// The code lengths of a dynamic block do not describe a valid prefix code (over-subscribed,
    /// incomplete, too many symbols, a repeat before the first length or past the end, or no
    /// end-of-block code).
    case invalidCodeLengths(offset: Int)
    /// The data uses a code that the block's Huffman tables leave unassigned, or a reserved
    /// length (286, 287) or distance (30, 31) symbol.
    case invalidSymbol(offset: Int)
    /// A match refers further back than the output produced so far.
    case distanceTooFarBack(offset: Int, distance: Int)
    /// The input ended before the stream did.
    case truncatedInput(offset: Int)
    /// The zlib trailer's Adler-32 differs from that of the decoded data.
    case adler32Mismatch(offset: Int, expected: UInt32, computed: UInt32)
    /// The gzip trailer's CRC-32 (or header CRC-16) differs from that of the decoded data.
    case crc32Mismatch(offset: Int, expected: UInt32, computed: UInt32)
    /// The gzip trailer's ISIZE differs from the decoded length modulo 2³².
    case lengthMismatch(offset: Int, expected: UInt32, computed: UInt32)
    /// The stream would decode to more than the caller's maximum output size.
    case outputLimitExceeded(offset: Int, limit: Int)

    /// The byte offset in the compressed input where decoding failed.
    public var offset: Int {
        switch self {
        case .invalidHeader(let offset), .presetDictionaryUnsupported(let offset),
             .invalidBlockType(let offset), .invalidStoredLength(let offset),
             .invalidCodeLengths(let offset), .invalidSymbol(let offset),
             .distanceTooFarBack(let offset, _), .truncatedInput(let offset),
             .adler32Mismatch(let offset, _, _), .crc32Mismatch(let offset, _, _),
             .lengthMismatch(let offset, _, _), .outputLimitExceeded(let offset, _):
            return offset
        }
    }

    public var description: String {
        switch self {
        case .invalidHeader(let offset):
            return "invalid zlib/gzip header at byte \(offset)"
        case .presetDictionaryUnsupported(let offset):
            return "zlib preset dictionary not supported (byte \(offset))"
        case .invalidBlockType(let offset):
            return "invalid DEFLATE block type 3 at byte \(offset)"
        case .invalidStoredLength(let offset):
            return "stored block length does not match its complement at byte \(offset)"
        case .invalidCodeLengths(let offset):
            return "invalid Huffman code lengths at byte \(offset)"
        case .invalidSymbol(let offset):
            return "invalid Huffman code or symbol at byte \(offset)"
        case .distanceTooFarBack(let offset, let distance):
            return "match distance \(distance) reaches before the start of the output at byte \(offset)"
        case .truncatedInput(let offset):
            return "compressed data truncated at byte \(offset)"
        case .adler32Mismatch(let offset, let expected, let computed):
            return "Adler-32 mismatch at byte \(offset): stream says \(hex(expected)), data gives \(hex(computed))"
        case .crc32Mismatch(let offset, let expected, let computed):
            return "CRC-32 mismatch at byte \(offset): stream says \(hex(expected)), data gives \(hex(computed))"
        case .lengthMismatch(let offset, let expected, let computed):
            return "gzip length mismatch at byte \(offset): stream says \(expected), data gives \(computed)"
        case .outputLimitExceeded(let offset, let limit):
            return "decompressed data exceeds the limit of \(limit) bytes at input byte \(offset)"
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
