import Foundation
import XCTest
@testable import CMRAudit

final class AuditExportTests: XCTestCase {
    /// Two instances of one study (one patient), a file outside any study, peer, destination,
    /// mode, details and a message with characters XML must escape.
    func exampleRecord() -> (AuditRecord, String) {
        let draft = AuditRecordDraft(
            actor: AuditActor(user: "alice", host: "ward-7", pid: 4242, aeTitle: "CMR_SCU"),
            event: AuditEvent(code: AuditEvent.Code.export, action: .read, name: "send"),
            outcome: AuditOutcome(code: .minorFailure, message: "1 of 3 refused: <bad> & \"worse\"\nline 2"),
            objects: [
                AuditObject(studyUID: "1.2.3", seriesUID: "1.2.3.1", instanceUID: "1.2.3.1.1", sopClassUID: "1.2.840.10008.5.1.4.1.1.2",
                            patientRef: "hmac:aa", path: "in/a.dcm", sha256: String(repeating: "1", count: 64)),
                AuditObject(studyUID: "1.2.3", seriesUID: "1.2.3.1", instanceUID: "1.2.3.1.2", sopClassUID: "1.2.840.10008.5.1.4.1.1.2",
                            patientRef: "hmac:aa", path: "in/b.dcm"),
                AuditObject(path: "notes\u{1}.txt", sha256: String(repeating: "2", count: 64), count: 1),
            ],
            peer: "dicom://PACS@10.0.0.5:104",
            destination: "https://archive.example.org/dicomweb",
            mode: .deidentified,
            details: ["batch": "7"])
        let record = draft.record(seq: 41, prev: String(repeating: "c", count: 64), clock: ManualClock().now())
        return (record, record.recordHashHex)
    }

    func testEntitiesGroupStudiesAndTraceTheRecord() {
        let (record, hash) = exampleRecord()
        let entities = AuditExport().entities(of: record, hashHex: hash)
        XCTAssertEqual(entities.map(\.kind), [.study, .patient, .file, .record])
        let study = entities[0]
        XCTAssertEqual(study.id, "1.2.3")
        XCTAssertEqual(study.sopClasses.count, 1)
        XCTAssertEqual(study.sopClasses[0].uid, "1.2.840.10008.5.1.4.1.1.2")
        XCTAssertEqual(study.sopClasses[0].instances, ["1.2.3.1.1", "1.2.3.1.2"])
        XCTAssertEqual(study.sopClasses[0].count, 2)
        XCTAssertEqual(study.details.filter { $0.type == "SeriesInstanceUID" }.map(\.value), ["1.2.3.1"])
        XCTAssertEqual(study.details.filter { $0.type == "SHA-256" }.map(\.value), [String(repeating: "1", count: 64) + " in/a.dcm"])
        XCTAssertEqual(entities[1].id, "hmac:aa")
        XCTAssertEqual(entities[2].details.map(\.type), ["SHA-256", "NumberOfFiles"])
        let trace = entities[3]
        XCTAssertEqual(trace.id, hash)
        XCTAssertEqual(trace.details.first { $0.type == "seq" }?.value, "41")
        XCTAssertEqual(trace.details.first { $0.type == "prev" }?.value, record.prev)
        XCTAssertEqual(trace.details.first { $0.type == "mode" }?.value, "deidentified")
        XCTAssertEqual(trace.details.first { $0.type == "details.batch" }?.value, "7")
    }

