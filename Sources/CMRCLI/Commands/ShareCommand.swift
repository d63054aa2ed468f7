import CMRAudit
import CMRKit
import CMRShare
import Foundation

/// `cmr share`: signed, expiring, revocable links to a de-identified study (docs/share.md).
/// `cmr share STUDY_DIR --to R` is `cmr share create STUDY_DIR --to R`: the parent takes the
/// options and argument of `create`, and runs it when no subcommand word comes first.
enum ShareCommand: CLICommand {
    static var spec: CommandSpec {
        let create = ShareCreateCommand.spec
        return CommandSpec(
            name: "share",
            abstract: "Share a study by a signed, expiring, revocable link",
            discussion: """
                A grant lets one recipient view (or download) one de-identified study, or some of \
                its series, for a limited time. It travels as a token signed with the site's \
                Ed25519 key (PASETO v4.public: issuer, recipient, grant id, not-before, expiry, \
                scope, data mode), in the fragment of a link to the share gateway \
                (https://GATEWAY/s#TOKEN), so it stays out of server logs and Referer headers. \
                'cmr share serve' checks it on every request.

                'cmr share STUDY_DIR --to RECIPIENT' is short for 'cmr share create ...'. Grants, \
                revocations and uses are kept in the share folder (--share-dir, else \
                $CMR_SHARE_DIR, else $XDG_STATE_HOME/cmr/share, else ~/.local/state/cmr/share); \
                every grant and revocation is an audit record. The signing key is a key file of \
                'cmr audit keygen' named by --key or $CMR_SHARE_KEY.
                """,
            examples: [
                UsageExample("cmr audit keygen --out /etc/cmr/share --name example.org/share", "Make the site's share key once."),
                UsageExample("cmr share out/study1 --to dr.b@example.org --expires 7d", "Print a link to the de-identified study for a week."),
                UsageExample("cmr share list", "Every grant, its state and its uses."),
                UsageExample("cmr share revoke 0816393426fe626479d500f3b42a9c90 --reason 'sent to the wrong address'", "End a grant at once."),
                UsageExample("pbpaste | cmr share verify -", "Check a token from the clipboard."),
            ],
            options: create.options,
            positionals: create.positionals,
            subcommands: [ShareCreateCommand.self, ShareListCommand.self, ShareRevokeCommand.self,
                          ShareVerifyCommand.self, ShareStatusCommand.self, ShareServeCommand.self],
            category: .transfer,
            exitStatuses: create.exitStatuses
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        try ShareCreateCommand.run(invocation)
    }

    /// JSON as the share commands write it: sorted keys, times in RFC 3339 (`ShareTime`).
    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try ShareTime.jsonEncoder().encode(value), as: UTF8.self)
    }
}

/// A JSON document of a share command: `cmrVersion`, `schemaVersion`, then the result's fields.
struct ShareJSON<Body: Encodable>: Encodable {
    var body: Body

    enum Keys: String, CodingKey { case cmrVersion, schemaVersion }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(CMRCLI.version, forKey: .cmrVersion)
        try c.encode(1, forKey: .schemaVersion)
        try body.encode(to: encoder)
    }
}

extension OptionSpec {
    /// `--share-dir DIR` of every share command.
    static let shareDir = OptionSpec.value(
        "share-dir", valueName: "DIR",
        help: "The share folder (grants, revocations, uses); default $CMR_SHARE_DIR, else $XDG_STATE_HOME/cmr/share, else ~/.local/state/cmr/share.",
        completion: .directory)
    /// `--key FILE`: the site's share signing key.
    static let shareKey = OptionSpec.value(
        "key", valueName: "FILE",
        help: "The signing key file (from 'cmr audit keygen'); default $CMR_SHARE_KEY.", completion: .file)
}

extension Invocation {
    func shareSettings() throws -> ShareSettings {
        try ShareSettings.resolve(shareDir: value("share-dir"), environment: environment)
    }

    /// The private key file: `--key`, else `CMR_SHARE_KEY`.
    func shareKeyPath() -> String? {
        value("key") ?? environment["CMR_SHARE_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The key that verifies tokens: `--pub FILE`, else the verifier of the signing key
    /// (`--key` / `CMR_SHARE_KEY`).
    func shareVerifier() throws -> NoteVerifier {
        if let pub = value("pub") { return try AuditOperations.verifier(keyPath: pub) }
        if shareKeyPath() != nil { return try shareSigner().verifier }
        throw CMRError(.configuration, "no key to verify share tokens with: neither --pub, --key nor CMR_SHARE_KEY names one",
                       hint: "pass the site's public key: --pub site-share.pub")
    }

    func shareSigner() throws -> NoteSigner {
        guard let path = shareKeyPath() else {
            throw CMRError(.configuration, "no share signing key: neither --key nor CMR_SHARE_KEY names one",
                           hint: "make one with 'cmr audit keygen --out site-share' and pass --key site-share.key")
        }
        return try AuditOperations.signer(keyPath: path)
    }
}
