import DICOMCore
import DICOMDictionary

/// The words that identify someone in a data set: every person name (each component, and each
/// word of it), the patient's and other identifiers, the birth date in the forms people write it,
/// institution, department, station and device. Text the profile cleans (action C) has these
/// redacted; the leak check looks for them in the output.
enum IdentityTokens {
    /// Attributes whose values are identifiers or identifying names, besides every PN attribute.
    static let identifierTags: Set<UInt32> = [
        0x0010_0020, // Patient ID
        0x0010_1000, // Other Patient IDs
        0x0010_1002, // Other Patient IDs Sequence (its items' Patient IDs)
        0x0010_0021, // Issuer of Patient ID
        0x0010_1040, // Patient's Address
        0x0010_2154, // Patient's Telephone Numbers
        0x0010_2155, // Patient's Telecom Information
        0x0010_1090, // Medical Record Locator
        0x0010_1050, // Insurance Plan Identification
        0x0010_0050, // Patient's Insurance Plan Code Sequence
        0x0008_0050, // Accession Number
        0x0020_0010, // Study ID
        0x0008_0080, // Institution Name
        0x0008_0081, // Institution Address
        0x0008_1040, // Institutional Department Name
        0x0008_1010, // Station Name
        0x0018_1000, // Device Serial Number
        0x0040_1001, // Requested Procedure ID
        0x0040_0009, // Scheduled Procedure Step ID
        0x0040_0253, // Performed Procedure Step ID
        0x0038_0010, // Admission ID
        0x0038_0400, // Patient's Institution Residence
        0x0040_2016, // Placer Order Number / Imaging Service Request
        0x0040_2017, // Filler Order Number / Imaging Service Request
        0x0012_0040, // Clinical Trial Subject ID
        0x0012_0042, // Clinical Trial Subject Reading ID
    ]

    static func collect(from dataSet: DataSet, path: String = "", into tokens: inout [[UInt8]: String]) {
        for element in dataSet {
            if case .sequence(let s) = element.value {
                for (index, item) in s.items.enumerated() {
                    collect(from: item.dataSet, path: path + element.tag.description + "[\(index)].", into: &tokens)
                }
                continue
            }
            let tag = element.tag
            let vr = element.vr == .UN ? (DataDictionary.entry(for: tag.rawValue)?.vr ?? .UN) : element.vr
            var found: Set<[UInt8]> = []
            if vr == .PN {
                element.value.withUnsafeBytes { raw in addName(Array(raw), into: &found) }
            } else if identifierTags.contains(tag.rawValue) && vr.isString {
                element.value.withUnsafeBytes { raw in
                    for value in Run.splitValues(Array(raw), vr: vr) where value.count >= 2 { found.insert(value) }
                }
            } else if tag == .patientBirthDate {
                for value in dataSet.strings(of: element) { addDate(value, into: &found) }
            }
            for token in found where tokens[token] == nil { tokens[token] = path + tag.description }
        }
    }

    /// A PN value: each value, each component group, each component, each word of two or more bytes.
    static func addName(_ raw: [UInt8], into tokens: inout Set<[UInt8]>) {
        for value in Run.splitValues(raw, vr: .PN) where !value.isEmpty {
            for group in value.split(separator: 0x3D) {   // '='
                for component in group.split(separator: 0x5E) {   // '^'
                    let c = Run.trimmed(Array(component))
                    if c.count >= 2 { tokens.insert(c) }
                    for word in c.split(whereSeparator: { $0 == 0x20 || $0 == 0x2C || $0 == 0x2D }) where word.count >= 2 {
                        tokens.insert(Array(word))
                    }
                }
                // "GIVEN FAMILY" as people write it in free text.
                let parts = group.split(separator: 0x5E).map { Run.trimmed(Array($0)) }.filter { !$0.isEmpty }
                if parts.count >= 2 {
                    tokens.insert(parts[1] + [0x20] + parts[0])
                    tokens.insert(parts[0] + [0x20] + parts[1])
                }
            }
        }
    }

    /// YYYYMMDD and the forms YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY.
    static func addDate(_ value: String, into tokens: inout Set<[UInt8]>) {
        let d = Array(value.utf8)
        guard d.count == 8, d.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return }
        let y = Array(d[0..<4]), m = Array(d[4..<6]), day = Array(d[6..<8])
        tokens.insert(d)
        tokens.insert(y + [0x2D] + m + [0x2D] + day)
        tokens.insert(y + [0x2F] + m + [0x2F] + day)
        tokens.insert(day + [0x2E] + m + [0x2E] + y)
        tokens.insert(day + [0x2F] + m + [0x2F] + y)
        tokens.insert(m + [0x2F] + day + [0x2F] + y)
    }
}
