// libFuzzer entry for the DICOM reader, writer and JSON encoder (scripts/fuzz reader).
// Not part of any SwiftPM target: scripts/fuzz compiles it with the module sources.
import DICOMCore
import DICOMCoding

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let storage = ByteStorage(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? DICOMReader.read(storage, options: ReadOptions(bulkDataThreshold: 64, maximumInflatedSize: 1 << 24)) else { return 0 }
    // Everything read must be usable: strings decoded, JSON encoded, written back and read again.
    for e in file.dataSet { _ = file.dataSet.strings(of: e) }
    _ = DICOMJSON.encode(file.dataSet)
    // A complete read must survive a rewrite; an incomplete one (truncated data) need only not crash:
    // e.g. the raw bytes of a cut sequence have no faithful implicit VR form.
    if let bytes = try? DICOMWriter.encode(file), let again = try? DICOMReader.read(ByteStorage(bytes)), !file.isIncomplete {
        // Group 0002 in a data set is dropped on write (it belongs to the meta header).
        let before = file.dataSet.filter { !$0.tag.isMeta }.count, after = again.dataSet.filter { !$0.tag.isMeta }.count
        precondition(before == after, "rewrite changed the element count: \(before) → \(after)")
    }
    return 0
}
