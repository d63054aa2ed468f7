import CMRKit
import CMRAudit
import CMRShare

/// `cmr share serve`: serves shared studies to the browser viewer, behind a TLS reverse proxy.
/// A subcommand of `cmr share`.
enum ShareServeCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "serve",
            abstract: "Serve shared studies to the browser viewer (behind a TLS proxy)",
            discussion: """
                Indexes the DICOM files under --root and answers share links: the viewer page \
                (/s#TOKEN), the study manifest, thumbnails and rendered frames, and for download \
                grants the DICOM files at WADO-RS paths. Every request carries the token; its \
                signature, time window, revocation and scope are checked each time, and every \
                request is appended to the audit log. Responses are never cached (no-store). \
                The server speaks plain HTTP on a loopback address: put a TLS reverse proxy in \
                front of it (examples/share-nginx). Stops on Ctrl-C or SIGTERM after the \
                requests in flight. See docs/share-server.md.
                """,
            examples: [
                UsageExample("cmr share serve --root shared/ --key site-share.pub",
                             "Serve the studies under shared/ on 127.0.0.1:8080."),
                UsageExample("cmr share serve --root shared/ --listen 127.0.0.1:9000 --trust-proxy",
                             "Behind nginx on the same host, recording the client address nginx forwards."),
            ],
            options: [
                .value("root", valueName: "DIR", help: "Folder of the studies to serve (read recursively).", completion: .directory),
                .value("listen", valueName: "HOST:PORT", help: "Address to listen on; a loopback address unless --allow-non-loopback.",
                       default: "127.0.0.1:8080"),
                .value("pub", valueName: "FILE", help: "The site's share verifier (public) key, from 'cmr audit keygen' (PREFIX.pub).", completion: .file),
                .value("key", valueName: "FILE", help: "Or the signing key file, whose verifier key is used (default $CMR_SHARE_KEY).", completion: .file),
                .value("share-dir", valueName: "DIR", help: "The share folder with the revocation list and use counts (default $CMR_SHARE_DIR, else $XDG_STATE_HOME/cmr/share).", completion: .directory),
                .flag("trust-proxy", help: "Record the client address from X-Forwarded-For, only for connections from loopback."),
                .flag("allow-non-loopback", help: "Listen on an address other than loopback (plain HTTP: only inside a trusted network)."),
                .auditLog,
            ],
            category: .transfer,
            exitStatuses: [
                ExitStatusNote(0, "Stopped on request."),
                ExitStatusNote(64, "The command line is wrong."),
                ExitStatusNote(66, "--root does not exist or is not a folder."),
                ExitStatusNote(74, "An audit record could not be appended (the server stops)."),
                ExitStatusNote(78, "No key, no audit log location, or the address cannot be used."),
            ]
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let inv = invocation
        guard let root = inv.value("root") else {
            throw CMRError(.usage, "--root is required", hint: "name the folder of the studies to serve: --root shared/")
        }
        let listenText = inv.value("listen") ?? "127.0.0.1:8080"
        guard let (host, port) = ShareServeRequest.parseListen(listenText) else {
            throw CMRError(.usage, "--listen \(listenText) is not HOST:PORT", hint: "e.g. --listen 127.0.0.1:8080")
        }
        var request = ShareServeRequest(root: root)
        request.host = host
        request.port = port
        request.trustProxy = inv.flag("trust-proxy")
        request.allowNonLoopback = inv.flag("allow-non-loopback")
        let audit = try AuditContext.resolve(option: inv.value("audit-log"), environment: inv.environment)
        // The server needs only the verifier key: --pub, else the one of --key / CMR_SHARE_KEY.
        let key = try inv.shareVerifier()
        let store = ShareStore(directory: try inv.shareSettings().directory)
        let operation = try ShareServeOperation(request, verify: ShareVerifier.make(keys: [key], store: store),
                                                recordUse: ShareVerifier.recordUse(store: store), audit: audit)
        let started = try operation.start()
        if !inv.isQuiet {
            inv.diagnostics.note("serving \(started.studies) stud\(started.studies == 1 ? "y" : "ies") (\(started.instances) instances) on http://\(started.listen)/s"
                                 + (started.skipped > 0 ? "; \(started.skipped) files under \(root) are not DICOM and are not served" : ""))
        }
        try operation.run()
        return 0
    }
}
