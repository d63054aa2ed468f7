import Foundation
import CMRKit

/// `cmr listen`: a storage SCP that receives into a folder until SIGINT or SIGTERM.
enum ListenCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "listen",
            abstract: "Receive DICOM instances into a folder (a storage SCP)",
            discussion: """
                Answers C-ECHO and C-STORE at --listen AE@ADDRESS:PORT (default CMR@127.0.0.1:11112; \
                binding any other address must be asked for) for modalities, other PACS, or as the \
                destination of a C-MOVE. Every SOP class is accepted, in the uncompressed and the \
                common compressed transfer syntaxes; files are written as they arrive (no \
                transcoding), whole or not at all, into the layout of cmr pull (--layout tree or \
                flat), never replacing an existing file. --allow-calling limits who may send.

                A study is finished when nothing of it arrived for --exec-idle seconds (default 10): \
                its audit record (110104 DICOM Instances Transferred, action C, with each file's \
                SHA-256 and the calling AE and address as peer) is appended, and --exec CMD runs \
                once through /bin/sh with CMR_STUDY_DIR (the study's folder; the output folder with \
                --layout flat), CMR_STUDY_UID, CMR_STUDY_FILES (files received) and CMR_CALLING_AE \
                in its environment. Received values are never put into the command line: refer to \
                them as "$CMR_STUDY_DIR" (quoted) in CMD. The command's standard output goes to \
                standard error.

                SIGINT or SIGTERM stops accepting, finishes the associations in flight, finishes \
                every pending study (audit, --exec), and exits with 0.
                """,
            examples: [
                UsageExample("cmr listen --out in/", "Receive at CMR@127.0.0.1:11112 into in/PatientID/StudyUID/SeriesUID/."),
                UsageExample("cmr listen --listen GATEWAY@0.0.0.0:104 --allow-calling CT1 --allow-calling MR2 --out /data/in",
                             "Receive from two modalities on every interface."),
                UsageExample("cmr listen --out in/ --exec 'cmr send --to https://archive/dicomweb \"$CMR_STUDY_DIR\"'",
                             "Forward each study once it is complete."),
            ],
            options: [
                .value("out", short: "o", valueName: "DIR", help: "The folder to write into (created when missing).", completion: .directory),
                .value("listen", valueName: "AE@ADDRESS:PORT", help: "This SCP's AE title and address (default CMR@127.0.0.1:11112)."),
                .value("port", valueName: "PORT", help: "The port (instead of --listen; AE title from --ae-title).", type: .integer(minimum: 1)),
                .value("host", valueName: "ADDRESS", help: "The address to bind with --port (default 127.0.0.1)."),
                .aeTitle,
                .repeatable("allow-calling", valueName: "AE", help: "Accept associations only from this calling AE title (repeatable)."),
                .value("layout", valueName: "LAYOUT", help: "tree (default) or flat, as cmr pull.", completion: .choices(["tree", "flat"])),
                .value("exec", valueName: "CMD", help: "A shell command to run per received study, with CMR_STUDY_DIR and CMR_STUDY_UID set."),
                .value("exec-idle", valueName: "SECONDS", help: "A study is complete when nothing of it arrived for this long (default 10)."),
                .value("max-associations", valueName: "N", help: "Associations served at once (default 8); more wait.", type: .integer(minimum: 1)),
                .flag("print-paths", help: "Print the path of each instance received, one per line."),
                .json("Print one JSON line per instance received (the record of cmr pull --report)."),
                .value("report", valueName: "FILE", help: "Write a JSON Lines report, one line per instance received and a summary line, to FILE when stopped.", completion: .file),
                .flag("overwrite", help: "Replace the report file if it exists."),
            ] + OptionSpec.timeoutOptions + [.auditLog],
            category: .transfer,
            exitStatuses: [
                ExitStatusNote(0, "Stopped by SIGINT or SIGTERM after finishing what was in flight."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(73, "The output folder cannot be created."),
                ExitStatusNote(74, "An audit record could not be appended."),
                ExitStatusNote(75, "The address cannot be bound (the port is in use)."),
                ExitStatusNote(78, "No audit log location is set."),
            ]
        )
    }

    /// Set by the signal handlers.
    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let out = inv.value("out") else { throw CMRError(.usage, "--out is required", hint: "name the folder to write into: --out DIR") }
        let address = try listenAddress(inv)
        var request = ListenRequest(output: out, layout: try OutputLayout.parse(inv.value("layout")), address: address)
        let allowed = inv.values("allow-calling")
        for ae in allowed { try DIMSEAddress.validateAETitle(ae, what: "--allow-calling") }
        if !allowed.isEmpty { request.allowedCallingAETitles = Set(allowed) }
        request.exec = inv.value("exec")
        if let s = try inv.seconds("exec-idle") { request.execIdle = s }
        if let n = inv.integer("max-associations") { request.maxAssociations = n }
        request.timeouts = try inv.networkTimeouts()
        let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)

        let operation = ListenOperation(request: request, audit: audit, environment: inv.environment)
        let printPaths = inv.flag("print-paths"), json = inv.wantsJSON
        let output = inv.output, diagnostics = inv.diagnostics, quiet = inv.isQuiet
        let started = Date()
        let report = try inv.value("report").map { path throws(CMRError) in
            try TransferReportStream(path: path, overwrite: inv.flag("overwrite"), summary: TransferSummary(command: "listen", peer: address.description))
        }
        operation.onRecord = { record in
            report?.append(record)
            if json { output.line(TransferReportWriter.line(record)) } else if printPaths && record.status == .received { output.line(record.path) }
            output.flush()
        }
        operation.onNote = { note in if !quiet { diagnostics.note(note) } }

        // Catch SIGINT/SIGTERM before the port opens: a supervisor (or test) that stops cmr as soon
        // as it accepts connections must not find the default action still in place.
        StopSignals.install()
        defer { StopSignals.restoreDefaults() }
        do { try operation.bind() } catch { report?.abort(); throw error }
        if !quiet { diagnostics.note("listening as \(address.aeTitle) at \(address.host):\(operation.port), writing into \(out)") }
        // The report is written however the run ends (an audit failure is 74, and says so).
        var failure: CMRError?
        do { try operation.run { StopSignals.caught != nil } } catch { failure = error }
        try report?.finish { summary in
            summary.seconds = Date().timeIntervalSince(started)
            summary.associations = operation.associations
            summary.exitStatus = failure?.exitStatus ?? 0
            summary.stoppedBecause = failure?.message
        }
        if let failure { throw failure }
        return 0
    }

    static func listenAddress(_ inv: Invocation) throws(CMRError) -> DIMSEAddress {
        if let text = inv.value("listen") {
            if inv.isGiven("port") || inv.isGiven("host") { throw CMRError(.usage, "--listen and --port/--host exclude each other") }
            return try DIMSEAddress.parseListen(text)
        }
        return DIMSEAddress(aeTitle: try inv.callingAETitle(), host: inv.value("host") ?? "127.0.0.1", port: UInt16(clamping: inv.integer("port") ?? 11112))
    }
}
