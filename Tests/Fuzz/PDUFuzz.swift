// libFuzzer entry for the upper layer and DIMSE decoders (scripts/fuzz pdu).
// Not part of any SwiftPM target: scripts/fuzz compiles it with the module sources.
// Input: byte 0 is the chunk size the bytes are fed in (1–256), the rest is what a peer sent.
// Invariants: decoding never traps; every PDU decoded encodes to bytes that decode to the same
// PDU; P-DATA-TF values go through the DIMSE message assembler without trapping.
import DICOMNetwork

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let chunk = Int(data[0]) + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var decoder = PDUDecoder(maximumDataLength: 1 << 16, maximumAssociateLength: 1 << 16)
    var assembler = MessageAssembler()
    var offset = 0
    outer: while offset < bytes.count {
        decoder.feed(bytes[offset..<min(bytes.count, offset + chunk)])
        offset += chunk
        while true {
            let pdu: PDU?
            do {
                pdu = try decoder.next()
            } catch {
                break outer   // a malformed PDU ends the association: nothing more is read
            }
            guard let pdu else { break }
            var again = PDUDecoder(maximumDataLength: 1 << 20, maximumAssociateLength: 1 << 20)
            again.feed(pdu.encoded())
            let decodedAgain = try? again.next()
            precondition(decodedAgain == pdu, "PDU does not survive encode and decode: \(pdu)")
            if case .data(let transfer) = pdu {
                for value in transfer.values {
                    do { _ = try assembler.add(value) } catch { break outer }
                }
            }
        }
    }
    return 0
}
