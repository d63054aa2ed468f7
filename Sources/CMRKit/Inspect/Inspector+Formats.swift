import Foundation
import DICOMCore
import DICOMCoding

extension Inspector {
    /// DICOM JSON of one file: binary values above the threshold become a BulkDataURI naming the
    /// file and the element's path in it (`file:///abs/scan.dcm#00081140/0/7FE00010`).
    static func jsonText(_ f: DICOMFile, path: String, options: Options) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.absoluteString
        var o = DICOMJSON.EncodeOptions(bulkDataThreshold: options.bulkDataThreshold > 0 ? options.bulkDataThreshold : Int.max)
        o.bulkDataURI = { tag, location in absolute + "#" + location.description(appending: tag) }
        return String(decoding: DICOMJSON.encode(f.dataSet, options: o), as: UTF8.self)
    }

    /// Value problems of the meta header and the data set (see `DataSetValidator`).
    static func validationProblems(_ f: DICOMFile) -> [Problem] {
        let validator = DataSetValidator()
        return (validator.validate(f.meta) + validator.validate(f.dataSet)).map {
            Problem(severity: $0.severity.rawValue, code: $0.code.rawValue, path: $0.path,
                    message: "\($0.tag) \($0.path): \($0.message)")
        }
    }
}
