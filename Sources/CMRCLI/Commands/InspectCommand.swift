import CMRKit

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

                --json, --tag, --summary and --validate choose what is printed; give at most one.
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
            ],
            positionals: [
                PositionalSpec("FILE|DIR|-",
                               help: "DICOM files, or folders to search for them; '-' reads paths from standard input, one per line (NUL-separated with -0).",
                               arity: .oneOrMore, completion: .file),
            ],
            category: .examine,
            exclusiveOptions: [["json", "tag", "summary", "validate"], ["no-bulk", "bulk-data-threshold"]],
            exitStatuses: [
                ExitStatusNote(0, "Every file was read (and, with --validate, has no problems)."),
                ExitStatusNote(1, "Some files could not be read, or --validate found problems."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(65, "A file named on the command line is not DICOM."),
                ExitStatusNote(66, "A file or folder named on the command line does not exist."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        throw CMRError(.usage, "inspect is not available yet")
    }
}
