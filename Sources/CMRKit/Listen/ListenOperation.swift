import Foundation
import DICOMCore
import DICOMCoding
import DICOMNetwork
import CMRAudit

/// What `cmr listen` does: where it answers, whom it accepts, where files go, what runs per study.
public struct ListenRequest: Sendable {
    public var output: String
    public var layout: OutputLayout
    public var address: DIMSEAddress
    /// Calling AE titles accepted (nil: any).
    public var allowedCallingAETitles: Set<String>?
    /// A shell command run once per study when it has been idle for `execIdle` seconds.
    public var exec: String?
    public var execIdle: Double
    public var maxAssociations: Int
    public var timeouts: NetworkTimeouts

    public init(output: String, layout: OutputLayout = .tree, address: DIMSEAddress, allowedCallingAETitles: Set<String>? = nil,
                exec: String? = nil, execIdle: Double = 10, maxAssociations: Int = 8, timeouts: NetworkTimeouts = NetworkTimeouts()) {
        self.output = output
        self.layout = layout
        self.address = address
        self.allowedCallingAETitles = allowedCallingAETitles
        self.exec = exec
        self.execIdle = execIdle
        self.maxAssociations = maxAssociations
        self.timeouts = timeouts
    }
}

/// `cmr listen`: a storage SCP until told to stop. Each association is served on its own thread
/// (at most `maxAssociations` at once; more wait in the listen backlog) into a hidden staging
/// folder; when it ends, its complete instances are placed into the layout (never replacing a
/// file), so the tree never holds a partial file. A study that received nothing for
/// `execIdle` seconds is finished: its audit record (110104, action C) is appended and `exec` runs
/// with `CMR_STUDY_DIR`, `CMR_STUDY_UID`, `CMR_STUDY_FILES` and `CMR_CALLING_AE` in its
/// environment. Stopping finishes the associations in flight and every pending study.
public final class ListenOperation: @unchecked Sendable {
    public let request: ListenRequest
    public let audit: AuditContext?
    public let environment: [String: String]
    /// Each instance placed (or found present), from the association threads.
    public var onRecord: @Sendable (TransferRecord) -> Void = { _ in }
    /// Findings worth a line on standard error: an association that ended badly, a failed --exec.
    public var onNote: @Sendable (String) -> Void = { _ in }

    private let lock = NSLock()
    private var listener: SocketListener?
    private var staging = ""
    private var active = 0
    private var served = 0
    private var pending: [String: PendingStudy] = [:]
    private let group = DispatchGroup()
    private var auditError: CMRError?
    /// `--exec` runs here, one study at a time, so receiving goes on while a command runs.
    private let execQueue = DispatchQueue(label: "cmr.listen.exec")

    struct PendingStudy {
        var study: PullStudy
        var folder: String
        var peer: String
        var callingAE: String
        var last: Date
    }

    public init(request: ListenRequest, audit: AuditContext?, environment: [String: String]) {
        self.request = request
        self.audit = audit
        self.environment = environment
    }

    /// Connections accepted so far (each an association, unless the peer went away before asking).
    public var associations: Int { lock.withLock { served } }

    /// The port actually bound (useful with port 0).
    public var port: UInt16 { listener?.port ?? request.address.port }

