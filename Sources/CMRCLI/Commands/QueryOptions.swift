import Foundation
import CMRKit
import DICOMCore

/// The query keys `cmr query` and `cmr pull` share (docs/transfer.md "cmr query").
extension OptionSpec {
    static let from = OptionSpec.value("from", valueName: "PEER",
                                       help: "The peer to ask: a DICOM AE (dicom://PACS@10.0.0.5:104) or a DICOMweb service root (https://pacs.example.org/dicom-web).")
    static let queryKeyOptions: [OptionSpec] = [
        .repeatable("study", valueName: "UID", help: "Study Instance UID (repeat for several)."),
        .value("series", valueName: "UID", help: "Series Instance UID."),
        .value("patient-id", valueName: "ID", help: "Patient ID."),
        .value("patient-name", valueName: "NAME", help: "Patient's Name, DICOM form with wildcards: 'DOE^J*'."),
        .value("accession", valueName: "NUMBER", help: "Accession Number."),
        .value("modality", valueName: "MODALITY", help: "Modality (Modalities in Study at study level): CT, MR, ..."),
        .value("date-range", valueName: "RANGE", help: "Study Date: 20260101-20260131, 2026-01-01..2026-01-31, one date, or an open end."),
        .repeatable("key", short: "k", valueName: "KEY[=VALUE]",
                    help: "Any attribute by keyword or tag: -k PatientSex=F, -k 0008,1030=*HEAD*; without a value it is asked for (a return key)."),
        .value("model", valueName: "MODEL", help: "Information model: study (Study Root, default) or patient (Patient Root).",
               completion: .choices(["study", "patient"])),
    ]
}

extension Invocation {
    /// The peer of `--from`: a DIMSE AE or a DICOMweb service root.
    func fromEndpoint() throws(CMRError) -> TransferEndpoint {
        guard let text = value("from") else {
            throw CMRError(.usage, "--from is required", hint: "name the peer: --from dicom://PACS@10.0.0.5:104 or --from https://pacs.example.org/dicom-web")
        }
        return try TransferEndpoint.parse(text, option: "--from")
    }

    /// The query at `level` from the key options, in a fixed order, then `-k` keys as given.
    func queryRequest(level: QueryLevel) throws(CMRError) -> QueryRequest {
        var model = QueryModel.study
        if let text = value("model") {
            guard let m = QueryModel(rawValue: text.lowercased()) else { throw CMRError(.usage, "--model '\(text)' is not study or patient") }
            model = m
        }
        if level == .patient { model = .patient }
        var keys: [QueryKey] = []
        let studies = values("study")
        if !studies.isEmpty { keys.append(QueryKey(.studyInstanceUID, studies.joined(separator: "\\"))) }
        if spec.option(named: "series") != nil, let v = value("series") { keys.append(QueryKey(.seriesInstanceUID, v)) }
        if let v = value("patient-id") { keys.append(QueryKey(.patientID, v)) }
        if let v = value("patient-name") { keys.append(QueryKey(.patientName, v)) }
        if let v = value("accession") { keys.append(QueryKey(.accessionNumber, v)) }
        if let v = value("modality") { keys.append(QueryKey(level == .study || level == .patient ? .modalitiesInStudy : .modality, v)) }
        if let v = value("date-range") { keys.append(QueryKey(.studyDate, try QueryKey.dateRange(v))) }
        for text in values("key") { keys.append(try QueryKey.parse(text)) }
        return QueryRequest(level: level, model: model, keys: keys)
    }

    /// The peer with this run's AE title, timeouts, deadline and `--max-rate`.
    func dimsePeer(_ address: DIMSEAddress) throws(CMRError) -> DIMSEPeer {
        DIMSEPeer(address: address, callingAETitle: try callingAETitle(), timeouts: try networkTimeouts(),
                  deadline: try deadline(), limiter: try rateLimiter())
    }

    /// The DICOMweb service with this run's credentials (`webOptions`), timeouts, deadline and `--max-rate`.
    func webPeer(_ url: URL) throws(CMRError) -> WebPeer {
        try WebPeer(url: url, credentials: try webCredentialSource(), allowInsecure: flag("allow-insecure"), timeouts: try networkTimeouts(),
                    deadline: try deadline(), limiter: try rateLimiter())
    }

    /// `--max-rate`, for the commands that have it.
    func rateLimiter() throws(CMRError) -> RateLimiter? {
        guard spec.option(named: "max-rate") != nil, let text = value("max-rate") else { return nil }
        guard let rate = RateLimiter.parseRate(text) else {
            throw CMRError(.usage, "--max-rate '\(text)' is not a rate", hint: "bytes per second: 10M, 500k, 1.5MiB")
        }
        return RateLimiter(bytesPerSecond: rate)
    }
}
