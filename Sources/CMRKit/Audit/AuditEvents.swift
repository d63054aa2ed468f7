import CMRAudit
import CMRShare
import CMRCrypto

/// The records each command appends: one function per command, so the event codes and fields
/// of cmr's commands are in one place (docs/audit-cli.md lists them).
extension AuditContext {
    /// `cmr inspect`: DICOM Instances Accessed (110103), action R — one object per file read
    /// (study, series, instance and SOP class UIDs, the patient as a keyed hash, the path) and one
    /// path-only object per file that could not be read. Outcome 0 when every file was read, 4
    /// when some failed, 8 when none could be read. Files are not hashed (inspect only reads).
    public func inspectDrafts(read: [(path: String, identity: Inspector.Identity)], failed: [String],
                              mode: String) throws(CMRError) -> [AuditRecordDraft] {
        let needsKeyring = read.contains { $0.identity.patientID?.isEmpty == false }
        let keyring = needsKeyring ? try patientKeyring() : nil
        var objects: [AuditObject] = []
        objects.reserveCapacity(read.count + failed.count)
        for (path, id) in read {
            objects.append(AuditObject(studyUID: id.studyUID, seriesUID: id.seriesUID, instanceUID: id.instanceUID,
                                       sopClassUID: id.sopClassUID,
                                       patientRef: id.patientID.flatMap { $0.isEmpty ? nil : keyring?.reference(for: $0) },
                                       path: path))
        }
        for path in failed { objects.append(AuditObject(path: path)) }
        let outcome: AuditOutcome
        if failed.isEmpty {
            outcome = .success
        } else if read.isEmpty {
            outcome = AuditOutcome(code: .seriousFailure, message: "\(failed.count) file\(failed.count == 1 ? "" : "s") could not be read")
        } else {
            outcome = AuditOutcome(code: .minorFailure, message: "\(failed.count) of \(read.count + failed.count) files could not be read")
        }
        return drafts(event: AuditEvent(code: AuditEvent.Code.instancesAccessed, action: .read, name: "inspect"),
                      outcome: outcome, objects: objects,
                      details: ["files": String(read.count), "failed": String(failed.count), "output": mode])
    }

    /// `cmr synth`: DICOM Instances Accessed (110103) with action C (create), as PS3.15 A.5.3.2
    /// records instances being created; one object for the output folder with the file count.
    /// The data is synthetic: no patient reference.
    public func synthDraft(folder: String, files: Int, error: CMRError?, seed: UInt64) -> AuditRecordDraft {
        draft(event: AuditEvent(code: AuditEvent.Code.instancesAccessed, action: .create, name: "synth"),
              outcome: error.map { AuditOutcome(code: .seriousFailure, message: $0.message) } ?? .success,
              objects: [AuditObject(path: folder, count: UInt64(files))],
              destination: folder,
              details: ["synthetic": "true", "seed": String(seed)])
    }
}

extension AuditContext {
    /// `cmr deidentify`: one record per run and file outcome — DICOM Instances Accessed (110103)
    /// with action C for the instances written (new instances, with their output digests and the
    /// original study as a keyed patient reference), action R for inputs that failed or were
    /// quarantined; details carry the mode, options, key fingerprint (never the key) and counts.
    /// Original UIDs do not appear: objects name the outputs by their new UIDs, and refused inputs
    /// by a keyed hash of their path.
    public func deidentifyDrafts(reports: [DeidentifyFileReport], summary: DeidentifySummary) throws(CMRError) -> [AuditRecordDraft] {
        let needsKeyring = reports.contains { $0.patient?.patientID.isEmpty == false || $0.status == .failed || $0.status == .quarantined }
        let keyring = needsKeyring ? try patientKeyring() : nil
        var written: [AuditObject] = []
        var refused: [AuditObject] = []
        for r in reports {
            switch r.status {
            case .written:
                written.append(AuditObject(instanceUID: r.sopInstanceUID, sopClassUID: r.sopClassUID,
                                           patientRef: r.patient.flatMap { $0.patientID.isEmpty ? nil : keyring?.reference(for: $0.patientID) },
                                           path: r.output, sha256: r.sha256))
            case .failed, .quarantined:
                // Input paths often name patients (exports are foldered by patient): keyed hash only;
                // the site's --report names the file.
                refused.append(AuditObject(path: keyring.map { "hmac:" + $0.reference(for: r.input) }))
            case .exists, .planned:
                break
            }
        }
        let mode = AuditDataMode(rawValue: summary.mode)
        var details = ["mode": summary.mode, "options": summary.options.joined(separator: ","),
                       "written": String(summary.written), "failed": String(summary.failed),
                       "quarantined": String(summary.quarantined), "existing": String(summary.existing)]
        if let fingerprint = summary.keyFingerprint { details["key"] = fingerprint }
        var drafts: [AuditRecordDraft] = []
        let outcome: AuditOutcome = refused.isEmpty ? .success
            : AuditOutcome(code: written.isEmpty ? .seriousFailure : .minorFailure,
                           message: "\(summary.failed) failed, \(summary.quarantined) quarantined")
        drafts += self.drafts(event: AuditEvent(code: AuditEvent.Code.instancesAccessed, action: .create, name: "deidentify"),
                              outcome: outcome, objects: written, mode: mode, details: details)
        if !refused.isEmpty {
            drafts += self.drafts(event: AuditEvent(code: AuditEvent.Code.instancesAccessed, action: .read, name: "deidentify"),
                                  outcome: AuditOutcome(code: .minorFailure, message: "inputs not de-identified"),
                                  objects: refused, mode: mode, details: details)
        }
        return drafts
    }
}

