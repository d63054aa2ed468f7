/// A record as the participants and objects of an audit message: the mapping shared by the
/// FHIR AuditEvent (`AuditExport+FHIR.swift`) and the DICOM audit message
/// (`AuditExport+DICOM.swift`) renderings. docs/audit-export.md describes it field by field.
///
/// - agents: the OS user (the requestor), the cmr process (pid, AE title), and the peer and the
///   destination when the record names them;
/// - entities: one per study (its series, SOP classes with instances and counts, file paths
///   and SHA-256 digests), one per patient reference (a keyed hash), one per file outside a
///   study, and one for the log record itself (seq, record hash, prev, clocks, mode, details),
///   so that an exported event leads back to its place in the hash chain.
public struct AuditExport: Sendable {
    /// The DICOM code system (`DCM`) as FHIR names it.
    public static let dicomSystem = "http://dicom.nema.org/resources/ontology/DCM"

    /// What the export adds that records do not carry: the enterprise site
    /// (AuditEnterpriseSiteID, FHIR `source.site`).
    public var site: String?

    public init(site: String? = nil) {
        self.site = site
    }

    /// The meaning of a DICOM audit event ID (CID 400), or nil for a code outside 110100–110114.
    public static func eventName(_ code: String) -> String? {
        switch code {
        case AuditEvent.Code.applicationActivity: "Application Activity"
        case AuditEvent.Code.auditLogUsed: "Audit Log Used"
        case AuditEvent.Code.beginTransferringInstances: "Begin Transferring DICOM Instances"
        case AuditEvent.Code.instancesAccessed: "DICOM Instances Accessed"
        case AuditEvent.Code.instancesTransferred: "DICOM Instances Transferred"
        case AuditEvent.Code.studyDeleted: "DICOM Study Deleted"
        case AuditEvent.Code.export: "Export"
        case AuditEvent.Code.import: "Import"
        case AuditEvent.Code.networkEntry: "Network Entry"
        case AuditEvent.Code.orderRecord: "Order Record"
        case AuditEvent.Code.patientRecord: "Patient Record"
        case AuditEvent.Code.procedureRecord: "Procedure Record"
        case AuditEvent.Code.query: "Query"
        case AuditEvent.Code.securityAlert: "Security Alert"
        case AuditEvent.Code.userAuthentication: "User Authentication"
        default: nil
        }
    }

    /// Who took part.
    struct Agent {
        enum Role { case user, process, peer, destination }
        var role: Role
        /// UserID: the login name, the pid, or the peer's or destination's address.
        var id: String
        /// AlternativeUserID: `AETITLE=…` for the process when it used an AE title.
        var alternativeID: String?
        var name: String?
        var isRequestor: Bool
        var networkAddress: String?
        /// NetworkAccessPointTypeCode: "1" machine name, "5" URI.
        var networkType: String?
    }

    /// What was acted on.
    struct Entity {
        enum Kind { case study, patient, file, record }
        var kind: Kind
        /// ParticipantObjectID.
        var id: String
        /// ParticipantObjectName.
        var name: String
        /// SOP classes of a study: UID (when known), instance UIDs, number of instances.
        var sopClasses: [(uid: String?, instances: [String], count: UInt64)] = []
        /// Named text values, in order (ParticipantObjectDetail, FHIR `entity.detail`).
        var details: [(type: String, value: String)] = []
    }

    func agents(of record: AuditRecord) -> [Agent] {
        var agents = [
            Agent(role: .user, id: record.actor.user, name: record.actor.user, isRequestor: true,
                  networkAddress: record.actor.host, networkType: "1"),
            Agent(role: .process, id: String(record.actor.pid), alternativeID: record.actor.aeTitle.map { "AETITLE=" + $0 },
                  name: "cmr", isRequestor: false, networkAddress: record.actor.host, networkType: "1"),
        ]
        if let peer = record.peer {
            agents.append(Agent(role: .peer, id: peer, isRequestor: false, networkAddress: peer,
                                networkType: peer.contains("://") ? "5" : nil))
        }
        if let destination = record.destination {
            agents.append(Agent(role: .destination, id: destination, isRequestor: false, networkAddress: destination,
                                networkType: destination.contains("://") ? "5" : nil))
        }
        return agents
    }

    /// The entities of `record`, whose canonical line hashes to `hashHex`.
    func entities(of record: AuditRecord, hashHex: String) -> [Entity] {
        var studies: [Entity] = []
        var studyIndex: [String: Int] = [:]
        var patients: [String] = []
        var files: [Entity] = []
        var loose: [(type: String, value: String)] = []
        for object in record.objects {
            if let patient = object.patientRef, !patients.contains(patient) { patients.append(patient) }
            if let study = object.studyUID {
                let index: Int
                if let known = studyIndex[study] {
                    index = known
                } else {
                    index = studies.count
                    studyIndex[study] = index
                    studies.append(Entity(kind: .study, id: study, name: study))
                }
                Self.add(object, to: &studies[index])
            } else if let path = object.path {
                var file = Entity(kind: .file, id: path, name: path)
                if let series = object.seriesUID { file.details.append(("SeriesInstanceUID", series)) }
                if let sopClass = object.sopClassUID { file.details.append(("SOPClassUID", sopClass)) }
                if let instance = object.instanceUID { file.details.append(("SOPInstanceUID", instance)) }
                if let sha256 = object.sha256 { file.details.append(("SHA-256", sha256)) }
                if let count = object.count { file.details.append(("NumberOfFiles", String(count))) }
                files.append(file)
            } else if object.seriesUID != nil || object.instanceUID != nil || object.sopClassUID != nil
                        || object.sha256 != nil || object.count != nil {
                var bare = object
                bare.patientRef = nil
                loose.append(("object", String(decoding: CanonicalJSON.encode(bare.canonicalValue), as: UTF8.self)))
            }
        }
        var trace = Entity(kind: .record, id: hashHex, name: "cmr audit record \(record.seq)")
        trace.details = [("seq", String(record.seq)), ("hash", hashHex), ("prev", record.prev),
                         ("version", String(record.version)), ("monotonic", String(record.monotonic)), ("boot", record.boot)]
        if let mode = record.mode { trace.details.append(("mode", mode.rawValue)) }
        for key in (record.details ?? [:]).keys.sorted() { trace.details.append(("details." + key, record.details![key]!)) }
        trace.details += loose
        return studies + patients.map { Entity(kind: .patient, id: $0, name: $0) } + files + [trace]
    }

    private static func add(_ object: AuditObject, to study: inout Entity) {
        if let series = object.seriesUID, !study.details.contains(where: { $0.type == "SeriesInstanceUID" && $0.value == series }) {
            study.details.append(("SeriesInstanceUID", series))
        }
        if let path = object.path { study.details.append(("Path", path)) }
        if let sha256 = object.sha256 {
            study.details.append(("SHA-256", [sha256, object.path ?? object.instanceUID].compactMap { $0 }.joined(separator: " ")))
        }
        let count = object.count ?? (object.instanceUID == nil ? 0 : 1)
        guard object.sopClassUID != nil || object.instanceUID != nil || count > 0 else { return }
        if let index = study.sopClasses.firstIndex(where: { $0.uid == object.sopClassUID }) {
            if let instance = object.instanceUID { study.sopClasses[index].instances.append(instance) }
            study.sopClasses[index].count += count
        } else {
            study.sopClasses.append((object.sopClassUID, object.instanceUID.map { [$0] } ?? [], count))
        }
    }
}
