import DICOMCore
import DICOMCoding

/// One line of inventory for a DICOM file (`cmr inspect --summary`).
public struct FileSummary: Encodable, Sendable, Equatable {
    public var path: String
    public var patientName: String?
    public var patientID: String?
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var sopInstanceUID: String?
    public var modality: String?
    public var sopClassUID: String?
    /// The registry name of the SOP class, when registered.
    public var sopClassName: String?
    public var transferSyntaxUID: String
    public var transferSyntaxName: String
    public var numberOfFrames: Int?
    public var rows: Int?
    public var columns: Int?
    /// File size in bytes.
    public var size: Int

    public init(path: String, file: DICOMFile) {
        let ds = file.dataSet
        self.path = path
        patientName = ds.string(.patientName)
        patientID = ds.string(.patientID)
        studyInstanceUID = ds.string(.studyInstanceUID)
        seriesInstanceUID = ds.string(.seriesInstanceUID)
        sopInstanceUID = ds.string(.sopInstanceUID) ?? file.meta.string(.mediaStorageSOPInstanceUID)
        modality = ds.string(.modality)
        sopClassUID = ds.string(.sopClassUID) ?? file.meta.string(.mediaStorageSOPClassUID)
        sopClassName = sopClassUID.flatMap { UIDRegistry.entry(for: $0)?.name }
        transferSyntaxUID = file.transferSyntax.uid
        transferSyntaxName = file.transferSyntax.name
        numberOfFrames = ds.int(.numberOfFrames) ?? (ds.contains(.pixelData) || ds.contains(.rows) ? 1 : nil)
        rows = ds.int(.rows)
        columns = ds.int(.columns)
        size = file.sourceSize
    }

    /// Column names of the text form, in order.
    public static let columnNames = ["path", "modality", "patientName", "patientID", "studyInstanceUID",
                                     "seriesInstanceUID", "sopInstanceUID", "sopClass", "transferSyntax",
                                     "frames", "rows", "columns", "size"]

    /// Tab-separated values in `columnNames` order; absent values are empty.
    public var tabSeparated: String {
        let fields: [String] = [
            path, modality ?? "", patientName ?? "", patientID ?? "", studyInstanceUID ?? "",
            seriesInstanceUID ?? "", sopInstanceUID ?? "", sopClassName ?? sopClassUID ?? "",
            transferSyntaxName, numberOfFrames.map(String.init) ?? "", rows.map(String.init) ?? "",
            columns.map(String.init) ?? "", String(size),
        ]
        return fields.map(FileSummary.oneField).joined(separator: "\t")
    }

    /// `s` with tabs and line breaks turned into spaces, so it stays one field of one line.
    static func oneField(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        return String(decoding: s.utf8.map { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }, as: UTF8.self)
    }
}

import Foundation