extension AuditContext {
    /// `cmr reidentify`: Patient Record (110110), action R, mode identified — one object per entry
    /// found (the patient as a keyed hash, or the study), the key's fingerprint in the details.
    public func reidentifyDraft(found: [ReidentificationTable.Entry], missing: Int, lookedUp: Int,
                                keyFingerprint: String) throws(CMRError) -> AuditRecordDraft {
        let keyring = found.contains { $0.patientID != nil } ? try patientKeyring() : nil
        let objects = found.map { AuditObject(studyUID: $0.studyUID, patientRef: $0.patientID.flatMap { keyring?.reference(for: $0) }) }
        return draft(event: AuditEvent(code: AuditEvent.Code.patientRecord, action: .read, name: "reidentify"),
                     outcome: missing == 0 ? .success : AuditOutcome(code: .minorFailure, message: "\(missing) not found"),
                     objects: objects, mode: .identified,
                     details: ["key": keyFingerprint, "looked-up": String(lookedUp), "found": String(found.count)])
    }
}

extension AuditContext {
    /// `cmr render`: DICOM Instances Accessed (110103), action R, with the details of an export
    /// (pixels leave the DICOM domain as PNG): one object per file read (study, series, instance and
    /// SOP class UIDs, the patient as a keyed hash, the input path, `count` = frames rendered from
    /// it) and one path-only object per file that could not be read; `destination` = --out;
    /// details: format png, outputs, frames, failed, and contact-sheet when one was made. Outcome 0
    /// when every file was rendered, 4 when some failed, 8 when nothing was written. Outputs are
    /// not hashed.
    public func renderDrafts(reports: [RenderFileReport], sheet: RenderOutput?, destination: String) throws(CMRError) -> [AuditRecordDraft] {
        let needsKeyring = reports.contains { $0.identity.patientID?.isEmpty == false }
        let keyring = needsKeyring ? try patientKeyring() : nil
        var objects: [AuditObject] = []
        objects.reserveCapacity(reports.count)
        var frames = 0, outputs = 0, failed = 0
        for r in reports {
            frames += r.outputs.count
            if r.error != nil { failed += 1 }
            guard r.read else { objects.append(AuditObject(path: r.input)); continue }
            let id = r.identity
            objects.append(AuditObject(studyUID: id.studyUID, seriesUID: id.seriesUID, instanceUID: id.instanceUID,
                                       sopClassUID: id.sopClassUID,
                                       patientRef: id.patientID.flatMap { $0.isEmpty ? nil : keyring?.reference(for: $0) },
                                       path: r.input, count: UInt64(r.outputs.count)))
        }
        outputs = sheet == nil ? frames : 1
        let outcome: AuditOutcome
        if failed == 0 {
            outcome = .success
        } else if outputs == 0 {
            outcome = AuditOutcome(code: .seriousFailure, message: "nothing rendered: \(failed) file\(failed == 1 ? "" : "s") failed")
        } else {
            outcome = AuditOutcome(code: .minorFailure, message: "\(failed) of \(reports.count) files failed")
        }
        var details = ["format": "png", "outputs": String(outputs), "frames": String(frames), "failed": String(failed)]
        if sheet != nil { details["contact-sheet"] = "true" }
        return drafts(event: AuditEvent(code: AuditEvent.Code.instancesAccessed, action: .read, name: "render"),
                      outcome: outcome, objects: objects, destination: destination, details: details)
    }
}

