import Foundation
import CMRKit
import DICOMImaging

/// `cmr render`: frames of DICOM files as PNG images, thumbnails and contact sheets.
enum RenderCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "render",
            abstract: "Render DICOM frames as PNG images, thumbnails or a contact sheet",
            discussion: """
                Decodes the frame asked for (and only that frame) of every file, applies the pixel \
                pipeline of PS3.3 C.11 (modality LUT, VOI window or LUT, MONOCHROME1 inverted, colour \
                models and palettes) and writes an 8-bit PNG (--depth 16: 16-bit grey). Uncompressed, \
                RLE, JPEG (baseline, extended, lossless) and JPEG-LS files are decoded; JPEG 2000 and \
                HTJ2K are refused with a way around it.

                --out names a file for one input file (with --all-frames, a name ending in .png), a \
                folder for several (the input tree is mirrored \
                as cmr deidentify does, .png appended; a folder argument keeps its own name), or '-' for \
                one PNG on standard output (not to a terminal). --all-frames writes NAME-0001.png and on. \
                Outputs are written whole or not at all, and an existing output is never replaced \
                without --overwrite.

                The window: the file's first window, else its first VOI LUT, else the 0.5-99.5 \
                percentile range of the frame (--window auto); --window C,W, --window-index N (the \
                file's window N) or --window minmax choose another. --contact-sheet puts one tile per \
                series (its middle instance) into one PNG. Rendering is recorded in the audit log as \
                an access with the details of an export (docs/render.md).
                """,
            examples: [
                UsageExample("cmr render --out ct.png ct.dcm", "One file, frame 1, the file's window."),
                UsageExample("cmr render --window 40,400 --out png/ study/", "A folder, mirrored under png/, with a soft-tissue window."),
                UsageExample("cmr render --size 128x128 --out thumbs/ study/", "Thumbnails that fit 128x128, aspect ratio kept."),
                UsageExample("cmr render --frame 60 --out - us.dcm > frame60.png", "Frame 60 of a multi-frame file to standard output."),
                UsageExample("cmr render --all-frames --out cine/ us.dcm", "Every frame: cine/us.dcm-0001.png and on."),
                UsageExample("cmr render --contact-sheet --size 192x192 --out study.png study/", "One tile per series of a study."),
            ],
            options: [
                .value("out", short: "o", valueName: "FILE|DIR|-", help: "Where to write: a PNG file (one input), a folder, or '-' for standard output.",
                       completion: .file),
                .value("frame", short: "f", valueName: "N", help: "The frame to render, from 1 (default 1).", type: .integer(minimum: 1)),
                .flag("all-frames", help: "Render every frame, one file each (NAME-0001.png, NAME-0002.png and on)."),
                .value("window", short: "w", valueName: "C,W|auto|minmax",
                       help: "VOI window: centre and width, auto (the file's, else percentiles), or minmax (the frame's range)."),
                .value("window-index", valueName: "N", help: "The file's window N (from 1) of Window Center/Width.", type: .integer(minimum: 1)),
                .value("depth", valueName: "BITS", help: "Bits per grey sample: 8 or 16 (colour is always 8).",
                       completion: .choices(["8", "16"]), default: "8"),
                .value("size", short: "s", valueName: "WxH", help: "Shrink to fit WxH (area average, aspect ratio kept); a contact sheet's tile size (default 256x256)."),
                .flag("contact-sheet", help: "One PNG with one tile per series (its middle instance), captioned with series number, modality and description."),
                .value("jobs", short: "j", valueName: "N", help: "Files processed at once (default: one per core).", type: .integer(minimum: 1)),
                .flag("overwrite", help: "Replace outputs that exist already (otherwise each is an error)."),
                .flag("print-paths", help: "Print the path of each PNG written, one per line."),
                .flag("info", help: "Say on standard error what was chosen for each PNG: transfer syntax, frames, photometric, window, size."),
                .flag("null", short: "0", help: "Paths on standard input are separated by NUL characters, not newlines."),
                .json("Print one JSON object per PNG written (JSON Lines): input, output, frame, window, width, height."),
                .auditLog,
            ],
            positionals: [
                PositionalSpec("FILE|DIR|-", help: "DICOM files or folders; '-' reads paths from standard input.", arity: .oneOrMore, completion: .file),
            ],
            category: .examine,
            exitStatuses: [
                ExitStatusNote(0, "Every frame asked for was written."),
                ExitStatusNote(1, "Some files failed; the others were written."),
                ExitStatusNote(64, "The command line is wrong, or the frame asked for does not exist."),
                ExitStatusNote(65, "The only input is not DICOM, is corrupt, or uses a transfer syntax that is not decoded (JPEG 2000)."),
                ExitStatusNote(66, "An input does not exist."),
                ExitStatusNote(73, "An output exists already (without --overwrite) or cannot be created."),
                ExitStatusNote(74, "A write failed, or the audit record could not be appended."),
                ExitStatusNote(78, "No audit log location is set (--audit-log, CMR_AUDIT_LOG, XDG_STATE_HOME or HOME)."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard !inv.positionals.isEmpty else {
            throw CMRError(.usage, "no input given", hint: "name files or folders, or '-' to read paths from standard input")
        }
        guard let out = inv.value("out") else {
            throw CMRError(.usage, "--out is required", hint: "name a PNG file, a folder, or '-' for standard output")
        }
        var request = RenderRequest(inputs: inv.positionals, output: out)
        request.options = RenderOptions(window: try window(inv), depth: try depth(inv))
        if inv.flag("all-frames") {
            if inv.isGiven("frame") { throw CMRError(.usage, "--frame and --all-frames exclude each other") }
            request.frames = .all
        } else {
            request.frames = .one((inv.integer("frame") ?? 1) - 1)
        }
        if let text = inv.value("size") {
            guard let size = parseSize(text) else {
                throw CMRError(.usage, "--size '\(text)' is not WxH", hint: "width and height in pixels, e.g. --size 256x256 (or one number for a square)")
            }
            request.size = size
        }
        request.contactSheet = inv.flag("contact-sheet")
        if request.contactSheet && (request.frames == .all || inv.isGiven("frame")) {
            throw CMRError(.usage, "--contact-sheet shows the middle frame of one instance per series; --frame and --all-frames do not apply")
        }
        request.jobs = inv.integer("jobs") ?? 0
        request.overwrite = inv.flag("overwrite")
        request.nulSeparated = inv.flag("null")
        if out == "-" && (inv.wantsJSON || inv.flag("print-paths")) {
            throw CMRError(.usage, "--out - writes the PNG to standard output; --json and --print-paths would mix text into it",
                           hint: "use --info to see what was chosen (on standard error)")
        }
        if out == "-" && inv.terminal.standardOutputIsTTY {
            throw CMRError(.usage, "refusing to write a PNG to a terminal", hint: "redirect standard output to a file or a pipe, or name a file with --out")
        }
        let operation = try RenderOperation(request)
        let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
        let stdin = inv.positionals.contains("-") ? try inv.readStandardInput() : []
        let progress = inv.progress("render")
        let result = try operation.run(readStdin: { stdin }, progress: { _, total in
            progress.setTotal(total)
            progress.advance()
        })
        progress.finish()
        for problem in result.problems { inv.diagnostics.error(problem.message, hint: problem.hint) }
        if inv.isVerbose { for path in result.skipped { inv.diagnostics.note("\(path): skipped: not DICOM, or no pixel data") } }
        if !result.reports.isEmpty || result.sheet != nil {
            // One batched append per run; a failed audit write fails the command (74).
            try audit.append(try audit.renderDrafts(reports: result.reports, sheet: result.sheet, destination: out))
        }
        var outputs = result.reports.flatMap(\.outputs)
        if let sheet = result.sheet { outputs = [sheet] }
        for r in result.reports { if let e = r.error { inv.diagnostics.error(e.message, hint: e.hint) } }
        for o in outputs {
            if inv.flag("info") {
                var text = "\(o.input)"
                if let frame = o.frame { text += " frame \(frame)" + (o.frames.map { " of \($0)" } ?? "") }
                if let ts = o.transferSyntax { text += ", \(ts)" }
                inv.diagnostics.note(text + ": \(o.window), \(o.width)x\(o.height) → \(o.output)")
            }
            if let png = o.png {
                inv.output.write(bytes: png)
                continue
            }
            if inv.wantsJSON {
                inv.output.line(jsonLine(o))
            } else if inv.flag("print-paths") {
                inv.output.line(o.output)
            }
        }
        let failures = result.reports.compactMap(\.error) + result.problems
        if !inv.isQuiet && !inv.wantsJSON && out != "-" {
            var note = "\(outputs.count) PNG\(outputs.count == 1 ? "" : "s") written"
            if !failures.isEmpty { note += ", \(failures.count) failed" }
            if !result.skipped.isEmpty { note += ", \(result.skipped.count) skipped" }
            inv.diagnostics.note(note + String(format: " in %.2f s", result.seconds))
        }
        if failures.isEmpty { return result.reports.isEmpty && result.sheet == nil && !inv.isQuiet ? noFiles(inv) : 0 }
        if result.reports.count + result.problems.count == 1 { return failures[0].exitStatus }
        return 1
    }

    static func noFiles(_ inv: Invocation) -> Int32 {
        inv.diagnostics.note("no DICOM files with pixel data found in \(inv.positionals.joined(separator: " "))")
        return 0
    }

    static func window(_ inv: Invocation) throws(CMRError) -> RenderOptions.Window {
        if let index = inv.integer("window-index") {
            if inv.isGiven("window") { throw CMRError(.usage, "--window and --window-index exclude each other") }
            return .fileWindow(index: index - 1)
        }
        guard let text = inv.value("window") else { return .automatic }
        switch text.lowercased() {
        case "auto": return .automatic
        case "minmax": return .minMax
        default:
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2, let c = Double(parts[0].trimmingCharacters(in: .whitespaces)),
                  let w = Double(parts[1].trimmingCharacters(in: .whitespaces)), w >= 1 else {
                throw CMRError(.usage, "--window '\(text)' is not C,W, auto or minmax",
                               hint: "centre and width in modality units (width at least 1), e.g. --window 40,400")
            }
            return .explicit(center: c, width: w)
        }
    }

    static func depth(_ inv: Invocation) throws(CMRError) -> Int {
        let text = inv.value("depth") ?? "8"
        guard text == "8" || text == "16" else { throw CMRError(.usage, "--depth '\(text)' is not 8 or 16") }
        return Int(text)!
    }

    /// "256x192", "256X192" or "256" (a square).
    static func parseSize(_ text: String) -> (width: Int, height: Int)? {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count, numbers.allSatisfy({ $0 > 0 }) else { return nil }
        switch numbers.count {
        case 1: return (numbers[0], numbers[0])
        case 2: return (numbers[0], numbers[1])
        default: return nil
        }
    }

    /// One output as a JSON Lines record, with `cmrVersion` and `schemaVersion` (docs/json-output.md).
    struct Line: Encodable {
        var output: RenderOutput
        enum Keys: String, CodingKey { case cmrVersion, schemaVersion }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(CMRCLI.version, forKey: .cmrVersion)
            try c.encode(1, forKey: .schemaVersion)
            try output.encode(to: encoder)
        }
    }

    static func jsonLine(_ output: RenderOutput) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Line(output: output))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
