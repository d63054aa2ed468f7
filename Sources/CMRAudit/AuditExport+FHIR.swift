extension AuditExport {
    typealias JSON = CanonicalJSON.Value

    /// The record as a FHIR R4 `AuditEvent` resource (JSON value; keys sorted, no whitespace
    /// when encoded with `CanonicalJSON`). `hashHex` is the record hash of the line the record
    /// was read from; the resource id is `cmr-<seq>-<first 16 hex digits of the hash>`.
    public func fhirAuditEvent(_ record: AuditRecord, hashHex: String) -> CanonicalJSON.Value {
        var event: [String: JSON] = [
            "resourceType": .string("AuditEvent"),
            "id": .string("cmr-\(record.seq)-\(hashHex.prefix(16))"),
            "type": Self.coding(Self.dicomSystem, record.event.code, Self.eventName(record.event.code)),
            "subtype": .array([.object(["code": .string(record.event.name), "display": .string("cmr " + record.event.name)])]),
            "action": .string(record.event.action.rawValue),
            "recorded": .string(record.time),
            "outcome": .string(String(record.outcome.code.rawValue)),
        ]
        // FHIR strings are never empty: empty optional values are left out.
        if let message = record.outcome.message, !message.isEmpty { event["outcomeDesc"] = .string(message) }

        event["agent"] = .array(agents(of: record).map { agent in
            var member: [String: JSON] = [
                "who": .object(["identifier": .object(["value": .string(agent.id)]), "display": .string(agent.id)]),
                "requestor": .bool(agent.isRequestor),
            ]
            switch agent.role {
            case .user:
                member["type"] = .object(["coding": .array([Self.coding("http://terminology.hl7.org/CodeSystem/extra-security-role-type",
                                                                         "humanuser", "human user")])])
            case .process:
                member["type"] = .object(["coding": .array([Self.coding(Self.dicomSystem, "110150", "Application")])])
                member["who"] = .object(["identifier": .object(["value": .string(agent.id)]), "display": .string("cmr (pid \(agent.id))")])
            case .destination:
                member["type"] = .object(["coding": .array([Self.coding(Self.dicomSystem, "110152", "Destination Role ID")])])
            case .peer:
                break
            }
            if let alternativeID = agent.alternativeID { member["altId"] = .string(alternativeID) }
            if let name = agent.name { member["name"] = .string(name) }
            if let address = agent.networkAddress {
                var network: [String: JSON] = ["address": .string(address)]
                if let type = agent.networkType { network["type"] = .string(type) }
                member["network"] = .object(network)
            }
            return .object(member)
        })

        var source: [String: JSON] = [
            "observer": .object(["display": .string("cmr@" + record.actor.host)]),
            "type": .array([Self.coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")]),
        ]
        if let site { source["site"] = .string(site) }
        event["source"] = .object(source)

        event["entity"] = .array(entities(of: record, hashHex: hashHex).map { entity in
            var member: [String: JSON] = ["name": .string(entity.name)]
            let entityType = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
            let objectRole = "http://terminology.hl7.org/CodeSystem/object-role"
            switch entity.kind {
            case .study:
                member["what"] = .object(["identifier": .object(["system": .string("urn:dicom:uid"), "value": .string("urn:oid:" + entity.id)])])
                member["type"] = Self.coding(entityType, "2", "System Object")
                member["role"] = Self.coding(objectRole, "3", "Report")
            case .patient:
                member["what"] = .object(["identifier": .object(["type": .object(["text": .string("keyed hash of the patient ID")]),
                                                                  "value": .string(entity.id)])])
                member["type"] = Self.coding(entityType, "1", "Person")
                member["role"] = Self.coding(objectRole, "1", "Patient")
            case .file:
                member["what"] = .object(["identifier": .object(["type": .object(["text": .string("file path")]), "value": .string(entity.id)])])
                member["type"] = Self.coding(entityType, "2", "System Object")
            case .record:
                member["what"] = .object(["identifier": .object(["system": .string("urn:cmr:audit-record-hash"), "value": .string(entity.id)])])
                member["type"] = Self.coding(entityType, "2", "System Object")
                member["role"] = Self.coding(objectRole, "13", "Security Resource")
            }
            var details = entity.details
            for sopClass in entity.sopClasses {
                if let uid = sopClass.uid { details.append(("SOPClassUID", uid)) }
                details.append(("NumberOfInstances", String(sopClass.count)))
                details += sopClass.instances.map { ("SOPInstanceUID", $0) }
            }
            details.removeAll { $0.value.isEmpty }
            if !details.isEmpty {
                member["detail"] = .array(details.map { .object(["type": .string($0.type), "valueString": .string($0.value)]) })
            }
            return .object(member)
        })
        return .object(event)
    }

    /// A FHIR R4 Bundle of type `collection` holding `events` (without `entry` when there are
    /// none: FHIR JSON has no empty arrays).
    public static func fhirBundle(_ events: [CanonicalJSON.Value]) -> CanonicalJSON.Value {
        var members: [String: JSON] = ["resourceType": .string("Bundle"), "type": .string("collection")]
        if !events.isEmpty { members["entry"] = .array(events.map { .object(["resource": $0]) }) }
        return .object(members)
    }

    static func coding(_ system: String, _ code: String, _ display: String?) -> CanonicalJSON.Value {
        var members: [String: JSON] = ["system": .string(system), "code": .string(code)]
        if let display { members["display"] = .string(display) }
        return .object(members)
    }
}
