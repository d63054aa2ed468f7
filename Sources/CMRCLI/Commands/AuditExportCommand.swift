import CMRKit

/// `cmr audit export`: records as FHIR AuditEvent resources or DICOM audit messages, for SIEMs.
enum AuditExportCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "export",
            abstract: "Export audit records as FHIR AuditEvent or DICOM audit messages",
            discussion: """
                Writes the records that match the filters (the same as 'cmr audit show') in a \
                format hospital security systems read. --format fhir: FHIR R4 AuditEvent \
                resources in one Bundle of type collection (one JSON document), or one resource \
                per line with --json-lines. --format dicom: DICOM audit messages (PS3.15 A.5.1, \
                the RFC 3881 schema), one AuditMessage document per line. Each exported event \
                carries the record's seq and hash (an entity of role Security Resource), so it \
                can be traced back to the hash chain. The output goes to stdout, or with --out \
                to FILE, written atomically (mode 0600). This does not check the chain: run \
                'cmr audit verify' first. docs/audit-export.md lists the mapping.
                """,
            examples: [
                UsageExample("cmr audit export --format fhir --since 2026-11-01 --out november.json", "November's records as one FHIR Bundle."),
                UsageExample("cmr audit export --json-lines --since 2026-11-29 >> events.ndjson", "One AuditEvent per line, for a collector."),
                UsageExample("cmr audit export --format dicom --study 1.2.840.113619.2.55.3", "DICOM audit messages of one study, one per line."),
            ],
            options: [
                .value("format", valueName: "FORMAT", help: "fhir (FHIR R4 AuditEvent) or dicom (DICOM audit message XML).",
                       completion: .choices(["fhir", "dicom"]), default: "fhir"),
                .flag("json-lines", help: "With --format fhir: one AuditEvent per line instead of one Bundle."),
                .value("site", valueName: "NAME", help: "The enterprise site to name as the source (AuditEnterpriseSiteID, FHIR source.site)."),
                .value("out", short: "o", valueName: "FILE", help: "Write to FILE (atomically) instead of stdout.", completion: .file),
                .flag("overwrite", help: "Replace FILE if it exists (otherwise an existing file is an error)."),
            ] + OptionSpec.auditFilters,
            positionals: [.auditLog],
            category: .record,
            exitStatuses: [
                ExitStatusNote(0, "The records were exported (perhaps none matched)."),
                ExitStatusNote(1, "Some lines of the log are not records and were not exported (see 'cmr audit verify')."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(66, "The log does not exist."),
                ExitStatusNote(73, "FILE exists (without --overwrite) or cannot be created."),
                ExitStatusNote(74, "Writing failed."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let format = AuditOperations.ExportFormat(rawValue: inv.value("format") ?? "fhir") else {
            throw CMRError(.usage, "--format must be fhir or dicom")
        }
        if inv.flag("json-lines") && format != .fhir {
            throw CMRError(.usage, "--json-lines applies to --format fhir only", hint: "--format dicom always writes one message per line")
        }
        let filter = try inv.auditFilter()
        let log = try inv.auditLogPath()
        let summary = try AuditOperations.export(
            logPath: log, filter: filter, format: format, jsonLines: inv.flag("json-lines"), site: inv.value("site"),
            outPath: inv.value("out"), overwrite: inv.flag("overwrite"),
            standardOutput: { inv.output.write(bytes: $0) },
            warning: { inv.diagnostics.warning($0) })
        if let out = inv.value("out"), !inv.isQuiet {
            inv.diagnostics.note("exported \(summary.exported) record\(summary.exported == 1 ? "" : "s") to \(out)")
        }
        return summary.unreadableLines > 0 ? 1 : 0
    }
}
