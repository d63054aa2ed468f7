// libFuzzer entry for the audit record parsers (scripts/fuzz audit): the canonical JSON parser,
// the record decoder and the signed-note parser. Invariants: never traps; a line that decodes as
// a record is canonical, so encoding the record gives the line back byte for byte.
import CMRAudit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? CanonicalJSON.parse(bytes)
    if let record = try? AuditRecord(canonicalLine: bytes) {
        precondition(record.canonicalBytes == bytes, "a record parsed from a line does not encode back to it")
    }
    _ = try? SignedNote.parseAll(String(decoding: bytes, as: UTF8.self))
    return 0
}
