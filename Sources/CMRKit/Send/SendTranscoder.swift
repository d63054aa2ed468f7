import DICOMCore
import DICOMCoding
import DICOMImaging
import DICOMNetwork

/// Re-encodes a file's data set, in memory, in a transfer syntax the peer accepted when it
/// refused the file's own (`--transcode auto`):
/// - uncompressed or deflated ↔ explicit / implicit VR little endian (and the other native syntaxes);
/// - compressed (RLE, JPEG baseline/extended/lossless, JPEG-LS) → a native syntax, when every frame
///   decodes: Photometric Interpretation and Planar Configuration become what the decoder produced
///   (a YBR_FULL_422 JPEG becomes RGB, as DCMTK's dcmdjpeg does), and the offset tables go.
/// Nothing is ever compressed (cmr has no encoders): a peer that accepts only compressed syntaxes
/// gets no uncompressed file.
enum SendTranscoder {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Native syntaxes in order of preference.
    static let preference = [TransferSyntax.explicitVRLittleEndianUID, TransferSyntax.implicitVRLittleEndianUID,
                             TransferSyntax.deflatedExplicitVRLittleEndianUID, TransferSyntax.explicitVRBigEndianUID]

    /// The data set of `source` encoded in the best of `accepted`, and that syntax's UID.
    static func transcode(_ source: DICOMFileSource, into accepted: [String]) throws -> (bytes: [UInt8], transferSyntax: String) {
        guard let target = preference.first(where: accepted.contains) else {
            throw Failure(description: "the peer accepts it only in \(accepted.map { TransferSyntax(uid: $0).name }.joined(separator: ", ")), and cmr does not compress")
        }
        let from = TransferSyntax(uid: source.transferSyntaxUID)
        let file = try DICOMReader.read(source.storage)
        if file.isIncomplete {
            throw Failure(description: "cannot be read whole: \(file.issues.first { $0.severity == .error }.map { "\($0.message) at offset \($0.offset)" } ?? "")")
        }
        var dataSet = file.dataSet
        dataSet.removeAll { $0.tag.isMeta }
        if from.isEncapsulated, dataSet[.pixelData] != nil {
            dataSet = try decompressed(dataSet, from: from)
        }
        var sink = MemorySink(reservingCapacity: source.dataSetRange.count + 1024)
        try DICOMWriter.writeDataSet(dataSet, transferSyntax: TransferSyntax(uid: target), to: &sink)
        return (sink.bytes, target)
    }

    /// `dataSet` with its encapsulated pixel data decoded into native Pixel Data.
    static func decompressed(_ dataSet: DataSet, from ts: TransferSyntax) throws -> DataSet {
        guard ts.uid == "1.2.840.10008.1.2.1.98" || FrameDecoders.decodableUIDs.contains(ts.uid) else {
            throw Failure(description: "cmr cannot decode \(ts.name)")
        }
        let frames = try PixelDataFrames(dataSet: dataSet, transferSyntax: ts)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(frames.description.frameByteCount * frames.count)
        var produced = frames.description
        for i in 0..<frames.count {
            let frame = try frames.frame(i)
            produced = frame.description
            pixels += frame.bytes
        }
        if pixels.count % 2 == 1 { pixels.append(0) }
        var out = dataSet
        _ = out.remove(.extendedOffsetTable)
        _ = out.remove(.extendedOffsetTableLengths)
        out.insert(DataElement(.pixelData, produced.bitsAllocated > 8 ? .OW : .OB, bytes: pixels))
        if produced.photometricInterpretation != frames.description.photometricInterpretation {
            _ = out.setString(.photometricInterpretation, produced.photometricInterpretation)
        }
        if produced.samplesPerPixel > 1 {
            out.setInt(.planarConfiguration, produced.planarConfiguration)
        }
        return out
    }
}
