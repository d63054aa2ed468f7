import DICOMCore
import DICOMCoding

// Filled in when DICOM JSON and validation land.
extension Inspector {
    static func jsonText(_ f: DICOMFile, path: String, options: Options) -> String { "{}" }
    static func validationProblems(_ f: DICOMFile) -> [Problem] { [] }
}
