import CMRKit
import DICOMCore

/// `cmr inspect`: what is inside DICOM files.
enum InspectCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "inspect",
            abstract: "Show what is inside DICOM files",
            discussion: """
                Reads DICOM Part 10 files and bare data sets and prints each one as a tree (like \
                dcmdump), as DICOM JSON, as chosen values, as one inventory line, or as a validation \
                report. Folders are searched for DICOM files; files in them that are not DICOM are \
                skipped with a note, while a file named on the command line must be DICOM. A broken \
                file is shown as far as it could be read, and the problem is reported with its byte \
                offset and tag.

                --tag, --summary and --validate choose what is printed; give at most one. With --json, \
                each prints one JSON object per file (JSON Lines); alone, --json prints DICOM JSON.
                """,
            examples: [
                UsageExample("cmr inspect scan.dcm", "The data set as a tree, with the file meta information first."),
                UsageExample("cmr inspect --json scan.dcm", "The data set as DICOM JSON (PS3.18 Annex F)."),
                UsageExample("cmr inspect --tag PatientID --tag 0020,000D study/",
                             "Two values per file, tab-separated, one line per file."),
                UsageExample("cmr inspect --summary study/", "An inventory of a folder tree: one line per file."),
                UsageExample("find /data -name '*.dcm' -print0 | cmr inspect --summary -0 -",
                             "Paths from find on standard input, NUL-separated."),
                UsageExample("cmr inspect --validate study/", "Check every file; the exit status is 1 if any has problems."),
            ],
            options: [
                .json("Print each file as DICOM JSON (PS3.18 Annex F); JSON Lines, one document per line, when there are several files."),
                .repeatable("tag", valueName: "KEYWORD|GGGG,EEEE",
                            help: "Print just the value of this attribute, named by keyword (PatientID) or tag (0010,0020); the values of one file are tab-separated on one line."),
                .flag("summary", help: "Print one tab-separated line per file: path, modality, patient, study, series and instance UIDs, SOP class, transfer syntax, frames, rows, columns and size."),
                .flag("validate", help: "Check values against their VR and VM and print each problem; exit with status 1 when any is found."),
                .negatable("recursive", short: "r", default: true,
                           help: "Search folders and their subfolders; --no-recursive reads only the files directly in each folder."),
                .value("jobs", short: "j", valueName: "N",
                       help: "Read files on N threads; 0 uses every core.", type: .integer(minimum: 0), default: "0"),
                .flag("null", short: "0", help: "Paths on standard input are separated by NUL characters (as find -print0 writes them), not newlines."),
                .value("max-value-length", valueName: "N",
                       help: "Cut values longer than N characters in the tree, marking the cut with '...'; 0 shows values whole.",
                       type: .integer(minimum: 0), default: "64"),
                .value("charset-fallback", valueName: "NAME",
                       help: "Character set to assume when Specific Character Set is absent or unknown, as a defined term such as 'ISO_IR 100' or 'ISO_IR 192'."),
                .flag("no-bulk", help: "With --json, write every binary value inline (InlineBinary), never as a BulkDataURI."),
                .value("bulk-data-threshold", valueName: "N",
                       help: "With --json, write binary values of up to N bytes inline (InlineBinary) and longer ones as a BulkDataURI that points into the file.",
                       type: .integer(minimum: 0), default: "1024"),
                .auditLog,
            ],
            positionals: [
                PositionalSpec("FILE|DIR|-",
                               help: "DICOM files, or folders to search for them; '-' reads paths from standard input, one per line (NUL-separated with -0).",
                               arity: .oneOrMore, completion: .file),
            ],
            category: .examine,
            exclusiveOptions: [["tag", "summary", "validate"], ["no-bulk", "bulk-data-threshold"]],
            exitStatuses: [
                ExitStatusNote(0, "Every file was read (and, with --validate, has no problems)."),
                ExitStatusNote(1, "Some files could not be read, or --validate found problems."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(65, "A file named on the command line is not DICOM."),
                ExitStatusNote(66, "A file or folder named on the command line does not exist."),
                ExitStatusNote(74, "The audit record could not be appended."),
                ExitStatusNote(78, "No audit log location is set (--audit-log, CMR_AUDIT_LOG, XDG_STATE_HOME or HOME)."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        var options = Inspector.Options()
        let tagArguments = inv.values("tag")
        if !tagArguments.isEmpty {
            options.mode = .tags(try tagArguments.map(parseTag))
        } else if inv.flag("summary") {
            options.mode = .summary
        } else if inv.flag("validate") {
            options.mode = .validate
        } else if inv.wantsJSON {
            options.mode = .json
        }
        let jsonRecords = inv.wantsJSON && options.mode != .json
        options.maximumValueLength = inv.integer("max-value-length") ?? 64
        options.bulkDataThreshold = inv.flag("no-bulk") ? 0 : (inv.integer("bulk-data-threshold") ?? 1024)
        options.jobs = inv.integer("jobs") ?? 0
        if let name = inv.value("charset-fallback") {
            let set = SpecificCharacterSet(terms: [name])
            if !set.unknownTerms.isEmpty {
                throw CMRError(.usage, "unknown character set '\(name)'",
                               hint: "use a defined term of (0008,0005), such as 'ISO_IR 100' or 'ISO_IR 192'")
            }
            options.charsetFallback = set
        }

        let paths = InputPaths(recursive: inv.flag("recursive"), nulSeparated: inv.flag("null"))
        let stdin = inv.positionals.contains("-") ? try inv.readStandardInput() : []
        let (entries, missing) = paths.expand(inv.positionals) { stdin }
        for m in missing { inv.diagnostics.error(m.message, hint: m.hint) }
        // Known before any file is read, so a missing log location fails the run before output.
        let audit = entries.isEmpty ? nil : try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
        var auditRead: [(path: String, identity: Inspector.Identity)] = []
        var auditFailed: [String] = []
        if entries.isEmpty && missing.isEmpty {
            inv.diagnostics.note("no files found in \(inv.positionals.joined(separator: " "))")
        }
        if options.mode == .summary && !jsonRecords && inv.terminal.standardOutputIsTTY && !entries.isEmpty {
            inv.output.line("#" + FileSummary.columnNames.joined(separator: "\t"))
        }

        let progress = entries.count > 20 ? inv.progress("inspect", total: entries.count) : ProgressReporter.silent()
        var failed = missing.count
        var lastFailure: CMRError? = missing.last
        var inspected = 0
        var problemFiles = 0
        var problemCount = 0
        var skipped = 0
        let several = entries.count + missing.count > 1
        Inspector.run(entries, options: options) { outcome in
            progress.advance()
            switch outcome {
            case .skipped(let path, let reason):
                skipped += 1
                if inv.isVerbose { inv.diagnostics.note("\(path): skipped, \(reason)") }
            case .failed(let path, let error):
                auditFailed.append(path)
                failed += 1
                lastFailure = error
                inv.diagnostics.error(error.message, hint: error.hint)
            case .inspected(let report):
                inspected += 1
                auditRead.append((report.path, report.identity))
                emit(report, mode: options.mode, jsonRecords: jsonRecords, several: several, invocation: inv)
                let readErrors = report.problems.filter { $0.code == "read" && $0.severity == "error" }
                if report.incomplete || !readErrors.isEmpty {
                    failed += 1
                    lastFailure = CMRError(.invalidData, "\(report.path): incomplete")
                }
                if options.mode == .validate && !report.problems.isEmpty {
                    problemFiles += 1
                    problemCount += report.problems.count
                }
            }
        }
        progress.finish()
        if let audit {
            // One batched append per run; a failed audit write fails the command (74).
            try audit.append(try audit.inspectDrafts(read: auditRead, failed: auditFailed, mode: modeName(options.mode)))
        }
        if skipped > 0 && !inv.isQuiet {
            inv.diagnostics.note("\(skipped) file\(skipped == 1 ? "" : "s") skipped: not DICOM (--verbose lists them)")
        }
        if options.mode == .validate && !inv.isQuiet && !jsonRecords {
            inv.diagnostics.note("\(inspected) file\(inspected == 1 ? "" : "s") checked: \(problemCount) problem\(problemCount == 1 ? "" : "s") in \(problemFiles) file\(problemFiles == 1 ? "" : "s")")
        }
        if failed > 0 {
            // One input that failed (or was read only in part): its own status; otherwise 1, some files failed.
            if !several, let lastFailure { return lastFailure.exitStatus }
            return 1
        }
        return problemFiles > 0 ? 1 : 0
    }

    /// Writes one file's result; read problems go to stderr.
    static func emit(_ report: Inspector.Report, mode: Inspector.Mode, jsonRecords: Bool, several: Bool, invocation inv: Invocation) {
        for p in report.problems where p.code == "read" {
            let message = "\(report.path): \(p.message)"
            if p.severity == "error" { inv.diagnostics.error(message) } else if !inv.isQuiet { inv.diagnostics.warning(message) }
        }
        if jsonRecords {
            if let line = try? InspectRecords.line(report, mode: mode, version: CMRCLI.version) { inv.output.line(line) }
            return
        }
        switch mode {
        case .tree:
            if several { inv.output.line("# " + report.path) }
            inv.output.write(report.text)
            if several { inv.output.line("") }
        case .json, .summary:
            inv.output.line(report.text)
        case .tags:
            inv.output.line(several ? report.path + "\t" + report.text : report.text)
        case .validate:
            for p in report.problems where p.code != "read" {
                inv.output.line("\(report.path): \(p.severity) \(p.code) \(p.message)")
            }
        }
    }

    static func modeName(_ mode: Inspector.Mode) -> String {
        switch mode {
        case .tree: "tree"
        case .json: "json"
        case .tags: "tags"
        case .summary: "summary"
        case .validate: "validate"
        }
    }

    static func parseTag(_ text: String) throws -> Tag {
        if let tag = Tag(parsing: text) { return tag }
        throw CMRError(.usage, "unknown attribute '\(text)'",
                       hint: "name it by keyword (PatientID) or by tag (0010,0020)")
    }
}
