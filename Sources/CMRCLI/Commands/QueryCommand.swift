import Foundation
import CMRKit
import DICOMCore

/// `cmr query`: C-FIND at patient, study, series or image level; a table or DICOM JSON.
enum QueryCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "query",
            abstract: "Find patients, studies, series or instances (C-FIND, QIDO-RS)",
            discussion: """
                Asks the peer named by --from for the matches of the keys given, at the level of \
                --level (study by default), in the Study Root information model (--model patient: \
                Patient Root; --level patient always uses it). Every column of the level's table is \
                asked for as a return key; -k KEYWORD without a value asks for one more, and -k \
                KEYWORD=VALUE matches on any attribute of the dictionary (wildcards * and ?, ranges \
                A-B for dates and times, UID lists with '\\\\'). A hierarchical PACS answers series \
                queries within one study (--study) and image queries within one series (--series).

                The matches print as a table, or with --json as one DICOM JSON array (PS3.18 F.2, the \
                form QIDO-RS returns). --limit N cancels the query (C-CANCEL) after N matches. \
                Transient failures (refused connection, abort, timeout, a busy peer) are retried on a \
                new association with exponential backoff and jitter.

                With --from https://HOST/PATH (a DICOMweb service root) the same query goes out as \
                QIDO-RS: each key with a value is a matching parameter, each column and -k KEYWORD an \
                includefield; study, series and image levels are /studies, /series and /instances \
                (within the study and series in the path when one UID is given); QIDO has no patient \
                level, so --level patient asks /studies and folds the studies into one row per \
                Patient ID. Results come in pages (limit/offset, continuing past pages the server \
                capped with Warning: 299). HTTP 408, 429 and 5xx and connection failures are retried, \
                honouring Retry-After. Credentials come from --token-file, --token-command, \
                --user-file or $CMR_TOKEN, never from the command line; plain http:// is refused to \
                anything but loopback unless --allow-insecure.

                Each query is recorded in the \
                audit log as a Query event (110112) with its keys; patient identifiers in the keys \
                are recorded as keyed hashes.
                """,
            examples: [
                UsageExample("cmr query --from dicom://PACS@10.0.0.5:104 --patient-id 12345", "The patient's studies, as a table."),
                UsageExample("cmr query --from dicom://PACS@pacs:104 --date-range 2026-01-01..2026-01-31 --modality CT --json", "January's CT studies as DICOM JSON."),
                UsageExample("cmr query --from dicom://PACS@pacs:104 --level series --study 1.2.3", "The series of one study."),
                UsageExample("cmr query --from dicom://PACS@pacs:104 --level image --study 1.2.3 --series 1.2.3.4 -k SOPClassUID", "The instances of one series."),
                UsageExample("cmr query --from https://pacs.example.org/dicom-web --token-file ~/.cmr/token --patient-id 12345", "The same over QIDO-RS."),
            ],
            options: [.from, .value("level", valueName: "LEVEL", help: "patient, study (default), series or image.",
                                    completion: .choices(["patient", "study", "series", "image"]))]
                + OptionSpec.queryKeyOptions
                + [.value("limit", valueName: "N", help: "Stop after N matches (C-CANCEL the rest; QIDO-RS: ask for no more pages).", type: .integer(minimum: 1)),
                   .json("Print the matches as one DICOM JSON array."),
                   .aeTitle]
                + OptionSpec.timeoutOptions + OptionSpec.retryOptions + OptionSpec.webOptions + [.auditLog],
            category: .transfer,
            exitStatuses: [
                ExitStatusNote(0, "The query ran (with or without matches)."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(69, "The peer is unreachable, or closed or aborted the association, after the retries."),
                ExitStatusNote(74, "The audit record could not be appended."),
                ExitStatusNote(75, "A timeout, the deadline, or a busy peer (HTTP 408, 429, 5xx) ended the query."),
                ExitStatusNote(76, "The peer broke the protocol, or refused the query with a failure status."),
                ExitStatusNote(77, "The peer rejected the association (the reject reason is printed) or does not support the model; the DICOMweb server refused the credentials (401, 403); plain http:// to a host that is not loopback."),
                ExitStatusNote(78, "No audit log location is set; --from is not a DICOMweb service root; --token-command failed."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        var level = QueryLevel.study
        if let text = inv.value("level") {
            guard let l = QueryLevel(rawValue: text.lowercased()) else { throw CMRError(.usage, "--level '\(text)' is not patient, study, series or image") }
            level = l
        }
        var request = try inv.queryRequest(level: level)
        request.limit = inv.integer("limit")
        let endpoint = try inv.fromEndpoint()
        let retry = inv.retryPolicy()
        let backend = try QueryOperation.backend(for: endpoint, retry: retry,
                                                 peer: { address throws(CMRError) in try inv.dimsePeer(address) },
                                                 web: { url throws(CMRError) in try inv.webPeer(url) })
        let operation = try QueryOperation(backend: backend, request: request)
        let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
        let result: QueryResult
        do {
            result = try operation.run()
        } catch {
            try audit.append(try audit.queryDrafts(query: request, peer: endpoint.description, matches: 0, error: error, command: "query"))
            throw error
        }
        try audit.append(try audit.queryDrafts(query: request, peer: endpoint.description, matches: result.matches.count, error: nil, command: "query"))
        if inv.wantsJSON {
            inv.output.write(bytes: result.json)
        } else {
            for line in table(result) { inv.output.line(line) }
        }
        if !inv.isQuiet && !inv.wantsJSON {
            inv.diagnostics.note("\(result.matches.count) match\(result.matches.count == 1 ? "" : "es")" + (result.limited ? " (stopped at --limit)" : "")
                                 + String(format: " in %.2f s", result.seconds))
        }
        return 0
    }

    /// The matches as aligned columns headed by keywords; multiple values joined by '\'.
    static func table(_ result: QueryResult) -> [String] {
        let columns = result.columns
        let header = columns.map { QueryKey($0).name }
        let rows = result.matches.map { m in columns.map { m.strings($0).joined(separator: "\\") } }
        var widths = header.map(\.count)
        for row in rows { for (i, v) in row.enumerated() { widths[i] = max(widths[i], v.count) } }
        func format(_ cells: [String]) -> String {
            var line = ""
            for (i, c) in cells.enumerated() {
                line += i == cells.count - 1 ? c : c.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0)
            }
            return line
        }
        return [format(header)] + rows.map(format)
    }
}