extension AuditContext {
    /// `cmr share` (a grant issued): Export (110106), action R — the granted study (and series) as
    /// objects, `destination` = the recipient, the data mode; details: grant id, scope, not-before,
    /// expiry, series and maximum uses. The token itself is never recorded (it is a bearer secret).
    public func shareGrantDraft(_ grant: ShareGrant, source: String?) -> AuditRecordDraft {
        var objects = [AuditObject(studyUID: grant.studyUID, path: source)]
        objects += grant.seriesUIDs.map { AuditObject(studyUID: grant.studyUID, seriesUID: $0) }
        var details = ["grant": grant.id, "scope": grant.scope.rawValue, "issuer": grant.issuer,
                       "not-before": ShareTime.format(grant.notBefore), "expires": ShareTime.format(grant.expires)]
        if let max = grant.maxUses { details["max-uses"] = String(max) }
        if !grant.seriesUIDs.isEmpty { details["series"] = String(grant.seriesUIDs.count) }
        return draft(event: AuditEvent(code: AuditEvent.Code.export, action: .read, name: "share"),
                     objects: objects, destination: grant.recipient, mode: AuditDataMode(rawValue: grant.mode), details: details)
    }

    /// `cmr share revoke`: Export (110106), action D — the grant's study, `destination` = its
    /// recipient; details: grant id and the reason given.
    public func shareRevokeDraft(_ grant: ShareGrant, revocation: ShareStore.Revocation) -> AuditRecordDraft {
        var details = ["grant": grant.id, "revoked": ShareTime.format(revocation.time)]
        if let reason = revocation.reason { details["reason"] = reason }
        return draft(event: AuditEvent(code: AuditEvent.Code.export, action: .delete, name: "share"),
                     objects: [AuditObject(studyUID: grant.studyUID)], destination: grant.recipient,
                     mode: AuditDataMode(rawValue: grant.mode), details: details)
    }
}

extension AuditContext {
    /// `cmr send`: DICOM Instances Transferred (110104), action R — one object per study sent
    /// with `count` = instances the peer stored (warnings included) and `sha256` = the SHA-256 of
    /// their files' digests (lowercase hex, sorted, one per line: each file's own digest is in the
    /// report and the journal), the patient as a keyed hash; `destination` = the peer
    /// (`dicom://AE@host:port`); `mode` deidentified when every file says Patient Identity
    /// Removed YES, else omitted. Outcome 0 when nothing failed, 4 when some failed, 8 when none
    /// was stored. Files skipped by the journal were not sent again and are only counted.
    public func sendDrafts(result: SendResult) throws(CMRError) -> [AuditRecordDraft] {
        let patients = result.patientIDs
        let keyring = patients.values.contains { !$0.isEmpty } ? try patientKeyring() : nil
        var studies: [String: [String]] = [:]
        var order: [String] = []
        for r in result.records where r.status == .stored || r.status == .warning {
            let study = r.studyInstanceUID ?? ""
            if studies[study] == nil { order.append(study) }
            studies[study, default: []].append(r.sha256 ?? "")
        }
        let objects = order.map { study -> AuditObject in
            let joined = studies[study]!.sorted().joined(separator: "\n")
            return AuditObject(studyUID: study.isEmpty ? nil : study,
                               patientRef: patients[study].flatMap { $0.isEmpty ? nil : keyring?.reference(for: $0) },
                               sha256: Hex.encode(SHA256.hash(Array(joined.utf8))), count: UInt64(studies[study]!.count))
        }
        let s = result.summary
        let stored = s.stored + s.warnings
        let outcome: AuditOutcome = s.failed == 0 ? .success
            : AuditOutcome(code: stored == 0 ? .seriousFailure : .minorFailure,
                           message: "\(s.failed) of \(s.total) not stored" + (s.stoppedBecause.map { ": \($0)" } ?? ""))
        return drafts(event: AuditEvent(code: AuditEvent.Code.instancesTransferred, action: .read, name: "send"),
                      outcome: outcome, objects: objects, destination: s.peer, mode: result.mode.flatMap(AuditDataMode.init(rawValue:)),
                      details: ["stored": String(s.stored), "warnings": String(s.warnings), "failed": String(s.failed),
                                "skipped": String(s.skipped), "associations": String(s.associations)])
    }
}