    func testFHIRAuditEvent() throws {
        let (record, hash) = exampleRecord()
        let bytes = CanonicalJSON.encode(AuditExport(site: "Ward 7").fhirAuditEvent(record, hashHex: hash))
        let event = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        XCTAssertEqual(event["resourceType"] as? String, "AuditEvent")
        XCTAssertEqual(event["id"] as? String, "cmr-41-" + hash.prefix(16))
        let type = try XCTUnwrap(event["type"] as? [String: Any])
        XCTAssertEqual(type["system"] as? String, "http://dicom.nema.org/resources/ontology/DCM")
        XCTAssertEqual(type["code"] as? String, "110106")
        XCTAssertEqual(type["display"] as? String, "Export")
        XCTAssertEqual(event["action"] as? String, "R")
        XCTAssertEqual(event["outcome"] as? String, "4")
        XCTAssertEqual(event["recorded"] as? String, record.time)
        XCTAssertEqual(event["outcomeDesc"] as? String, record.outcome.message)

        let agents = try XCTUnwrap(event["agent"] as? [[String: Any]])
        XCTAssertEqual(agents.count, 4)
        XCTAssertEqual(agents.map { $0["requestor"] as? Bool }, [true, false, false, false])
        XCTAssertEqual(agents[0]["name"] as? String, "alice")
        XCTAssertEqual((agents[0]["network"] as? [String: String])?["address"], "ward-7")
        XCTAssertEqual(agents[1]["altId"] as? String, "AETITLE=CMR_SCU")
        XCTAssertEqual(((agents[1]["who"] as? [String: Any])?["identifier"] as? [String: String])?["value"], "4242")
        XCTAssertEqual((agents[3]["network"] as? [String: String])?["type"], "5")

        let source = try XCTUnwrap(event["source"] as? [String: Any])
        XCTAssertEqual(source["site"] as? String, "Ward 7")
        XCTAssertEqual((source["observer"] as? [String: String])?["display"], "cmr@ward-7")

        let entities = try XCTUnwrap(event["entity"] as? [[String: Any]])
        XCTAssertEqual(entities.count, 4)
        let study = entities[0]
        XCTAssertEqual((study["what"] as? [String: [String: String]])?["identifier"]?["value"], "urn:oid:1.2.3")
        XCTAssertEqual((study["role"] as? [String: String])?["code"], "3")
        let studyDetails = try XCTUnwrap(study["detail"] as? [[String: String]])
        XCTAssertEqual(studyDetails.filter { $0["type"] == "SOPInstanceUID" }.map { $0["valueString"] }, ["1.2.3.1.1", "1.2.3.1.2"])
        XCTAssertEqual(studyDetails.first { $0["type"] == "NumberOfInstances" }?["valueString"], "2")
        XCTAssertEqual((entities[1]["role"] as? [String: String])?["code"], "1")
        let trace = try XCTUnwrap(entities[3]["detail"] as? [[String: String]])
        XCTAssertEqual(trace.first { $0["type"] == "hash" }?["valueString"], hash)
    }

    func testFHIRHasNoEmptyStrings() throws {
        var (record, hash) = exampleRecord()
        record.outcome.message = ""
        record.details = ["empty": ""]
        let text = String(decoding: CanonicalJSON.encode(AuditExport().fhirAuditEvent(record, hashHex: hash)), as: UTF8.self)
        XCTAssertFalse(text.contains("\"\""), text)
        XCTAssertFalse(text.contains("outcomeDesc"))
        XCTAssertFalse(text.contains("details.empty"))
    }

