// libFuzzer entry for the share server's HTTP/1.x request parser (scripts/fuzz http). Byte 0:
// chunk size. Invariants: never traps; the requests (or the error) are the same whatever the
// chunking; the parser never holds more than its limits allow past a returned request.
import CMRShare

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let chunk = Int(data[0]) + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    func parse(_ step: Int) -> (targets: [String], failed: Bool) {
        var parser = HTTPRequestParser()
        var targets: [String] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            parser.append(bytes[offset..<end])
            offset = end
            while true {
                do {
                    guard let request = try parser.next() else { break }
                    targets.append(request.method + " " + request.target)
                } catch {
                    return (targets, true)
                }
            }
        }
        return (targets, false)
    }
    let whole = parse(bytes.count)
    let chunked = parse(chunk)
    precondition(whole.targets == chunked.targets && whole.failed == chunked.failed, "HTTP parsing depends on the chunking")
    return 0
}
