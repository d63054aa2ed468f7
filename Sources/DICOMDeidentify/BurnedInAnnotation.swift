import DICOMCore

/// Whether a data set's pixels may show identifying text burned into them, and why.
///
/// Yes when Burned In Annotation (0028,0301) is YES; when it is absent and the object is of a
/// kind that usually carries text in its pixels: ultrasound, secondary capture (including the
/// multi-frame kinds), screen saves (Conversion Type WSD, Image Type with SCREEN SAVE), endoscopy
/// and other visible-light video and photographs, and documents scanned to images. NO in the file
/// is believed, except for screen saves.
public enum BurnedInAnnotation {
    public static func reason(for dataSet: DataSet) -> String? {
        guard dataSet.contains(.pixelData) || dataSet.contains(.floatPixelData) || dataSet.contains(.doubleFloatPixelData) else {
            return nil
        }
        let imageType = dataSet.strings(.imageType).map { $0.uppercased() }
        if imageType.contains("SCREEN SAVE") || imageType.contains("SCREENSHOT") {
            return "Image Type says SCREEN SAVE: screen captures show patient details"
        }
        if dataSet.string(.conversionType)?.uppercased() == "WSD" {
            return "Conversion Type WSD (workstation screen capture): screen captures show patient details"
        }
        switch dataSet.string(.burnedInAnnotation)?.uppercased() {
        case "YES"?: return "Burned In Annotation is YES"
        case "NO"?: return nil
        default: break
        }
        let sopClass = dataSet.string(.sopClassUID) ?? ""
        if let kind = kinds.first(where: { sopClass.hasPrefix($0.prefix) }) {
            return "\(kind.name) without Burned In Annotation = NO: such images usually carry burned-in text"
        }
        let modality = dataSet.string(.modality)?.uppercased() ?? ""
        if ["US", "ES", "XC", "GM", "SM", "OP", "DOC"].contains(modality) {
            return "modality \(modality) without Burned In Annotation = NO: such images usually carry burned-in text"
        }
        return nil
    }

    private static let kinds: [(prefix: String, name: String)] = [
        ("1.2.840.10008.5.1.4.1.1.7", "a secondary capture"),          // .7, .7.1–.7.4
        ("1.2.840.10008.5.1.4.1.1.6.", "an ultrasound image"),          // .6.1, .6.2
        ("1.2.840.10008.5.1.4.1.1.3.1", "an ultrasound multi-frame image"),
        ("1.2.840.10008.5.1.4.1.1.77.1.1", "a video endoscopic image"),  // and .77.1.1.1 video
        ("1.2.840.10008.5.1.4.1.1.77.1.2", "a video microscopic image"),
        ("1.2.840.10008.5.1.4.1.1.77.1.4", "a video photographic image"),
        ("1.2.840.10008.5.1.4.1.1.77.1.3", "a slide microscopic image"),
    ]
}
