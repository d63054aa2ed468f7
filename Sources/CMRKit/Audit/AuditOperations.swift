import Foundation
import CMRAudit
#if canImport(Glibc)
import Glibc
#endif

/// The operations behind `cmr audit`: key generation, checkpoints, verification, proofs and
/// listing. None of them appends to the log (verifying must not change the evidence); only
/// `checkpoint` writes, to `<log>.checkpoints`.
public enum AuditOperations {
    // MARK: Keys

    /// Writes `PREFIX.key` (mode 0600) and `PREFIX.pub`; refuses when either exists (73).
    public static func keygen(prefix: String, name: String) throws(CMRError) -> (privateKey: String, publicKey: String, verifier: String) {
        let privatePath = prefix + ".key", publicPath = prefix + ".pub"
        for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw CMRError(.cannotCreateOutput, "\(path): already exists", hint: "choose another --out prefix; keys are never overwritten")
        }
        do {
            let signer = try NoteSigner.generate(name: name)
            try signer.write(privateKeyPath: privatePath, publicKeyPath: publicPath)
            return (privatePath, publicPath, signer.verifier.text)
        } catch {
            if case .invalidFormat(_, let reason) = error { throw CMRError(.usage, "key name '\(name)': \(reason)") }
            throw mapped(error, creating: true)
        }
    }

    public static func signer(keyPath: String) throws(CMRError) -> NoteSigner {
        do { return try NoteSigner.read(path: keyPath) } catch { throw mapped(error, key: true) }
    }

    public static func verifier(keyPath: String) throws(CMRError) -> NoteVerifier {
        do { return try NoteVerifier.read(path: keyPath) } catch { throw mapped(error, key: true) }
    }

    // MARK: Checkpoints

    /// Signs a checkpoint of the whole log and appends it to `<log>.checkpoints`.
    public static func checkpoint(logPath: String, keyPath: String, origin: String?) throws(CMRError) -> SignedNote {
        try requireLog(logPath)
        let signer = try signer(keyPath: keyPath)
        let origin = origin ?? signer.name
        guard !origin.isEmpty, !origin.contains("\n") else { throw CMRError(.usage, "--origin must be one non-empty line") }
        do {
            return try AuditCheckpointer(log: AuditLog(path: logPath), signer: signer, origin: origin).checkpoint()
        } catch { throw mapped(error) }
    }

    // MARK: Verification

    public static func verify(logPath: String, keyPath: String?, trustedCheckpointPath: String?, strict: Bool) throws(CMRError) -> AuditVerification {
        try requireLog(logPath)
        let key: NoteVerifier? = try keyPath.map { (p: String) throws(CMRError) in try Self.verifier(keyPath: p) }
        var trusted: SignedNote?
        if let path = trustedCheckpointPath {
            let text = try readText(path)
            do { trusted = try SignedNote(text: text) } catch {
                throw CMRError(.invalidData, "\(path): not a signed checkpoint: \(error)", hint: "save the output of 'cmr audit checkpoint' as the trusted checkpoint")
            }
        }
        var checker = AuditVerifier(publicKey: key, trustedCheckpoint: trusted)
        checker.strict = strict
        let result: AuditVerification
        do { result = try checker.verify(logPath: logPath) } catch { throw mapped(error) }
        if result.recordCount == 0, let handle = FileHandle(forReadingAtPath: logPath) {
            let first = try? handle.read(upToCount: 1)
            try? handle.close()
            if let first, !first.isEmpty, first.first != UInt8(ascii: "{") {
                throw CMRError(.invalidData, "\(logPath): not an audit log: no line is a record",
                               hint: "name the log (a JSON Lines file written by cmr), not a data file")
            }
        }
        return result
    }

    /// Checks an inclusion proof file: nil when it holds, else why not.
    public static func verifyProof(path: String, keyPath: String) throws(CMRError) -> (seq: UInt64, treeSize: UInt64, failure: String?) {
        let key = try verifier(keyPath: keyPath)
        let text = try readText(path)
        let proof: InclusionProof
        do { proof = try InclusionProof(text: text) } catch {
            throw CMRError(.invalidData, "\(path): not an inclusion proof", hint: "make one with 'cmr audit prove SEQ'")
        }
        return (proof.index, proof.treeSize, proof.verify(publicKey: key))
    }

    // MARK: Proofs

    /// The inclusion proof of record `seq` against `checkpointPath`'s note, or else the newest
    /// checkpoint in `<log>.checkpoints` that covers it.
    public static func prove(logPath: String, seq: UInt64, checkpointPath: String?) throws(CMRError) -> InclusionProof {
        try requireLog(logPath)
        let note: SignedNote
        if let checkpointPath {
            do { note = try SignedNote(text: try readText(checkpointPath)) } catch let error as CMRError { throw error } catch {
                throw CMRError(.invalidData, "\(checkpointPath): not a signed checkpoint")
            }
        } else {
            let notes: [SignedNote]
            do { notes = try AuditCheckpointer.readCheckpoints(path: logPath + ".checkpoints") } catch { throw mapped(error) }
            guard let covering = notes.last(where: { (try? AuditCheckpoint(body: $0.body))?.size ?? 0 > seq }) else {
                throw CMRError(.inputMissing, "\(logPath).checkpoints: no checkpoint covers record \(seq)",
                               hint: "write one with 'cmr audit checkpoint --key KEYFILE', then prove again")
            }
            note = covering
        }
        do { return try InclusionProof.make(logPath: logPath, index: seq, checkpoint: note) } catch {
            if case .invalidFormat(_, let reason) = error { throw CMRError(.invalidData, "\(logPath): \(reason)") }
            throw mapped(error)
        }
    }

    // MARK: Listing

    /// Which records `show` lists; nil fields match everything.
    public struct Filter: Sendable {
        public var since: Int64?
        public var until: Int64?
        public var events: [String] = []
        public var study: String?
        public var actor: String?
        public init() {}

        public func matches(_ r: AuditRecord) -> Bool {
            if since != nil || until != nil {
                guard let t = AuditTime.parse(r.time) else { return false }
                if let since, t < since { return false }
                if let until, t > until { return false }
            }
            if !events.isEmpty && !events.contains(where: { $0 == r.event.code || $0 == r.event.name }) { return false }
            if let study, !r.objects.contains(where: { $0.studyUID == study }) { return false }
            if let actor, actor != r.actor.user && actor != "\(r.actor.user)@\(r.actor.host)" { return false }
            return true
        }
    }

    /// One line of the log as `show` sees it.
    public enum Line {
        case record(AuditRecord, text: String)
        case unreadable(number: Int, reason: String)
    }

    /// Calls `body` with each line of the log, in order.
    public static func forEachLine(logPath: String, _ body: (Line) -> Void) throws(CMRError) {
        try requireLog(logPath)
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: logPath), options: .alwaysMapped) } catch {
            throw CMRError(.inputMissing, "\(logPath): cannot be read: \(error.localizedDescription)")
        }
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var start = 0
            var number = 0
            while start < raw.count {
                number += 1
                var end = start
                while end < raw.count && raw[end] != 0x0A { end += 1 }
                let line = UnsafeRawBufferPointer(rebasing: raw[start..<end])
                if end == raw.count {
                    body(.unreadable(number: number, reason: "torn line (no final newline)"))
                } else {
                    do {
                        let record = try AuditRecord(canonicalLine: line)
                        body(.record(record, text: String(decoding: line, as: UTF8.self)))
                    } catch {
                        body(.unreadable(number: number, reason: "\(error)"))
                    }
                }
                start = end + 1
            }
        }
    }

    /// Milliseconds since the epoch for `2026-11-29`, `2026-11-29T06:40`, `2026-11-29 06:40:00`,
    /// `2026-11-29T06:40:00.123Z` or with an offset `+01:00`; without a zone, UTC.
    public static func parseTime(_ text: String) -> Int64? {
        var s = Array(text.utf8)
        guard s.count >= 10 else { return nil }
        var offsetMinutes: Int64 = 0
        if s.count > 10 {
            guard s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: " ") || s[10] == UInt8(ascii: "t") else { return nil }
            s[10] = UInt8(ascii: "T")
            if s.last == UInt8(ascii: "Z") || s.last == UInt8(ascii: "z") {
                s.removeLast()
            } else if s.count >= 16, s[s.count - 3] == UInt8(ascii: ":"), s[s.count - 6] == UInt8(ascii: "+") || s[s.count - 6] == UInt8(ascii: "-") {
                let zone = String(decoding: s[(s.count - 5)...], as: UTF8.self)
                guard let h = Int64(zone.prefix(2)), let m = Int64(zone.suffix(2)) else { return nil }
                offsetMinutes = (h * 60 + m) * (s[s.count - 6] == UInt8(ascii: "+") ? 1 : -1)
                s.removeLast(6)
            }
        }
        var text = String(decoding: s, as: UTF8.self)
        let full = "0000-01-01T00:00:00.000"
        if text.count == 10 { text += "T" }
        guard text.count <= full.count, [16, 19, 23, 11].contains(text.count) else { return nil }
        text += full.dropFirst(text.count)
        guard let ms = AuditTime.parse(text + "Z") else { return nil }
        return ms - offsetMinutes * 60_000
    }

    // MARK: Errors

    static func requireLog(_ path: String) throws(CMRError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CMRError(.inputMissing, "\(path): no such audit log", hint: "name the log, or set CMR_AUDIT_LOG; cmr writes it on the first command that touches data")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw CMRError(.usage, "\(path): is a directory") }
    }

    static func readText(_ path: String) throws(CMRError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CMRError(.inputMissing, "\(path): cannot be read (missing or not permitted)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw CMRError(.invalidData, "\(path): not UTF-8 text") }
        return text
    }

    static func mapped(_ error: AuditError, key: Bool = false, creating: Bool = false) -> CMRError {
        switch error {
        case let .system(call, path, code):
            if creating { return CMRError(code == EEXIST ? .cannotCreateOutput : .cannotCreateOutput, "\(path): \(String(cString: strerror(code)))") }
            if code == ENOENT || code == EACCES || code == EPERM {
                return CMRError(.inputMissing, "\(path): \(String(cString: strerror(code)))")
            }
            return CMRError(.ioError, "\(call) failed on \(path): \(String(cString: strerror(code)))")
        case let .invalidFormat(path, reason):
            return key ? CMRError(.configuration, "\(path): \(reason)", hint: "make a key pair with 'cmr audit keygen --out PREFIX'")
                       : CMRError(.invalidData, "\(path): \(reason)")
        case .unreadableRecord, .shortWrite:
            return CMRError(.invalidData, error.description)
        }
    }
}
