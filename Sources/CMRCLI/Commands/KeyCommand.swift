import CMRKit

/// `cmr key`: the site key behind keyed pseudonyms.
enum KeyCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "key",
            abstract: "Make and name the site key of keyed pseudonyms",
            discussion: """
                The site key makes de-identification repeatable: replacement UIDs, patient \
                pseudonyms and date shifts are HMAC-SHA256 of the originals under it, so the same \
                input gives the same output on every machine that holds the key, with no shared \
                state. Keep it at the site, readable by its owner only (cmr refuses a key file \
                others can read); whoever holds it can test a guessed identity against a pseudonym.
                """,
            examples: [
                UsageExample("cmr key new site.key", "A new random key (32 bytes, as hex), mode 0600."),
                UsageExample("cmr key fingerprint site.key", "The key's fingerprint, as reports and audit records name it."),
            ],
            subcommands: [KeyNewCommand.self, KeyFingerprintCommand.self],
            category: .privacy
        )
    }
}

enum KeyNewCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "new",
            abstract: "Write a new random site key",
            discussion: "Writes 32 bytes from the system's secure random source, as one hex line, to FILE with mode 0600. An existing file is never replaced.",
            examples: [UsageExample("cmr key new /etc/cmr/site.key", "Make the site key.")],
            positionals: [PositionalSpec("FILE", help: "Where to write the key.", completion: .file)],
            category: .privacy,
            exitStatuses: [
                ExitStatusNote(0, "The key was written; its fingerprint is printed."),
                ExitStatusNote(73, "FILE exists already or cannot be created."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let path = invocation.positionals[0]
        let key = try SiteKey.generate(path)
        invocation.output.line(key.fingerprint)
        if !invocation.isQuiet { invocation.diagnostics.note("wrote \(path) (secret, mode 0600); fingerprint \(key.fingerprint)") }
        return 0
    }
}

enum KeyFingerprintCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "fingerprint",
            abstract: "Print the fingerprint of a site key",
            discussion: "The first 8 bytes of the SHA-256 of the key, in hex: how reports, re-identification tables and audit records name a key without revealing it.",
            examples: [UsageExample("cmr key fingerprint site.key", "Which key is this?")],
            positionals: [PositionalSpec("FILE", help: "The key file.", completion: .file)],
            category: .privacy,
            exitStatuses: [
                ExitStatusNote(0, "The fingerprint was printed."),
                ExitStatusNote(77, "The key file can be read by others."),
                ExitStatusNote(78, "The key file is missing or too short."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        invocation.output.line(try SiteKey.load(invocation.positionals[0]).fingerprint)
        return 0
    }
}
