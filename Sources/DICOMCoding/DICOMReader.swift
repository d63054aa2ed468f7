import DICOMCore
import Compression

/// Options for reading.
public struct ReadOptions: Sendable {
    /// Binary values (OB, OW, OF, OD, OL, OV, UN) at least this long stay in the source and are
    /// read on demand; pixel data always does.
    public var bulkDataThreshold: Int
    /// Stop reading the top-level data set at the first element whose tag is at or above this
    /// one (e.g. `.pixelData` for a summary). The file is then not marked incomplete.
    public var stopBeforeTag: Tag?
    /// Deepest sequence nesting read before the reader gives up on that branch.
    public var maximumDepth: Int
    /// Upper bound on the inflated size of deflated data sets (a guard against zip bombs).
    public var maximumInflatedSize: Int

    public init(bulkDataThreshold: Int = 1024, stopBeforeTag: Tag? = nil,
                maximumDepth: Int = 128, maximumInflatedSize: Int = 1 << 34) {
        self.bulkDataThreshold = bulkDataThreshold
        self.stopBeforeTag = stopBeforeTag
        self.maximumDepth = maximumDepth
        self.maximumInflatedSize = maximumInflatedSize
    }
}

/// Why a source could not be read at all.
public enum DICOMReadError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Neither a Part 10 file nor a recognisable raw data set.
    case notDICOM(String)
    case empty
    /// The deflated data set could not be inflated.
    case deflate(offset: Int, String)

    public var description: String {
        switch self {
        case .notDICOM(let why): return "not a DICOM file: \(why)"
        case .empty: return "empty file"
        case .deflate(let offset, let why): return "deflated data set cannot be inflated at offset \(offset): \(why)"
        }
    }
}

/// Reads Part 10 files and raw data sets in every uncompressed transfer syntax
/// (implicit VR LE, explicit VR LE/BE, deflated explicit VR LE), leniently: problems become
/// `ReadIssue`s with offset and tag, and reading goes on as far as the data allows.
public enum DICOMReader {
    /// Reads a DICOM object from `storage` (a mapped file or bytes in memory).
    public static func read(_ storage: ByteStorage, options: ReadOptions = ReadOptions()) throws -> DICOMFile {
        let size = storage.count
        if size == 0 { throw DICOMReadError.empty }
        let buf = storage.buffer
        var issues: [ReadIssue] = []
        var preamble: [UInt8]? = nil
        var metaStart: Int? = nil

        if size >= 132, buf[128] == 0x44, buf[129] == 0x49, buf[130] == 0x43, buf[131] == 0x4D {
            preamble = Array(buf[0..<128])
            metaStart = 132
        } else if size >= 4, buf[0] == 0x44, buf[1] == 0x49, buf[2] == 0x43, buf[3] == 0x4D {
            issues.append(ReadIssue(.warning, offset: 0, "no 128-byte preamble before DICM"))
            metaStart = 4
        } else if size >= 8, buf[0] == 0x02, buf[1] == 0x00, buf[3] == 0x00,
                  VR(code: UInt16(buf[4]) << 8 | UInt16(buf[5])) != nil {
            issues.append(ReadIssue(.warning, offset: 0, "file meta information without preamble and DICM prefix"))
            metaStart = 0
        }

        var meta = DataSet()
        var dataStart = 0
        var ts: TransferSyntax
        if let metaStart {
            var p = Parser(storage: storage, base: buf, start: metaStart, end: size,
                           explicit: true, bigEndian: false, options: options)
            meta = p.parseMeta()
            issues += p.issues
            dataStart = p.pos
            if let uid = meta.string(.transferSyntaxUID), !uid.isEmpty {
                ts = TransferSyntax(uid: uid)
                if !ts.isKnown {
                    issues.append(ReadIssue(.warning, offset: metaStart, tag: .transferSyntaxUID,
                                            "unknown transfer syntax \(uid); reading as explicit VR little endian"))
                }
            } else {
                issues.append(ReadIssue(.warning, offset: metaStart, tag: .transferSyntaxUID,
                                        "no Transfer Syntax UID in the meta header; guessing from the data"))
                ts = guessTransferSyntax(buf, at: dataStart) ?? .implicitVRLittleEndian
            }
        } else {
            guard let guess = guessTransferSyntax(buf, at: 0) else {
                throw DICOMReadError.notDICOM("no DICM prefix at offset 128 and no recognisable data element at offset 0")
            }
            ts = guess
        }

        if ts.isDeflated {
            let rest = UnsafeRawBufferPointer(rebasing: buf[dataStart..<size])
            let inflated: [UInt8]
            do {
                inflated = try inflateDataSet(rest, limit: options.maximumInflatedSize)
            } catch let error as DICOMReadError {
                throw error
            } catch {
                throw DICOMReadError.deflate(offset: dataStart, "\(error)")
            }
            let inner = ByteStorage(inflated)
            var p = Parser(storage: inner, base: inner.buffer, start: 0, end: inner.count,
                           explicit: true, bigEndian: false, options: options)
            let ds = p.parseTopLevel()
            issues += p.issues
            return DICOMFile(meta: meta, dataSet: ds, transferSyntax: ts, preamble: preamble,
                             issues: issues, sourceSize: size)
        }

        // Vendors sometimes write implicit VR data under an explicit VR transfer syntax (and the
        // reverse): trust the data, as DCMTK does, and say so.
        var explicit = ts.isExplicitVR
        let bigEndian = ts.isBigEndian
        // The byte order the meta header states is trusted (a guess from one element's group
        // number is weaker than that); only the VR encoding is taken from the data.
        if metaStart != nil, dataStart + 6 <= size, let guess = guessTransferSyntax(buf, at: dataStart),
           guess.isBigEndian == bigEndian, guess.isExplicitVR != explicit {
            issues.append(ReadIssue(.warning, offset: dataStart,
                                    "data set is encoded as \(guess.name), not as the meta header's \(ts.name)"))
            explicit = guess.isExplicitVR
        }
        var p = Parser(storage: storage, base: buf, start: dataStart, end: size,
                       explicit: explicit, bigEndian: bigEndian, options: options)
        let ds = p.parseTopLevel()
        issues += p.issues
        if metaStart == nil, ds.isEmpty {
            throw DICOMReadError.notDICOM("no data element could be read")
        }
        return DICOMFile(meta: meta, dataSet: ds, transferSyntax: ts, preamble: preamble,
                         issues: issues, sourceSize: size)
    }

