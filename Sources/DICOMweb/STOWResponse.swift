import DICOMCore
import DICOMCoding

/// What a STOW-RS response says about each instance (PS3.18 §10.5.3, Table 10.5.3-1): the
/// Referenced SOP Sequence (stored, maybe with a Warning Reason) and the Failed SOP Sequence
/// (with a Failure Reason), in DICOM JSON or in the Native DICOM Model (XML).
public struct STOWResponse: Sendable, Equatable {
    public struct Reference: Sendable, Equatable {
        public var sopClassUID: String
        public var sopInstanceUID: String
        public var retrieveURL: String?
        /// Warning Reason (0008,1196): 0xB000 coercion, 0xB006 elements discarded, 0xB007 data set does not match SOP class.
        public var warningReason: Int?
        /// Failure Reason (0008,1197) for failed instances: 0xA700 out of resources, 0xA900 SOP class mismatch, 0xC000 cannot understand, 0x0110 processing failure, 0x0122 SOP class not supported, …
        public var failureReason: Int?
    }

    public var retrieveURL: String?
    public var stored: [Reference] = []
    public var failed: [Reference] = []
    /// Warning Reason on the response's top level.
    public var warningReason: Int?

    public init() {}

    /// Parses by media type: `application/dicom+json` (or `application/json`), or
    /// `application/dicom+xml` (or `…/xml`); with no usable type, whichever the body starts as.
    public static func parse(_ body: [UInt8], contentType: String?) throws -> STOWResponse {
        let essence = contentType.flatMap(MediaType.init(parsing:))?.essence ?? ""
        let firstByte = body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        if essence.hasSuffix("xml") || (!essence.hasSuffix("json") && firstByte == UInt8(ascii: "<")) {
            return try parse(dataSet: NativeDICOMModel.decode(body))
        }
        do {
            let list = try DICOMJSON.decodeList(body)
            guard let first = list.first else { return STOWResponse() }
            return parse(dataSet: first)
        } catch let e as DICOMJSONError {
            throw DICOMwebError(.malformedResponse, "STOW response is not DICOM JSON: \(e)")
        }
    }

    public static func parse(dataSet ds: DataSet) -> STOWResponse {
        var r = STOWResponse()
        r.retrieveURL = ds.string(.retrieveURL)
        r.warningReason = ds.int(.warningReason)
        for item in ds.items(.referencedSOPSequence) { r.stored.append(reference(item)) }
        for item in ds.items(.failedSOPSequence) { r.failed.append(reference(item)) }
        return r
    }

    static func reference(_ item: DataSet) -> Reference {
        Reference(sopClassUID: item.string(Tag(0x0008_1150)) ?? "",
                  sopInstanceUID: item.string(.referencedSOPInstanceUID) ?? "",
                  retrieveURL: item.string(.retrieveURL),
                  warningReason: item.int(.warningReason),
                  failureReason: item.int(.failureReason))
    }
}
