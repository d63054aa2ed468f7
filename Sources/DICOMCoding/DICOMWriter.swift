import DICOMCore
import Compression

/// Options for writing.
public struct WriteOptions: Sendable {
    public enum MetaPolicy: Sendable {
        /// cmr's own meta header: version, SOP class and instance from the data set, transfer
        /// syntax, cmr's implementation UID and name; source/sending/receiving AE titles and
        /// private information kept from the input.
        case regenerate
        /// The input's meta elements, with SOP class/instance and transfer syntax brought up to date.
        case preserve
    }

    public enum LengthPolicy: Sendable {
        /// Each sequence and item as it was read (new ones: undefined length).
        case asRead
        case undefined
        case defined
    }

    /// Transfer syntax to write; nil keeps the file's.
    public var transferSyntax: TransferSyntax?
    public var meta: MetaPolicy
    /// Write the input's preamble (otherwise 128 zero bytes, which PS3.10 recommends when the
    /// preamble is unused; an input's preamble can carry anything).
    public var keepPreamble: Bool
    public var sequenceLengths: LengthPolicy
    /// Deflate level for the deflated transfer syntax.
    public var deflateLevel: Int

    public init(transferSyntax: TransferSyntax? = nil, meta: MetaPolicy = .regenerate,
                keepPreamble: Bool = false, sequenceLengths: LengthPolicy = .asRead, deflateLevel: Int = 6) {
        self.transferSyntax = transferSyntax
        self.meta = meta
        self.keepPreamble = keepPreamble
        self.sequenceLengths = sequenceLengths
        self.deflateLevel = deflateLevel
    }
}

/// Why a data set could not be encoded.
public enum DICOMWriteError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Encapsulated pixel data can only be written in an encapsulated transfer syntax (and
    /// native pixel data only in a native one) without a codec.
    case pixelDataNeedsTranscoding(from: String, to: String)
    case valueTooLong(Tag, Int)

    public var description: String {
        switch self {
        case .pixelDataNeedsTranscoding(let from, let to):
            return "pixel data would need transcoding from \(from) to \(to)"
        case .valueTooLong(let tag, let n):
            return "value of \(tag) is \(n) bytes, more than a 32-bit length can hold"
        }
    }
}

/// Writes Part 10 files and bare data sets.
public enum DICOMWriter {
    /// Encodes `file` as a Part 10 file into `sink`.
    public static func write(_ file: DICOMFile, to sink: inout some ByteSink, options: WriteOptions = WriteOptions()) throws {
        let ts = options.transferSyntax ?? file.transferSyntax
        try checkPixelData(file.dataSet, from: file.transferSyntax, to: ts)
        var preamble = [UInt8](repeating: 0, count: 128)
        if options.keepPreamble, let p = file.preamble, p.count == 128 { preamble = p }
        try sink.write(preamble)
        try sink.write(Array("DICM".utf8))
        let meta = metaHeader(for: file, transferSyntax: ts, policy: options.meta)
        var metaEncoder = DataSetEncoder(explicit: true, bigEndian: false, lengths: .asRead)
        try metaEncoder.write(meta, to: &sink)
        // Group 0002 belongs to the meta header alone (PS3.10 §7.1): any copy in the data set
        // (seen in damaged files) is not written, or a reader would take it for meta.
        var ds = file.dataSet
        if ds.first?.tag.isMeta == true { ds.removeAll { $0.tag.isMeta } }
        try writeDataSet(ds, transferSyntax: ts, to: &sink, options: options)
    }

    /// Encodes `file` as a Part 10 file in memory.
    public static func encode(_ file: DICOMFile, options: WriteOptions = WriteOptions()) throws -> [UInt8] {
        var sink = MemorySink()
        try write(file, to: &sink, options: options)
        return sink.bytes
    }

