import CMRAudit
import CMRCrypto
import DICOMCoding

extension AuditOperations {
    /// What `cmr audit export` writes.
    public enum ExportFormat: String, Sendable, CaseIterable {
        /// FHIR R4 AuditEvent resources: one Bundle (type collection), or one resource per line.
        case fhir
        /// DICOM audit messages (PS3.15 A.5.1), one `AuditMessage` document per line.
        case dicom
    }

    public struct ExportSummary: Sendable {
        public var exported = 0
        public var unreadableLines = 0
    }

    /// The bytes of a FHIR Bundle around its entries, as `CanonicalJSON` writes
    /// `AuditExport.fhirBundle` (keys sorted: entry, resourceType, type), so a bundle can be
    /// streamed one entry at a time. FHIR JSON has no empty arrays: a bundle of no record has
    /// no `entry` at all (`emptyBundle`).
    static let bundleHead = Array("{\"entry\":[".utf8)
    static let bundleTail = Array("],\"resourceType\":\"Bundle\",\"type\":\"collection\"}\n".utf8)
    static let emptyBundle = Array("{\"resourceType\":\"Bundle\",\"type\":\"collection\"}\n".utf8)

    /// Reads the log and writes the records `filter` matches in `format`, to `outPath`
    /// (atomically: a temporary file moved into place when complete; never replacing a file
    /// unless `overwrite`) or else through `standardOutput`. Lines that are not records are
    /// reported through `warning` and counted, not exported.
    public static func export(logPath: String, filter: Filter, format: ExportFormat, jsonLines: Bool, site: String?,
                              outPath: String?, overwrite: Bool,
                              standardOutput: ([UInt8]) -> Void, warning: (String) -> Void) throws(CMRError) -> ExportSummary {
        try requireLog(logPath)
        var file: AtomicFileWriter?
        if let outPath {
            do { file = try AtomicFileWriter(path: outPath, overwrite: overwrite, mode: 0o600) } catch {
                throw CMRError.writing(outPath, error)
            }
        }
        var failure: Error?
        func emit(_ bytes: [UInt8]) {
            guard failure == nil else { return }
            if file != nil {
                do { try bytes.withUnsafeBytes { try file!.write($0) } } catch { failure = error }
            } else {
                standardOutput(bytes)
            }
        }
        let exporter = AuditExport(site: site)
        var summary = ExportSummary()
        let bundle = format == .fhir && !jsonLines
        do {
            try forEachLine(logPath: logPath) { line in
                switch line {
                case let .unreadable(number, reason):
                    summary.unreadableLines += 1
                    warning("\(logPath): line \(number) is not a record, not exported: \(reason)")
                case let .record(record, text):
                    guard filter.matches(record) else { return }
                    let hash = Hex.encode(MerkleTree.leafHash(Array(text.utf8)))
                    var bytes: [UInt8]
                    switch format {
                    case .fhir:
                        bytes = !bundle ? [] : summary.exported == 0 ? bundleHead : [UInt8(ascii: ",")]
                        let event = exporter.fhirAuditEvent(record, hashHex: hash)
                        CanonicalJSON.write(bundle ? .object(["resource": event]) : event, into: &bytes)
                        if !bundle { bytes.append(0x0A) }
                    case .dicom:
                        bytes = exporter.dicomAuditMessage(record, hashHex: hash)
                        bytes.append(0x0A)
                    }
                    emit(bytes)
                    summary.exported += 1
                }
            }
        } catch {
            file?.abort()
            throw error
        }
        if bundle { emit(summary.exported == 0 ? emptyBundle : bundleTail) }
        if let failure {
            file?.abort()
            throw CMRError.writing(outPath ?? "-", failure)
        }
        if var file {
            do { try file.commit() } catch { throw CMRError.writing(outPath!, error) }
        }
        return summary
    }
}
