import CMRAudit
import CMRShare

/// The records `cmr share serve` appends (docs/audit-cli.md, "Events for the commands still to
/// come"). Draft builders kept here until they move into AuditEvents.swift at merge.
extension AuditContext {
    /// One request of a share link: DICOM Instances Accessed (110103, R) for the manifest, a
    /// thumbnail or a frame; DICOM Instances Transferred (110104, R) for a DICOM file; User
    /// Authentication (110114, E) with outcome 4 for a refusal, its reason as the message. The
    /// object is the study (series, instance when asked for one); `peer` the client; `details`
    /// the grant id, endpoint, HTTP status, bytes and frame. No patient reference: the index keeps
    /// no patient identifiers.
    public func shareAccessDraft(_ a: ShareAccess) -> AuditRecordDraft {
        let event: AuditEvent
        var outcome = AuditOutcome.success
        switch a.kind {
        case .view:
            event = AuditEvent(code: AuditEvent.Code.instancesAccessed, action: .read, name: "share serve")
        case .download:
            event = AuditEvent(code: AuditEvent.Code.instancesTransferred, action: .read, name: "share serve")
        case .refused(let reason):
            event = AuditEvent(code: AuditEvent.Code.userAuthentication, action: .execute, name: "share serve")
            outcome = AuditOutcome(code: .minorFailure, message: reason)
        }
        if a.kind == .view || a.kind == .download, a.status >= 400 {
            outcome = AuditOutcome(code: .minorFailure, message: "HTTP \(a.status)")
        }
        var details = ["endpoint": a.endpoint.rawValue, "status": String(a.status), "bytes": String(a.bytes)]
        if let g = a.grantID { details["grant"] = g }
        if let f = a.frame { details["frame"] = String(f) }
        let objects = a.studyUID == nil && a.seriesUID == nil && a.instanceUID == nil
            ? [] : [AuditObject(studyUID: a.studyUID, seriesUID: a.seriesUID, instanceUID: a.instanceUID)]
        return draft(event: event, outcome: outcome, objects: objects, peer: a.client,
                     mode: a.mode.flatMap(AuditDataMode.init(rawValue:)), details: details)
    }

    /// Start or stop of the server: Application Activity (110100), action E; `details` say which,
    /// where it listens, what it serves and (at stop) how many requests it recorded.
    public func shareServeActivityDraft(started: Bool, listen: String, root: String, studies: Int, instances: Int,
                                        accesses: Int? = nil, error: String? = nil) -> AuditRecordDraft {
        var details = ["activity": started ? "start" : "stop", "listen": listen, "root": root,
                       "studies": String(studies), "instances": String(instances)]
        if let accesses { details["accesses"] = String(accesses) }
        return draft(event: AuditEvent(code: AuditEvent.Code.applicationActivity, action: .execute, name: "share serve"),
                     outcome: error.map { AuditOutcome(code: .seriousFailure, message: $0) } ?? .success,
                     destination: listen, details: details)
    }
}
