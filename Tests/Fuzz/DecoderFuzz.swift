// libFuzzer entry for the frame decoders (scripts/fuzz decoders).
// Not part of any SwiftPM target: scripts/fuzz compiles it with the module sources.
// Input: 4 header bytes, then the encoded frame.
//   byte 0: decoder (mod 3: RLE, JPEG, JPEG-LS); byte 1: rows; byte 2: columns;
//   byte 3: bit 0 three samples, bit 1 16 bits allocated, bit 2 YBR_FULL_422 (with three samples).
import DICOMImaging

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 4 else { return 0 }
    let header = UnsafeBufferPointer(start: data, count: 4)
    let stream = Array(UnsafeBufferPointer(start: data + 4, count: size - 4))
    let decoders: [any FrameDecoder] = [RLEDecoder(), JPEGDecoder(), JPEGLSDecoder()]
    let samples = header[3] & 1 != 0 ? 3 : 1
    let bits = header[3] & 2 != 0 ? 16 : 8
    let photometric = samples == 1 ? "MONOCHROME2" : (header[3] & 4 != 0 ? "YBR_FULL_422" : "RGB")
    let description = ImagePixelDescription(rows: max(1, Int(header[1])), columns: max(1, Int(header[2])), samplesPerPixel: samples,
                                            bitsAllocated: bits, bitsStored: bits, photometricInterpretation: photometric)
    do {
        let frame = try decoders[Int(header[0]) % 3].decode(stream, as: description)
        precondition(frame.bytes.count == frame.description.frameByteCount, "frame size differs from its description")
    } catch is ImagingError {
        // expected for damaged input
    } catch {
        preconditionFailure("decoder threw something other than ImagingError: \(error)")
    }
    return 0
}