    /// Guesses the encoding of a data set without meta header from its first element, the way
    /// DCMTK does: byte order from the group number, explicit VR when two upper-case letters
    /// naming a VR follow the tag. Nil when the bytes do not look like a data element.
    static func guessTransferSyntax(_ buf: UnsafeRawBufferPointer, at offset: Int) -> TransferSyntax? {
        guard buf.count - offset >= 8 else { return nil }
        let g0 = buf[offset], g1 = buf[offset + 1]
        let groupLE = UInt16(g0) | UInt16(g1) << 8
        let groupBE = UInt16(g0) << 8 | UInt16(g1)
        let v0 = buf[offset + 4], v1 = buf[offset + 5]
        let explicit = VR(code: UInt16(v0) << 8 | UInt16(v1)) != nil
        let plausible: (UInt16) -> Bool = { g in g >= 0x0002 && g <= 0x7FFF || g == 0xFFFE }
        let bigEndian: Bool
        if plausible(groupLE) && groupLE <= 0x00FF { bigEndian = false }
        else if plausible(groupBE) && groupBE <= 0x00FF { bigEndian = true }
        else if plausible(groupLE) { bigEndian = false }
        else if plausible(groupBE) { bigEndian = true }
        else { return nil }
        if !explicit {
            // Implicit VR: the 32-bit length must fit in the data.
            let len = bigEndian
                ? UInt32(buf[offset + 4]) << 24 | UInt32(buf[offset + 5]) << 16 | UInt32(buf[offset + 6]) << 8 | UInt32(buf[offset + 7])
                : UInt32(buf[offset + 4]) | UInt32(buf[offset + 5]) << 8 | UInt32(buf[offset + 6]) << 16 | UInt32(buf[offset + 7]) << 24
            if len != 0xFFFF_FFFF && Int(len) > buf.count - offset - 8 { return nil }
            return bigEndian ? nil : .implicitVRLittleEndian
        }
        return bigEndian ? .explicitVRBigEndian : .explicitVRLittleEndian
    }

    /// Inflates the deflated data set (raw RFC 1951; a zlib wrapper, which some writers add, is accepted).
    static func inflateDataSet(_ data: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
        if data.count >= 2, data[0] & 0x0F == 8, (UInt16(data[0]) << 8 | UInt16(data[1])) % 31 == 0,
           let out = try? Inflate.zlib(data, maximumOutputSize: limit) {
            return out
        }
        return try Inflate.raw(data, maximumOutputSize: limit)
    }
}
