import CMRAudit

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