    func testFHIRBundle() throws {
        let (record, hash) = exampleRecord()
        let event = AuditExport().fhirAuditEvent(record, hashHex: hash)
        let bundle = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(CanonicalJSON.encode(AuditExport.fhirBundle([event, event])))) as? [String: Any])
        XCTAssertEqual(bundle["resourceType"] as? String, "Bundle")
        XCTAssertEqual(bundle["type"] as? String, "collection")
        XCTAssertEqual((bundle["entry"] as? [[String: Any]])?.count, 2)
        XCTAssertEqual(String(decoding: CanonicalJSON.encode(AuditExport.fhirBundle([])), as: UTF8.self),
                       #"{"resourceType":"Bundle","type":"collection"}"#, "FHIR JSON has no empty arrays")
    }

    func testDICOMAuditMessage() throws {
        let (record, hash) = exampleRecord()
        let xml = String(decoding: AuditExport(site: "Ward 7").dicomAuditMessage(record, hashHex: hash), as: UTF8.self)
        XCTAssertFalse(xml.contains("\n"), "one message per line")
        XCTAssertTrue(xml.hasPrefix("<AuditMessage><EventIdentification EventActionCode=\"R\" EventDateTime=\"\(record.time)\" EventOutcomeIndicator=\"4\">"
                                    + "<EventID csd-code=\"110106\" codeSystemName=\"DCM\" originalText=\"Export\"/>"
                                    + "<EventTypeCode csd-code=\"send\" codeSystemName=\"cmr\" originalText=\"cmr send\"/>"
                                    + "<EventOutcomeDescription>1 of 3 refused: &lt;bad&gt; &amp; \"worse\"&#10;line 2</EventOutcomeDescription>"
                                    + "</EventIdentification>"), xml)
        XCTAssertTrue(xml.contains("<ActiveParticipant UserID=\"4242\" AlternativeUserID=\"AETITLE=CMR_SCU\" UserName=\"cmr\" UserIsRequestor=\"false\" "
                                   + "NetworkAccessPointID=\"ward-7\" NetworkAccessPointTypeCode=\"1\"><RoleIDCode csd-code=\"110150\""))
        XCTAssertTrue(xml.contains("<AuditSourceIdentification AuditEnterpriseSiteID=\"Ward 7\" AuditSourceID=\"cmr@ward-7\"><AuditSourceTypeCode csd-code=\"4\"/></AuditSourceIdentification>"))
        XCTAssertTrue(xml.contains("<ParticipantObjectIdentification ParticipantObjectID=\"1.2.3\" ParticipantObjectTypeCode=\"2\" ParticipantObjectTypeCodeRole=\"3\">"
                                   + "<ParticipantObjectIDTypeCode csd-code=\"110180\" codeSystemName=\"DCM\" originalText=\"Study Instance UID\"/>"
                                   + "<ParticipantObjectName>1.2.3</ParticipantObjectName>"))
        XCTAssertTrue(xml.contains("<ParticipantObjectDescription><SOPClass UID=\"1.2.840.10008.5.1.4.1.1.2\" NumberOfInstances=\"2\">"
                                   + "<Instance UID=\"1.2.3.1.1\"/><Instance UID=\"1.2.3.1.2\"/></SOPClass></ParticipantObjectDescription>"))
        XCTAssertTrue(xml.contains("ParticipantObjectID=\"hmac:aa\" ParticipantObjectTypeCode=\"1\" ParticipantObjectTypeCodeRole=\"1\">"))
        XCTAssertTrue(xml.contains("ParticipantObjectID=\"notes\u{FFFD}.txt\""), "a control character XML cannot carry")
        XCTAssertTrue(xml.contains("<ParticipantObjectDetail type=\"seq\" value=\"\(Base64.encode(Array("41".utf8)))\"/>"))
        XCTAssertTrue(xml.contains("<ParticipantObjectDetail type=\"hash\" value=\"\(Base64.encode(Array(hash.utf8)))\"/>"))
        XCTAssertTrue(xml.hasSuffix("</ParticipantObjectIdentification></AuditMessage>"))
    }

    func testEventNames() {
        XCTAssertEqual((100...114).compactMap { AuditExport.eventName("110\($0)") }.count, 15)
        XCTAssertNil(AuditExport.eventName("110115"))
    }
}

final class XMLWriterTests: XCTestCase {
    func testEscapingAndNesting() {
        var xml = XMLWriter()
        xml.declaration()
        xml.start("a", ["x": "1 < 2 & \"q\"\t\n\r", "skip": nil])
        xml.empty("b")
        xml.text("<&>\"\r\n\t\u{0}\u{FFFE}é")
        xml.element("c", text: "")
        xml.end()
        XCTAssertTrue(xml.isComplete)
        XCTAssertEqual(String(decoding: xml.bytes, as: UTF8.self),
                       "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a x=\"1 &lt; 2 &amp; &quot;q&quot;&#9;&#10;&#13;\"><b/>"
                       + "&lt;&amp;&gt;\"&#13;&#10;\t\u{FFFD}\u{FFFD}é<c></c></a>")
    }
}
