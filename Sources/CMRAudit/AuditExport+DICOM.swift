extension AuditExport {
    /// The record as a DICOM audit message (PS3.15 A.5.1, derived from RFC 3881): one
    /// `AuditMessage` element, without XML declaration, on one line (line breaks inside values
    /// are written as character references), so that a stream of messages is one per line.
    ///
    /// `hashHex` is the record hash of the line the record was read from.
    public func dicomAuditMessage(_ record: AuditRecord, hashHex: String) -> [UInt8] {
        var xml = XMLWriter()
        xml.start("AuditMessage")

        xml.start("EventIdentification", [
            "EventActionCode": record.event.action.rawValue,
            "EventDateTime": record.time,
            "EventOutcomeIndicator": String(record.outcome.code.rawValue),
        ])
        xml.empty("EventID", Self.coded(record.event.code, "DCM", Self.eventName(record.event.code) ?? record.event.code))
        xml.empty("EventTypeCode", Self.coded(record.event.name, "cmr", "cmr " + record.event.name))
        if let message = record.outcome.message { xml.element("EventOutcomeDescription", text: message) }
        xml.end()

        for agent in agents(of: record) {
            xml.start("ActiveParticipant", [
                "UserID": agent.id,
                "AlternativeUserID": agent.alternativeID,
                "UserName": agent.name,
                "UserIsRequestor": agent.isRequestor ? "true" : "false",
                "NetworkAccessPointID": agent.networkAddress,
                "NetworkAccessPointTypeCode": agent.networkAddress == nil ? nil : agent.networkType,
            ])
            switch agent.role {
            case .user, .peer: break
            case .process: xml.empty("RoleIDCode", Self.coded("110150", "DCM", "Application"))
            case .destination: xml.empty("RoleIDCode", Self.coded("110152", "DCM", "Destination Role ID"))
            }
            xml.end()
        }

        xml.start("AuditSourceIdentification", ["AuditEnterpriseSiteID": site, "AuditSourceID": "cmr@" + record.actor.host])
        xml.empty("AuditSourceTypeCode", ["csd-code": "4"])  // application server process
        xml.end()

        for entity in entities(of: record, hashHex: hashHex) {
            let (type, role, idType): (String, String?, KeyValuePairs<String, String?>)
            switch entity.kind {
            case .study: (type, role, idType) = ("2", "3", Self.coded("110180", "DCM", "Study Instance UID"))
            case .patient: (type, role, idType) = ("1", "1", Self.coded("2", "RFC-3881", "Patient Number"))
            case .file: (type, role, idType) = ("2", nil, Self.coded("path", "cmr", "File path"))
            case .record: (type, role, idType) = ("2", "13", Self.coded("record-hash", "cmr", "cmr audit record hash"))
            }
            xml.start("ParticipantObjectIdentification", [
                "ParticipantObjectID": entity.id,
                "ParticipantObjectTypeCode": type,
                "ParticipantObjectTypeCodeRole": role,
            ])
            xml.empty("ParticipantObjectIDTypeCode", idType)
            xml.element("ParticipantObjectName", text: entity.name)
            for detail in entity.details {
                xml.empty("ParticipantObjectDetail", ["type": detail.type, "value": Base64.encode(Array(detail.value.utf8))])
            }
            if !entity.sopClasses.isEmpty {
                xml.start("ParticipantObjectDescription")
                for sopClass in entity.sopClasses {
                    xml.start("SOPClass", ["UID": sopClass.uid, "NumberOfInstances": String(sopClass.count)])
                    for instance in sopClass.instances { xml.empty("Instance", ["UID": instance]) }
                    xml.end()
                }
                xml.end()
            }
            xml.end()
        }
        xml.end()
        return xml.bytes
    }

    /// The attributes of a coded value (CodedValueType): csd-code, codeSystemName, originalText.
    static func coded(_ code: String, _ system: String, _ meaning: String) -> KeyValuePairs<String, String?> {
        ["csd-code": code, "codeSystemName": system, "originalText": meaning]
    }
}