extension AuditContext {
    /// `cmr send`, before the first file goes: Begin Transferring DICOM Instances (110102), action
    /// E — one object per study about to be sent with `count`; `destination` = the peer. With the
    /// 110104 record at the end, a run killed in between still leaves a trace of what it began.
    public func sendBeginDraft(_ start: SendStart) -> AuditRecordDraft {
        let objects = start.studies.keys.sorted().map { AuditObject(studyUID: $0.isEmpty ? nil : $0, count: UInt64(start.studies[$0]!)) }
        return draft(event: AuditEvent(code: AuditEvent.Code.beginTransferringInstances, action: .execute, name: "send"),
                     objects: objects, destination: start.destination,
                     details: ["files": String(start.files), "bytes": String(start.bytes)])
    }
}

extension AuditContext {
    /// `cmr query` and the C-FIND of `cmr pull`: Query (110112), action E, with the query keys
    /// (level, model, each key as keyword = value, an empty value for a return key) and the
    /// number of matches as details; `peer` = the PACS. Outcome 8 with the error when it failed.
    /// Keys may carry a patient's ID or name: they are recorded as keyed hashes (`hmac:…`).
    public func queryDrafts(query: QueryRequest, peer: String, matches: Int, error: CMRError?, command: String = "pull") throws(CMRError) -> [AuditRecordDraft] {
        var details = query.details
        let identifying = ["PatientID", "PatientName", "PatientBirthDate", "OtherPatientIDs", "IssuerOfPatientID"]
        if identifying.contains(where: { !(details[$0] ?? "").isEmpty }) {
            let keyring = try patientKeyring()
            for name in identifying { if let v = details[name], !v.isEmpty { details[name] = "hmac:" + keyring.reference(for: v) } }
        }
        details["matches"] = String(matches)
        let outcome = error.map { AuditOutcome(code: .seriousFailure, message: $0.message) } ?? .success
        return [draft(event: AuditEvent(code: AuditEvent.Code.query, action: .execute, name: command), outcome: outcome,
                      peer: peer, details: details)]
    }

    /// `cmr pull`: DICOM Instances Transferred (110104), action C, one record per study: one
    /// object per instance received (study, instance and SOP class UIDs, the patient as a keyed
    /// hash, the path written, `sha256`); `peer` = the PACS; details: listed, received, exists,
    /// failed. Outcome 0 when every listed instance is in the output, 4 some are not, 8 none.
    public func pullDrafts(study: PullStudy, peer: String, command: String = "pull") throws(CMRError) -> [AuditRecordDraft] {
        var patientRef: String?
        if let id = study.patientID, !id.isEmpty { patientRef = try patientKeyring().reference(for: id) }
        var objects: [AuditObject] = []
        var received = 0, exists = 0, failed = 0
        for r in study.records {
            switch r.status {
            case .received, .stored, .warning:
                received += 1
                objects.append(AuditObject(studyUID: study.studyUID, instanceUID: r.sopInstanceUID, sopClassUID: r.sopClassUID,
                                           patientRef: patientRef, path: r.path, sha256: r.sha256))
            case .exists, .skipped: exists += 1
            case .failed: failed += 1
            }
        }
        let outcome: AuditOutcome
        if failed == 0 {
            outcome = .success
        } else if received + exists == 0 {
            outcome = AuditOutcome(code: .seriousFailure, message: "nothing received of \(failed) instances")
        } else {
            outcome = AuditOutcome(code: .minorFailure, message: "\(failed) of \(received + exists + failed) instances not received")
        }
        if objects.isEmpty { objects.append(AuditObject(studyUID: study.studyUID, patientRef: patientRef, count: 0)) }
        var drafts = self.drafts(event: AuditEvent(code: AuditEvent.Code.instancesTransferred, action: .create, name: command),
                                 outcome: outcome, objects: objects,
                                 details: ["listed": String(study.expected), "received": String(received), "exists": String(exists), "failed": String(failed)])
        for i in drafts.indices { drafts[i].peer = peer }
        return drafts
    }
}
