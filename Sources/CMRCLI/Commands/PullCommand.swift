import Foundation
import CMRKit

/// `cmr pull`: the studies matching the keys, from a PACS into a folder (C-FIND, then C-GET or
/// C-MOVE; or QIDO-RS, then WADO-RS).
enum PullCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "pull",
            abstract: "Retrieve studies into a folder (C-GET, C-MOVE or WADO-RS)",
            discussion: """
                Finds the studies that match the keys (C-FIND at study level), lists each study's \
                instances (series, then image level), and retrieves those not yet in --out: by C-GET \
                on the same connection (the default; no inbound port is needed), or with --via move \
                by C-MOVE to cmr's own storage SCP, bound for the run to --listen AE@ADDRESS:PORT (the \
                PACS must know that AE title at that address). Files are written whole or not at all \
                and never replace an existing file: --layout tree (default) puts them in \
                DIR/PatientID/StudyUID/SeriesUID/SOPInstanceUID.dcm, --layout flat in \
                DIR/SOPInstanceUID.dcm, every name sanitised.

                Resume: an instance whose file is already in place is reported as 'exists' and not \
                asked for; a rerun after a failure asks only for what is missing (the whole study, \
                whole series, or a list of instances). The same rule drives the retries: a transient \
                failure (refused connection, reset, abort, timeout, busy peer) re-associates after a \
                pause with exponential backoff and full jitter and asks again for what is still \
                missing. The peer's sub-operation counts (completed, failed, warning) are checked \
                against what C-FIND listed and against the files written; a difference is reported.

                With --from https://HOST/PATH (a DICOMweb service root), QIDO-RS finds the studies \
                and lists each study's instances, and WADO-RS retrieves what is missing: a whole \
                series when none of it is here, else instance by instance. Each part of the \
                response is written to its own file as it is parsed, made durable in batches and \
                placed like a C-GET file, so a run that stops keeps every complete instance; what \
                arrived is checked against what was listed. HTTP 408, 429, 5xx and connection failures are retried (Retry-After is \
                honoured), asking only for what is still missing; a 401 runs --token-command again \
                once. --max-rate paces the reading of the responses (on average: each response is \
                received whole into a spool file, then parsed at the rate). Credentials: \
                --token-file, --token-command, --user-file or $CMR_TOKEN, never the command line; \
                plain http:// only to loopback unless --allow-insecure.

                Exit status 0 means every listed instance is in the output. --report FILE writes one \
                JSON line per instance (received, exists, failed with the reason) and a summary line. \
                The audit log gets one Query record (110112) with the keys and one Instances \
                Transferred record (110104, action C) per study, with each file's SHA-256.
                """,
            examples: [
                UsageExample("cmr pull --from dicom://PACS@10.0.0.5:104 --study 1.2.3 --out in/", "One study by C-GET into in/PatientID/1.2.3/..."),
                UsageExample("cmr pull --from dicom://PACS@pacs:104 --accession A123 --out in/ --print-paths | cmr deidentify --mode pseudonymous --key-file site.key --out out/ -",
                             "Pull and de-identify in one pipeline."),
                UsageExample("cmr pull --from dicom://PACS@pacs:104 --patient-id 42 --via move --listen CMR@127.0.0.1:11112 --out in/",
                             "By C-MOVE to cmr's own storage SCP (the PACS must know CMR at that address)."),
                UsageExample("cmr pull --from dicom://PACS@pacs:104 --date-range 20260101- --modality CT --out in/ --report pull.jsonl --deadline 2h",
                             "A cron job: this year's CT studies, a report, at most two hours."),
                UsageExample("cmr pull --from https://pacs.example.org/dicom-web --token-command 'gcloud auth print-access-token' --study 1.2.3 --out in/",
                             "One study over DICOMweb (QIDO-RS, then WADO-RS)."),
            ],
            options: [.from, .value("out", short: "o", valueName: "DIR", help: "The folder to write into (created when missing).", completion: .directory)]
                + OptionSpec.queryKeyOptions.filter { $0.name != "series" }
                + [.repeatable("series", valueName: "UID", help: "Only this series of the study (repeat for several); needs --study.")]
                + [.value("layout", valueName: "LAYOUT", help: "tree (DIR/PatientID/StudyUID/SeriesUID/SOPInstanceUID.dcm, default) or flat (DIR/SOPInstanceUID.dcm).",
                          completion: .choices(["tree", "flat"])),
                   .value("via", valueName: "METHOD", help: "get (C-GET, default) or move (C-MOVE to --listen).", completion: .choices(["get", "move"])),
                   .value("listen", valueName: "AE@ADDRESS:PORT", help: "With --via move: the AE title and address of cmr's storage SCP for the run (default address 127.0.0.1)."),
                   .value("move-timeout", valueName: "SECONDS", help: "With --via move: give up when no sub-operation came for this long (default 600)."),
                   .value("max-rate", valueName: "RATE", help: "Hold the run under RATE bytes per second: 10M, 500k, 1.5MiB."),
                   .flag("print-paths", help: "Print the path of each instance in the output (received or already there), one per line."),
                   .value("report", valueName: "FILE", help: "Write a JSON Lines report: one line per instance, then a summary.", completion: .file),
                   .flag("overwrite", help: "Replace an existing --report FILE."),
                   .json("Print the report's lines on standard output as they happen."),
                   .aeTitle]
                + OptionSpec.timeoutOptions + OptionSpec.retryOptions + OptionSpec.webOptions + [.auditLog],
            category: .transfer,
            exitStatuses: [
                ExitStatusNote(0, "Every instance the query listed is in the output (received now, or there already)."),
                ExitStatusNote(1, "Partial: some instances were not received (the report names them), or no study matched."),
                ExitStatusNote(64, "The command line is wrong (also --via move with an https:// peer)."),
                ExitStatusNote(69, "The peer is unreachable, or closed or aborted the association, after the retries, and nothing was received."),
                ExitStatusNote(73, "The output folder or the report cannot be created (the report exists without --overwrite)."),
                ExitStatusNote(74, "A write failed, or the audit record could not be appended."),
                ExitStatusNote(75, "A timeout, the deadline, a busy peer, or a --listen port in use ended the run before anything was received."),
                ExitStatusNote(76, "The peer broke the protocol (also a malformed DICOMweb response)."),
                ExitStatusNote(77, "The peer rejected the association (the reject reason is printed) or accepts none of what was proposed; the DICOMweb server refused the credentials (401, 403); plain http:// to a host that is not loopback."),
                ExitStatusNote(78, "No audit log location is set; --from is not a DICOMweb service root; --token-command failed."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let out = inv.value("out") else {
            throw CMRError(.usage, "--out is required", hint: "name the folder to write into: --out DIR")
        }
        let endpoint = try inv.fromEndpoint()
        var request = PullRequest(query: try inv.queryRequest(level: .study), output: out, layout: try OutputLayout.parse(inv.value("layout")))
        request.retry = inv.retryPolicy()
        request.series = inv.values("series")
        // The series narrow what is listed within each study; the study query itself is not keyed on them.
        request.query.keys.removeAll { $0.tag == .seriesInstanceUID }
        if !request.series.isEmpty && inv.values("study").isEmpty {
            throw CMRError(.usage, "--series needs --study", hint: "name the study the series belongs to: --study UID --series UID")
        }
        request.method = try method(inv)
        if case .web = endpoint, request.method != .get {
            throw CMRError(.usage, "--via move and --listen apply to a DIMSE peer", hint: "over DICOMweb, cmr pull retrieves with WADO-RS")
        }
        if let s = try inv.seconds("move-timeout") { request.moveTimeout = s }
        let reportPath = inv.value("report")
        if let reportPath { try TransferReportWriter.checkWritable(reportPath, overwrite: inv.flag("overwrite")) }
        let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)

        let operation: PullRunner
        switch endpoint {
        case .dimse(let address): operation = PullOperation(request: request, peer: try inv.dimsePeer(address), audit: audit)
        case .web(let url): operation = WebPullOperation(request: request, peer: try inv.webPeer(url), audit: audit)
        }
        let progress = inv.progress("pull")
        let printPaths = inv.flag("print-paths"), json = inv.wantsJSON
        operation.onListed = { progress.setTotal($0) }
        operation.onRecord = { record in
            progress.advance()
            if json { inv.output.line(TransferReportWriter.line(record)) }
            if printPaths && (record.status == .received || record.status == .exists) { inv.output.line(record.path) }
        }
        let result = try operation.run()
        progress.finish()
        if let reportPath { try TransferReportWriter.write(result.records, summary: result.summary, to: reportPath, overwrite: inv.flag("overwrite")) }
        if json { inv.output.line(TransferReportWriter.summaryLine(result.summary)) }
        for study in result.studies { for note in study.notes { inv.diagnostics.note(note) } }
        // Each instance not received, with why (the first 20; the report has them all).
        let failed = result.records.filter { $0.status == .failed }
        for r in failed.prefix(20) { inv.diagnostics.error("\(r.sopInstanceUID ?? r.path): \(r.comment ?? "not received")") }
        if failed.count > 20 { inv.diagnostics.error("and \(failed.count - 20) more not received", hint: "--report FILE lists every instance") }
        let s = result.summary
        if result.studies.isEmpty && result.stoppedBy == nil {
            inv.diagnostics.error("no study matched the query on \(endpoint)", hint: "check the keys with cmr query")
            return 1
        }
        if let stopped = result.stoppedBy, s.stored + s.skipped == 0 { throw stopped }
        if let stopped = result.stoppedBy { inv.diagnostics.error(stopped.message, hint: stopped.hint) }
        if !inv.isQuiet {
            var note = "\(s.stored) received, \(s.skipped) already present"
            if s.failed > 0 { note += ", \(s.failed) not received" }
            inv.diagnostics.note(note + " from \(result.studies.count) stud\(result.studies.count == 1 ? "y" : "ies")" + String(format: " in %.2f s", s.seconds))
        }
        return result.exitStatus
    }

    static func method(_ inv: Invocation) throws(CMRError) -> RetrieveMethod {
        let via = inv.value("via")?.lowercased() ?? (inv.isGiven("listen") ? "move" : "get")
        switch via {
        case "get":
            if inv.isGiven("listen") { throw CMRError(.usage, "--listen applies to --via move") }
            return .get
        case "move":
            guard let text = inv.value("listen") else {
                throw CMRError(.usage, "--via move needs --listen AE@ADDRESS:PORT", hint: "the PACS sends to that AE title, which it must know at that address")
            }
            return .move(listen: try DIMSEAddress.parseListen(text))
        default:
            throw CMRError(.usage, "--via '\(via)' is not get or move")
        }
    }
}