    /// Encodes a data set alone (no preamble, no meta) in `transferSyntax`, as DIMSE sends it.
    public static func writeDataSet(_ ds: DataSet, transferSyntax ts: TransferSyntax, to sink: inout some ByteSink,
                                    options: WriteOptions = WriteOptions()) throws {
        var enc = DataSetEncoder(explicit: ts.isExplicitVR, bigEndian: ts.isBigEndian, lengths: options.sequenceLengths)
        if ts.isDeflated {
            var mem = MemorySink()
            try enc.write(ds, to: &mem)
            let deflated = Deflate.raw(mem.bytes, level: CompressionLevel(options.deflateLevel))
            try sink.write(deflated)
            if deflated.count % 2 == 1 { try sink.write([0]) }
        } else {
            try enc.write(ds, to: &sink)
        }
    }

    /// The meta header for `file` written in `ts`, with its group length.
    public static func metaHeader(for file: DICOMFile, transferSyntax ts: TransferSyntax, policy: WriteOptions.MetaPolicy) -> DataSet {
        var meta = DataSet()
        let source = file.meta
        switch policy {
        case .preserve:
            for e in source where e.tag != .fileMetaInformationGroupLength { meta.insert(e) }
        case .regenerate:
            for tag in [Tag.sourceApplicationEntityTitle, .sendingApplicationEntityTitle, .receivingApplicationEntityTitle,
                        .privateInformationCreatorUID, .privateInformation] {
                if let e = source[tag] { meta.insert(e) }
            }
            meta.insert(DataElement(.implementationClassUID, .UI, bytes: padded(Implementation.classUID, .UI)))
            meta.insert(DataElement(.implementationVersionName, .SH, bytes: padded(Implementation.versionName, .SH)))
        }
        if !meta.contains(.fileMetaInformationVersion) {
            meta.insert(DataElement(.fileMetaInformationVersion, .OB, bytes: [0x00, 0x01]))
        }
        let sopClass = file.dataSet.string(.sopClassUID) ?? source.string(.mediaStorageSOPClassUID) ?? ""
        let sopInstance = file.dataSet.string(.sopInstanceUID) ?? source.string(.mediaStorageSOPInstanceUID) ?? ""
        meta.insert(DataElement(.mediaStorageSOPClassUID, .UI, bytes: padded(sopClass, .UI)))
        meta.insert(DataElement(.mediaStorageSOPInstanceUID, .UI, bytes: padded(sopInstance, .UI)))
        meta.insert(DataElement(.transferSyntaxUID, .UI, bytes: padded(ts.uid, .UI)))
        var enc = DataSetEncoder(explicit: true, bigEndian: false, lengths: .asRead)
        let length = enc.encodedLength(of: meta)
        var lengthBytes: [UInt8] = []
        withUnsafeBytes(of: UInt32(length).littleEndian) { lengthBytes.append(contentsOf: $0) }
        meta.insert(DataElement(.fileMetaInformationGroupLength, .UL, bytes: lengthBytes))
        return meta
    }

    static func padded(_ s: String, _ vr: VR) -> [UInt8] {
        var b = Array(s.utf8)
        if b.count % 2 == 1 { b.append(vr.paddingByte) }
        return b
    }

    static func checkPixelData(_ ds: DataSet, from: TransferSyntax, to: TransferSyntax) throws {
        guard let pixels = ds[.pixelData] else { return }
        switch pixels.value {
        case .fragments:
            if !to.isEncapsulated { throw DICOMWriteError.pixelDataNeedsTranscoding(from: from.name, to: to.name) }
        case .bytes, .bulk:
            if to.isEncapsulated { throw DICOMWriteError.pixelDataNeedsTranscoding(from: from.name, to: to.name) }
        case .sequence:
            break
        }
        if from.isEncapsulated && to.isEncapsulated && from.uid != to.uid {
            throw DICOMWriteError.pixelDataNeedsTranscoding(from: from.name, to: to.name)
        }
    }
}
