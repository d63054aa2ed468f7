/// Splits a command or data set into P-DATA-TF PDUs of at most the peer's maximum length (PS3.8 §9.3.5).
public enum MessageFragmenter {
    /// Largest fragment that fits in one single-PDV P-DATA-TF of `maximumPDULength` (the peer's
    /// maximum length item: the PDU's variable field; 0 = no limit, then `cap` applies).
    public static func fragmentLength(maximumPDULength: UInt32, cap: Int = 1 << 20) -> Int {
        let limit = maximumPDULength == 0 ? cap + 6 : min(Int(maximumPDULength), cap + 6)
        return max(limit - 6, 1)
    }

    /// One PDU per fragment, in order; the last carries the last-fragment bit.
    public static func pdus(_ bytes: [UInt8], presentationContextID: UInt8, isCommand: Bool, maximumPDULength: UInt32) -> [PDataTF] {
        let size = fragmentLength(maximumPDULength: maximumPDULength)
        if bytes.isEmpty {
            return [PDataTF([PresentationDataValue(presentationContextID: presentationContextID, isCommand: isCommand, isLast: true, fragment: [])])]
        }
        var out: [PDataTF] = []
        var p = 0
        while p < bytes.count {
            let end = min(bytes.count, p + size)
            out.append(PDataTF([PresentationDataValue(presentationContextID: presentationContextID, isCommand: isCommand,
                                                      isLast: end == bytes.count, fragment: Array(bytes[p..<end]))]))
            p = end
        }
        return out
    }
}
