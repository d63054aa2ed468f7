import Foundation
import CMRKit

/// `cmr send`: DICOM files to a storage SCP over DIMSE (C-STORE) or to a DICOMweb service
/// (STOW-RS), cron-grade (docs/transfer.md).
enum SendCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "send",
            abstract: "Send DICOM files to a PACS (C-STORE) or DICOMweb (STOW-RS)",
            discussion: """
                Scans the files first (folders are searched; files that are not DICOM are skipped \
                with a note; files without a Part 10 meta header fail), then proposes exactly the \
                SOP class and transfer syntax pairs found, plus explicit and implicit VR little \
                endian for each SOP class, splitting them over several associations past 128 \
                presentation contexts. When the peer refuses a file's transfer syntax, cmr \
                re-encodes it in one the peer accepted where it can (uncompressed and deflated \
                syntaxes among themselves; RLE, JPEG and JPEG-LS to uncompressed) and reports \
                transcodedFrom; --transcode never fails such files instead.

                Each file gets a record: stored, warning (the peer stored it with a warning such \
                as B000 coercion of data elements: not a failure), failed (with the peer's DIMSE \
                status and error comment, or the reason), or skipped. A journal per destination \
                (--journal, by default under $CMR_JOURNAL_DIR or ~/.local/state/cmr/journal) \
                records each acknowledged file by SOP Instance UID and SHA-256, so a rerun sends \
                only what was not acknowledged (--no-resume sends everything); a lock beside it \
                keeps overlapping runs to one destination apart.

                Transient failures (connection refused or reset, A-ABORT, timeouts, a busy peer, \
                out-of-resources statuses A7xx) are retried --retries times on a new association, \
                after pauses growing exponentially with random jitter, going on with the files not \
                yet acknowledged. --deadline bounds the whole run. --associations N sends over N \
                associations at once (default 1; 2 to 4 speed up many small files). Each \
                association proposes an asynchronous operations window of --window N requests \
                (default 8; 1 proposes none): when the peer grants it, up to that many C-STORE \
                requests are in flight at once, and only a response makes a file stored. Quiet by \
                default: errors and warnings only, a progress line on a terminal; the exit status \
                tells cron what happened.

                DICOMweb (--to https://host/dicom-web): files go as they are, in batches of \
                --batch-count files and at most --batch-bytes bytes (default 50 and 64Mi), one \
                STOW-RS request each, the body written to a temporary file first. The answer is \
                read file by file: stored, warning (a Warning Reason such as B000), failed (a \
                Failure Reason, or not acknowledged when the server answered an error); an error \
                status with some files stored is a partial result (1). Retries as above, also on \
                HTTP 408, 429 and 5xx, waiting what Retry-After asks (up to 60 s), sending again \
                only what was not acknowledged. Credentials come from --token-file, \
                --token-command (run again once on 401), --user-file or $CMR_TOKEN, never from \
                the command line; plain http:// is refused (77) to anything but loopback without \
                --allow-insecure. --associations N makes N requests at once; --dimse-timeout is \
                the wait for the server's answer; --connect-timeout and --association-timeout do \
                not apply.
                """,
            examples: [
                UsageExample("cmr send --to dicom://PACS@10.0.0.5:104 study/", "Send a folder of DICOM files."),
                UsageExample("find /data/out -name '*.dcm' | cmr send --to dicom://PACS@pacs:11112 --ae-title GATEWAY -",
                             "Paths from standard input, with this side's AE title."),
                UsageExample("cmr send --to dicom://PACS@pacs:104 --associations 4 --max-rate 20M --report send.jsonl out/",
                             "Four associations at once, at most 20 MB/s together, a JSON Lines report."),
                UsageExample("*/10 * * * * cmr send --to dicom://PACS@pacs:104 --deadline 9m --log-format json /srv/outbox 2>>/var/log/cmr-send.log",
                             "A crontab line: every ten minutes, what is new in the outbox; overlapping runs wait for nothing (75)."),
                UsageExample("CMR_TOKEN=$(cat /run/secrets/archive) cmr send --to https://archive.example.org/dicom-web --batch-count 20 out/",
                             "Send over DICOMweb (STOW-RS), a bearer token from the environment, 20 files per request."),
                UsageExample("cmr deidentify --mode deidentified --key-file site.key --out clean/ --print-paths in/ | cmr send --to dicom://ARCHIVE@archive:104 -",
                             "De-identify, then send what was written."),
            ],
            options: [
                .value("to", valueName: "URL", help: "The destination: dicom://CALLED_AE@host:port (port 104 when omitted), or a DICOMweb service root https://host/path."),
                .aeTitle,
            ] + OptionSpec.timeoutOptions + OptionSpec.retryOptions + [
                .value("associations", valueName: "N", help: "Associations (DICOMweb: requests) used at once, each over its share of the files (default 1).",
                       type: .integer(minimum: 1)),
                .value("window", valueName: "N", help: "DIMSE: C-STORE requests in flight on one association when the peer grants an asynchronous operations window (default 8; 1: one at a time, none proposed).",
                       type: .integer(minimum: 1)),
                .value("max-rate", valueName: "RATE", help: "At most RATE bytes per second for the whole run (10M, 500k, 1.5Mi)."),
                .value("journal", valueName: "FILE", help: "The journal of acknowledged files (default: one per destination under $CMR_JOURNAL_DIR, $XDG_STATE_HOME/cmr/journal or ~/.local/state/cmr/journal).",
                       completion: .file),
                .negatable("resume", default: true, help: "Skip files the journal says the peer acknowledged, and journal new acknowledgements (--no-resume: send everything, record nothing)."),
                .value("wait-lock", valueName: "SECONDS", help: "Wait this long for another run to the same destination to finish (default 0: fail with 75)."),
                .value("transcode", valueName: "WHEN", help: "Re-encode files whose transfer syntax the peer refuses: auto (when cmr can) or never.",
                       completion: .choices(["auto", "never"]), default: "auto"),
                .value("batch-count", valueName: "N", help: "DICOMweb: at most N files per STOW-RS request (default 50).",
                       type: .integer(minimum: 1)),
                .value("batch-bytes", valueName: "SIZE", help: "DICOMweb: at most SIZE bytes per STOW-RS request (default 64Mi; a larger file goes alone)."),
            ] + OptionSpec.webOptions + [
                .value("report", valueName: "FILE", help: "Write a JSON Lines report, one line per file and a summary line, to FILE.", completion: .file),
                .flag("overwrite", help: "Replace the report file if it exists."),
                .flag("null", short: "0", help: "Paths on standard input are separated by NUL characters, not newlines."),
                .json("Print one JSON object per file (JSON Lines) and a summary object last."),
                .logFormat,
                .auditLog,
            ],
            positionals: [
                PositionalSpec("FILE|DIR|-", help: "DICOM files or folders; '-' reads paths from standard input.", arity: .oneOrMore, completion: .file),
            ],
            category: .transfer,
            exitStatuses: [
                ExitStatusNote(0, "Every file was stored (warnings included) or skipped because the journal says the peer has it."),
                ExitStatusNote(1, "Some files failed; the others were stored (the report names each)."),
                ExitStatusNote(64, "The command line is wrong (credentials in the URL included)."),
                ExitStatusNote(65, "The only input is not DICOM or has no Part 10 meta header."),
                ExitStatusNote(66, "An input does not exist."),
                ExitStatusNote(69, "The peer is unreachable or aborted, after the retries, and nothing was stored."),
                ExitStatusNote(73, "The report or the journal cannot be created (a report exists without --overwrite)."),
                ExitStatusNote(74, "A write failed, or the audit record could not be appended."),
                ExitStatusNote(75, "A timeout, the deadline, a busy peer, or another run holding the journal's lock ended the run; running again may work."),
                ExitStatusNote(76, "The peer broke the DICOM protocol."),
                ExitStatusNote(77, "The peer rejected the association permanently (the reason is printed), or accepts none of the files; DICOMweb: the server refused the credentials (401, 403), a secret file is readable by others, or plain http:// to a host that is not loopback without --allow-insecure."),
                ExitStatusNote(78, "No audit log location is set; DICOMweb: the URL is no STOW-RS service (404, 405, a redirect), or --token-command failed."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let to = inv.value("to") else {
            throw CMRError(.usage, "--to is required", hint: "name the destination, e.g. --to dicom://PACS@10.0.0.5:104")
        }
        guard !inv.positionals.isEmpty else {
            throw CMRError(.usage, "no input given", hint: "name files or folders, or '-' to read paths from standard input")
        }
        let destination = try TransferEndpoint.parse(to, option: "--to")
        var request = SendRequest(inputs: inv.positionals, destination: destination)
        request.callingAETitle = try inv.callingAETitle()
        request.timeouts = try inv.networkTimeouts()
        request.retry = inv.retryPolicy()
        request.deadline = try inv.deadline()
        request.associations = inv.integer("associations") ?? 1
        request.window = inv.integer("window") ?? SendRequest.defaultWindow
        if let text = inv.value("max-rate") {
            guard let rate = RateLimiter.parseRate(text) else {
                throw CMRError(.usage, "--max-rate '\(text)' is not a rate", hint: "bytes per second, e.g. 250000, 500k, 10M, 1.5Mi")
            }
            request.maxRate = rate
        }
        guard let transcode = SendRequest.TranscodePolicy(rawValue: inv.value("transcode") ?? "auto") else {
            throw CMRError(.usage, "--transcode '\(inv.value("transcode") ?? "")' is neither auto nor never")
        }
        request.transcode = transcode
        request.resume = inv.flag("resume")
        request.waitLock = try inv.seconds("wait-lock") ?? 0
        request.nulSeparated = inv.flag("null")
        let webOnly = ["batch-count", "batch-bytes", "token-file", "token-command", "user-file"].filter { inv.value($0) != nil }
            + (inv.flag("allow-insecure") ? ["allow-insecure"] : [])
        if case .web = destination, inv.value("window") != nil {
            throw CMRError(.usage, "--window applies to DIMSE destinations (dicom://…), not to \(to)")
        }
        if case .dimse = destination, let first = webOnly.first {
            throw CMRError(.usage, "--\(first) applies to DICOMweb destinations (https://…), not to \(to)")
        }
        if case .web = destination {
            request.web.credentials = try inv.webCredentialSource()
            request.web.allowInsecure = inv.flag("allow-insecure")
            if let n = inv.integer("batch-count") { request.web.batchCount = n }
            if let text = inv.value("batch-bytes") {
                guard let size = RateLimiter.parseRate(text), size >= 1, size < 1e15 else {
                    throw CMRError(.usage, "--batch-bytes '\(text)' is not a size", hint: "bytes, e.g. 1000000, 16M, 64Mi")
                }
                request.web.batchBytes = Int64(size)
            }
        }
        request.journalPath = inv.value("journal")
            ?? TransferJournal.defaultFolder(environment: inv.environment).map { TransferJournal.defaultPath(folder: $0, destination: destination.description) }
        if request.journalPath == nil && request.resume {
            inv.diagnostics.warning("no journal location (neither --journal, CMR_JOURNAL_DIR, XDG_STATE_HOME nor HOME): sending without resume")
            request.resume = false
        }
        if let format = inv.value("log-format"), format != "text", format != "json" {
            throw CMRError(.usage, "--log-format '\(format)' is neither text nor json")
        }
        let operation = try SendOperation(request)
        let reportPath = inv.value("report")
        if let reportPath { try TransferReportWriter.checkWritable(reportPath, overwrite: inv.flag("overwrite")) }
        let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
        let stdin = inv.positionals.contains("-") ? try inv.readStandardInput() : []

        let progress = inv.progress("send")
        let result = try operation.run(readStdin: { stdin }, willSend: { start throws(CMRError) in
            try audit.append([audit.sendBeginDraft(start)])
        }, progress: progress.step)
        progress.finish()

        for note in result.notes {
            if note.kind == .inputMissing { inv.diagnostics.error(note.message) } else { inv.diagnostics.note(note.message) }
        }
        report(result, to: inv)
        let summary = result.summary
        if summary.stored + summary.warnings + summary.failed > 0 {
            try audit.append(try audit.sendDrafts(result: result))
        }
        if let reportPath {
            try TransferReportWriter.write(result.records, summary: summary, to: reportPath, overwrite: inv.flag("overwrite"))
        }
        if inv.wantsJSON {
            for r in result.records { inv.output.line(TransferReportWriter.line(r)) }
            inv.output.line(TransferReportWriter.summaryLine(summary))
        }
        let missing = result.notes.contains { $0.kind == .inputMissing }
        if missing && summary.exitStatus == 0 { return summary.total == 0 ? 66 : 1 }
        return summary.exitStatus
    }

    /// Errors for failed files (the first 20, then a count), warnings for stored-with-warning,
    /// why the run stopped, and a summary line when anything went wrong or with --verbose.
    static func report(_ result: SendResult, to inv: Invocation) {
        var shown = 0
        let failed = result.records.filter(\.isFailure)
        for r in result.records {
            switch r.status {
            case .failed:
                // Files not sent because the run stopped share one message, given once below.
                guard result.stoppedBy == nil || r.comment?.hasPrefix("not sent: ") != true else { continue }
                if shown < 20 { inv.diagnostics.error("\(r.path): " + describe(r)) }
                shown += 1
            case .warning:
                inv.diagnostics.warning("\(r.path): stored with warning " + describe(r))
            default:
                break
            }
        }
        if shown > 20 { inv.diagnostics.error("… and \(shown - 20) more failed (see --report FILE)") }
        if let stop = result.stoppedBy {
            let left = failed.filter { $0.comment?.hasPrefix("not sent: ") == true }.count
            inv.diagnostics.error(stop.message + (left > 0 ? " (\(left) file\(left == 1 ? "" : "s") not sent)" : ""), hint: stop.hint)
        }
        let s = result.summary
        if inv.isVerbose || s.failed > 0 {
            var parts = ["\(s.stored) stored"]
            if s.warnings > 0 { parts.append("\(s.warnings) with warnings") }
            if s.skipped > 0 { parts.append("\(s.skipped) skipped") }
            if s.failed > 0 { parts.append("\(s.failed) failed") }
            inv.diagnostics.note("\(s.total) file\(s.total == 1 ? "" : "s") to \(s.peer): " + parts.joined(separator: ", ")
                                 + String(format: " in %.2f s over %d association%@", s.seconds, s.associations, s.associations == 1 ? "" : "s")
                                 + (s.window.map { " (window \($0))" } ?? ""))
        }
    }

    static func describe(_ r: TransferRecord) -> String {
        // A DIMSE status is 4 hex digits, an HTTP status (DICOMweb) 3 decimal ones.
        var text = r.peerStatus.map { $0.count == 3 ? "HTTP \($0)" : "status \($0)H" } ?? ""
        if let comment = r.comment { text += (text.isEmpty ? "" : ": ") + comment }
        return text
    }
}
