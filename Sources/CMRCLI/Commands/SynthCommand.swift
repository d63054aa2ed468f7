import CMRKit
import DICOMCore

/// `cmr synth`: a synthetic study to try cmr on, for examples, tests and benchmarks.
enum SynthCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "synth",
            abstract: "Write a synthetic DICOM study (no real patient data)",
            discussion: """
                Writes fake but realistic patients, studies and CT or MR series, with a simple \
                phantom in the pixels, under a folder: PATIENTID/studyN/seriesN-MODALITY/NNNN.dcm. \
                Names, dates, UIDs and a vendor private block look like clinical data so that \
                inspection and de-identification can be tried on them; nothing comes from a real \
                person. The same --seed gives byte-identical files on any machine.
                """,
            examples: [
                UsageExample("cmr synth --out study/", "Two patients, each with two CT series and one MR series of four images."),
                UsageExample("cmr synth --out ct/ --patients 5 --series CT --instances 104 --rows 512 --columns 512",
                             "520 CT images of 512x512, as a benchmark tree."),
                UsageExample("cmr synth --out mf/ --patients 1 --series MR --instances 1 --frames 100",
                             "One multi-frame file of 100 frames."),
            ],
            options: [
                .value("out", short: "o", valueName: "DIR", help: "Folder to write the study under (created when missing).",
                       completion: .directory),
                .value("patients", valueName: "N", help: "Number of patients.", type: .integer(minimum: 1), default: "2"),
                .value("studies", valueName: "N", help: "Studies per patient.", type: .integer(minimum: 1), default: "1"),
                .value("series", valueName: "LIST", help: "Modalities of the series in each study, comma-separated (CT, MR).",
                       default: "CT,CT,MR"),
                .value("instances", valueName: "N", help: "Images per series.", type: .integer(minimum: 1), default: "4"),
                .value("rows", valueName: "N", help: "Image rows.", type: .integer(minimum: 1), default: "64"),
                .value("columns", valueName: "N", help: "Image columns.", type: .integer(minimum: 1), default: "64"),
                .value("frames", valueName: "N", help: "Frames per image (more than 1: multi-frame).", type: .integer(minimum: 1), default: "1"),
                .value("transfer-syntax", valueName: "NAME",
                       help: "Encoding of the files: implicit, explicit, big-endian or deflated.",
                       completion: .choices(["implicit", "explicit", "big-endian", "deflated"]), default: "explicit"),
                .value("seed", valueName: "N", help: "Seed of the generator: the same seed gives the same files.",
                       type: .integer(minimum: 0), default: "1"),
                .negatable("private", default: true, help: "Add a vendor private block carrying identifying text."),
                .flag("overwrite", help: "Replace files that already exist (otherwise an existing file is an error)."),
                .flag("print-paths", help: "Print the path of each file written, one per line."),
                .auditLog,
            ],
            category: .make,
            exitStatuses: [
                ExitStatusNote(0, "The study was written."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(73, "A file exists already (without --overwrite) or cannot be created."),
                ExitStatusNote(74, "The audit record could not be appended."),
                ExitStatusNote(78, "No audit log location is set (--audit-log, CMR_AUDIT_LOG, XDG_STATE_HOME or HOME)."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let out = inv.value("out") else {
            throw CMRError(.usage, "--out is required", hint: "name the folder to write the study under: --out study/")
        }
        var o = Synthesizer.Options()
        o.patients = inv.integer("patients") ?? o.patients
        o.studiesPerPatient = inv.integer("studies") ?? o.studiesPerPatient
        o.series = (inv.value("series") ?? "CT").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
        for m in o.series where m != "CT" && m != "MR" {
            throw CMRError(.usage, "unknown modality '\(m)' in --series", hint: "use CT and MR, e.g. --series CT,MR")
        }
        o.instancesPerSeries = inv.integer("instances") ?? o.instancesPerSeries
        o.rows = inv.integer("rows") ?? o.rows
        o.columns = inv.integer("columns") ?? o.columns
        o.frames = inv.integer("frames") ?? 1
        o.seed = UInt64(inv.integer("seed") ?? 1)
        o.privateTags = inv.flag("private")
        switch inv.value("transfer-syntax") ?? "explicit" {
        case "implicit": o.transferSyntax = .implicitVRLittleEndian
        case "explicit": o.transferSyntax = .explicitVRLittleEndian
        case "big-endian": o.transferSyntax = .explicitVRBigEndian
        case "deflated": o.transferSyntax = .deflatedExplicitVRLittleEndian
        case let other:
            throw CMRError(.usage, "unknown transfer syntax '\(other)'", hint: "use implicit, explicit, big-endian or deflated")
        }
        let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
        let paths: [String]
        do {
            paths = try Synthesizer(options: o).write(to: out, overwrite: inv.flag("overwrite"))
        } catch {
            let failure = CMRError.writing(out, error)
            do {
                try audit.append([audit.synthDraft(folder: out, files: 0, error: failure, seed: o.seed)])
            } catch let auditError {
                inv.diagnostics.error(auditError.message, hint: auditError.hint)
            }
            throw failure
        }
        try audit.append([audit.synthDraft(folder: out, files: paths.count, error: nil, seed: o.seed)])
        if inv.flag("print-paths") {
            for p in paths { inv.output.line(p) }
        } else if !inv.isQuiet {
            inv.diagnostics.note("wrote \(paths.count) file\(paths.count == 1 ? "" : "s") under \(out)")
        }
        return 0
    }
}

import Foundation