    /// Creates the output folder and binds the address; fails before serving anything.
    public func bind() throws(CMRError) {
        do { try FileManager.default.createDirectory(atPath: request.output, withIntermediateDirectories: true) } catch {
            throw CMRError(.cannotCreateOutput, "\(request.output): cannot create the folder: \(error.localizedDescription)")
        }
        recoverStaleStaging()
        staging = try FilePlacement.makeStaging(in: request.output)
        do { listener = try SocketListener(host: request.address.host, port: request.address.port) } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw CMRError(.temporaryFailure, "cannot listen at \(request.address.host):\(request.address.port): \(error)",
                           hint: "another process may hold the port; name another with --listen AE@127.0.0.1:PORT")
        }
    }

    /// Serves until `shouldStop` returns true (polled every 0.2 s), then finishes what is in flight.
    /// Throws the first audit failure (74) once stopped.
    public func run(shouldStop: () -> Bool) throws(CMRError) {
        guard let listener else { return }
        while !shouldStop() {
            flushIdle(force: false)
            if lock.withLock({ active >= request.maxAssociations }) { usleep(50_000); continue }
            guard let connection = try? listener.accept(timeout: 0.2) else { continue }
            lock.withLock { active += 1; served += 1 }
            group.enter()
            let thread = Thread { [self] in
                defer { lock.withLock { active -= 1 }; group.leave() }
                serve(connection)
            }
            thread.start()
        }
        listener.close()
        group.wait()
        flushIdle(force: true)
        execQueue.sync {}
        removeStaging()
        if let e = lock.withLock({ auditError }) { throw e }
    }

    private func serve(_ connection: SocketTransport) {
        let peer = connection.peerDescription
        let scp = StorageSCP(directory: staging, aeTitle: request.address.aeTitle, transferSyntaxes: RetrieveContexts.transferSyntaxes,
                             timeouts: request.timeouts)
        scp.policy.allowedCallingAETitles = request.allowedCallingAETitles
        // Each instance goes into the layout as soon as it is answered, not when the association
        // ends: a long association shows its files as they come, and a crash leaves at most the
        // instance in hand in staging (recovered on the next start).
        scp.onReceived = { [self] instance in place(instance, peer: peer) }
        do { try scp.serve(connection) } catch { onNote("association from \(peer): \(error)") }
        connection.close()
    }

    /// Removes this run's staging folder, unless instances that were answered but could not be
    /// placed are in it: those stay, and the next run on this folder places them.
    private func removeStaging() {
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []).filter { !$0.hasPrefix(".") }
        if left.isEmpty {
            try? FileManager.default.removeItem(atPath: staging)
        } else {
            onNote("\(left.count) received instance\(left.count == 1 ? "" : "s") could not be placed; kept in \(staging) for the next cmr listen on \(request.output)")
        }
    }

    /// Places the whole files a killed run left in staging: each was answered with success, so
    /// the sender may already have deleted its copy. Files that do not read as DICOM (a temporary
    /// cut short) are dropped with a note; then the stale folders are removed.
    private func recoverStaleStaging() {
        var recovered = 0
        for path in FilePlacement.staleStagedFiles(in: request.output) {
            guard let source = try? DICOMFileSource(path: path), (try? DICOMReader.read(contentsOf: path)) != nil else {
                onNote("\(path): incomplete instance left by a run that ended, dropped")
                continue
            }
            place(ReceivedInstance(path: path, sopClassUID: source.sopClassUID, sopInstanceUID: source.sopInstanceUID,
                                   transferSyntaxUID: source.transferSyntaxUID, callingAETitle: "(recovered)"), peer: "staging")
            recovered += 1
        }
        if recovered > 0 { onNote("recovered \(recovered) instance\(recovered == 1 ? "" : "s") received by a run that ended before placing them") }
        FilePlacement.removeStaleStaging(in: request.output)
    }

    private func place(_ instance: ReceivedInstance, peer: String) {
        let ids = ReceivedFileIdentity(path: instance.path)
        let relative = request.layout.relativePath(patientID: ids.patientID, studyUID: ids.studyUID, seriesUID: ids.seriesUID,
                                                   sopInstanceUID: instance.sopInstanceUID)
        var r = TransferRecord(path: request.output + "/" + relative, status: .received, attempts: 1)
        r.sopInstanceUID = instance.sopInstanceUID
        r.sopClassUID = instance.sopClassUID
        r.studyInstanceUID = ids.studyUID
        r.transferSyntax = instance.transferSyntaxUID
        do {
            if try FilePlacement.place(instance.path, at: r.path, keepOnFailure: true) == .exists {
                r.status = .exists
            } else if let d = FileDigest.sha256(r.path) {
                r.sha256 = d.hex
                r.bytes = d.size
            }
        } catch {
            r.status = .failed
            r.comment = error.message
        }
        onRecord(r)
        let studyUID = ids.studyUID ?? "unknown-study"
        lock.withLock {
            var p = pending[studyUID] ?? PendingStudy(
                study: PullStudy(studyUID: studyUID, patientID: ids.patientID, expected: 0, records: [], notes: []),
                folder: request.output + (request.layout == .tree ? "/" + request.layout.studyFolder(patientID: ids.patientID, studyUID: studyUID) : ""),
                peer: "\(instance.callingAETitle)@\(peer)", callingAE: instance.callingAETitle, last: Date())
            p.study.records.append(r)
            p.study.expected += 1
            p.last = Date()
            pending[studyUID] = p
        }
    }

    /// Finishes the studies idle for `execIdle` seconds (all of them with `force`): audit, then --exec.
    private func flushIdle(force: Bool) {
        let now = Date()
        let due: [PendingStudy] = lock.withLock {
            let keys = pending.filter { force || now.timeIntervalSince($0.value.last) >= request.execIdle }.map(\.key)
            return keys.compactMap { pending.removeValue(forKey: $0) }
        }
        guard !due.isEmpty else { return }
        if let audit {
            do {
                var drafts: [AuditRecordDraft] = []
                for p in due { drafts += try audit.pullDrafts(study: p.study, peer: p.peer, command: "listen") }
                try audit.append(drafts)
            } catch {
                onNote(error.message)
                lock.withLock { if auditError == nil { auditError = error } }
            }
        }
        guard let command = request.exec else { return }
        execQueue.async { [self] in for p in due { runExec(command, p) } }
    }

    /// Runs `--exec` through /bin/sh with the study in its environment (never on its command line);
    /// its standard output goes to standard error, so cmr's own stdout stays data only.
    private func runExec(_ command: String, _ p: PendingStudy) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var env = environment
        env["CMR_STUDY_DIR"] = p.folder
        env["CMR_STUDY_UID"] = p.study.studyUID
        env["CMR_STUDY_FILES"] = String(p.study.records.count)
        env["CMR_CALLING_AE"] = p.callingAE
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.standardError
        do {
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                onNote("--exec for study \(p.study.studyUID) exited with status \(process.terminationStatus)")
            }
        } catch {
            onNote("--exec could not run: \(error.localizedDescription)")
        }
    }
}
