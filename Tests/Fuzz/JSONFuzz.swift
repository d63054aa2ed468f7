// libFuzzer entry for the DICOM JSON decoder (scripts/fuzz json).
// Invariants: decoding never traps; a data set decoded re-encodes to JSON that decodes to the
// same data set (the encoder's output is a fixed point).
import DICOMCore
import DICOMCoding

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let list = try? DICOMJSON.decodeList(bytes) else { return 0 }
    for dataSet in list {
        let once = DICOMJSON.encode(dataSet)
        let again = try? DICOMJSON.decode(once)
        precondition(again.map { DICOMJSON.encode($0) } == once, "DICOM JSON is not a fixed point after one round")
    }
    return 0
}
