import Foundation
import CMRKit

/// `cmr echo`: C-ECHO a DICOM peer, like ping (monitoring, checking AE titles and firewalls).
enum EchoCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "echo",
            abstract: "Check that a DICOM peer answers (C-ECHO), like ping",
            discussion: """
                Opens an association to the peer, sends a C-ECHO (Verification), releases, and \
                prints the round trip in milliseconds: the whole exchange, and the C-ECHO alone. \
                With --count N it does so N times, --interval apart, and ends with a summary line. \
                The exit status is 0 when every echo was answered with success, so a monitoring \
                probe needs only the status: 69 unreachable, 75 timeout or busy, 76 protocol \
                error, 77 association rejected (the reason is printed: usually an AE title the \
                peer does not know).
                """,
            examples: [
                UsageExample("cmr echo dicom://PACS@10.0.0.5:104", "One echo."),
                UsageExample("cmr echo --count 5 --interval 0.5 --ae-title GATEWAY dicom://PACS@pacs:11112",
                             "Five echoes half a second apart, with this side's AE title."),
                UsageExample("cmr echo --json --connect-timeout 3 dicom://PACS@pacs:104 || alert 'PACS down'",
                             "A monitoring probe: one JSON line, a non-zero status when the peer does not answer."),
            ],
            options: [
                .aeTitle,
            ] + OptionSpec.timeoutOptions + [
                .value("count", short: "c", valueName: "N", help: "Echoes to send (default 1).", type: .integer(minimum: 1)),
                .value("interval", short: "i", valueName: "SECONDS", help: "Pause between echoes (default 1)."),
                .json("Print one JSON object per echo (JSON Lines)."),
                .logFormat,
            ],
            positionals: [
                PositionalSpec("dicom://AE@HOST:PORT", help: "The peer: its AE title, host and port (104 when omitted)."),
            ],
            category: .transfer,
            exitStatuses: [
                ExitStatusNote(0, "Every echo was answered with success."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(69, "The peer is unreachable or aborted the association."),
                ExitStatusNote(75, "A timeout, or the peer is busy (a transient rejection)."),
                ExitStatusNote(76, "The peer broke the DICOM protocol."),
                ExitStatusNote(77, "The peer rejected the association (the reason is printed) or answered with a failure status."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let target = inv.positionals.first else {
            throw CMRError(.usage, "no peer given", hint: "e.g. cmr echo dicom://PACS@10.0.0.5:104")
        }
        guard case .dimse(let address) = try TransferEndpoint.parse(target, option: "the peer") else {
            throw CMRError(.usage, "'\(target)' is not a DICOM peer: C-ECHO needs dicom://AE@host:port")
        }
        let operation = EchoOperation(address: address, callingAETitle: try inv.callingAETitle(), timeouts: try inv.networkTimeouts())
        let count = inv.integer("count") ?? 1
        let interval = try inv.seconds("interval") ?? 1
        var times: [Double] = []
        var status: Int32 = 0
        for seq in 1...count {
            if seq > 1 { Thread.sleep(forTimeInterval: interval) }
            do {
                let reply = try operation.ping(seq: seq)
                let ok = reply.status == "0000"
                if ok { times.append(reply.ms) } else if status == 0 { status = 77 }
                if inv.wantsJSON {
                    inv.output.line(EchoOperation.line(reply))
                } else {
                    inv.output.line("\(reply.peer): seq=\(seq) status=\(reply.status)\(ok ? "" : " \(reply.comment ?? "")") "
                                    + String(format: "time=%.2f ms (echo %.2f ms)", reply.ms, reply.echoMs))
                }
            } catch {
                if count == 1 { throw error }
                inv.diagnostics.error("seq=\(seq): \(error.message)", hint: error.hint)
                if status == 0 { status = error.exitStatus }
            }
        }
        if count > 1 && !inv.wantsJSON {
            let avg = times.isEmpty ? 0 : times.reduce(0, +) / Double(times.count)
            inv.output.line("\(count) sent, \(times.count) answered with success"
                            + (times.isEmpty ? "" : String(format: ", round trip min/avg/max %.2f/%.2f/%.2f ms", times.min()!, avg, times.max()!)))
        }
        return status
    }
}
