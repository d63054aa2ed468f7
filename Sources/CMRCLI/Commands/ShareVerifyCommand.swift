import CMRAudit
import CMRKit
import CMRShare

/// `cmr share verify TOKEN|-`: check a token as the server would.
enum ShareVerifyCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "verify",
            abstract: "Check a grant token: signature, time, revocation, uses, scope",
            discussion: """
                Checks the signature (with the public key of --key or $CMR_SHARE_KEY, or --pub), \
                the time window, revocation and uses in the share folder, and, with --study, \
                whether the grant covers that request. A valid token prints 'valid' and its grant; \
                a refused one prints 'refused: REASON' (malformed, unknown-key, bad-signature, \
                not-yet-valid, expired, revoked, uses-exhausted, out-of-scope) and exits with 1. \
                A whole link is accepted too. Tokens are bearer secrets: pass '-' to read one \
                from standard input rather than leaving it in the shell history.
                """,
            examples: [
                UsageExample("cmr share verify - < token.txt", "Check a token kept in a file."),
                UsageExample("cmr share verify - --study 1.2.3 --download < token.txt", "May it download study 1.2.3?"),
            ],
            options: [
                .shareKey,
                .value("pub", valueName: "FILE", help: "Verify with this public key file (PREFIX.pub) rather than the signing key.", completion: .file),
                .value("study", valueName: "UID", help: "Also check that the grant covers this study."),
                .value("series", valueName: "UID", help: "With --study: and this series."),
                .flag("download", help: "With --study: and downloading DICOM files."),
                .shareDir,
                .json("Print {\"valid\", \"reason\", \"detail\", \"grant\", \"uses\"}; a refused token's grant is what it claims, unverified."),
            ],
            positionals: [PositionalSpec("TOKEN", help: "The token or link, or '-' to read it from standard input.")],
            category: .transfer,
            exitStatuses: [
                ExitStatusNote(0, "The token is valid."),
                ExitStatusNote(1, "The token is refused; the reason is printed."),
                ExitStatusNote(66, "The key file does not exist."),
                ExitStatusNote(78, "No key or share folder is configured, or the key file is not a key."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        var token = inv.positionals[0]
        if token == "-" { token = String(decoding: try inv.readStandardInput(), as: UTF8.self) }
        token = token.trimmingCharacters(in: .whitespacesAndNewlines)
        if let fragment = token.range(of: "#") { token = String(token[fragment.upperBound...]) }  // a whole link
        let key = try inv.shareVerifier()
        var request = ShareOperations.Request()
        request.study = inv.value("study")
        request.series = inv.value("series")
        request.download = inv.flag("download")
        if request.study == nil && (request.series != nil || request.download) {
            throw CMRError(.usage, "--series and --download check a request: name its study with --study")
        }
        let result = ShareOperations.verify(token: token, keys: [key], settings: try inv.shareSettings(), request: request)
        if inv.wantsJSON {
            inv.output.line(try ShareCommand.json(ShareJSON(body: result)))
        } else if let grant = result.grant, result.valid {
            inv.output.line("valid: grant \(grant.id) for \(grant.recipient), study \(grant.studyUID), \(grant.scope.rawValue), until \(ShareTime.format(grant.expires))")
        } else {
            inv.output.line("refused: \(result.reason ?? "malformed"): \(result.detail ?? "")")
        }
        return result.valid ? 0 : 1
    }
}
