// libFuzzer entry for inflate (scripts/fuzz inflate): zlib, raw deflate and gzip streams in
// chunks. Byte 0: format (0 zlib, 1 raw, 2 gzip) and chunk size; the rest is the stream.
// Invariants: never traps; output bounded by the limit; the same output whatever the chunking;
// a stream that inflates re-deflates and inflates back to the same bytes.
import Compression

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let formats: [CompressionFormat] = [.zlib, .raw, .gzip]
    let format = formats[Int(data[0]) % 3]
    let chunk = Int(data[0] >> 2) + 1
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let whole = Inflater(format: format, maximumOutputSize: 1 << 22)
    let expected = try? whole.process(input)
    let pieces = Inflater(format: format, maximumOutputSize: 1 << 22)
    var output: [UInt8] = []
    var failed = false
    var offset = 0
    while offset < input.count {
        let end = min(input.count, offset + chunk)
        do { output += try pieces.process(Array(input[offset..<end])) } catch { failed = true; break }
        offset = end
    }
    if let expected, whole.isFinished {
        precondition(!failed && output == expected, "chunked inflate differs from whole")
        let deflater = Deflater()
        let compressed = deflater.process(expected) + deflater.finish()
        let again = try? Inflater(format: .zlib).process(compressed)
        precondition(again == expected, "deflate then inflate does not give the input back")
    }
    return 0
}
