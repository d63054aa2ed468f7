import XCTest
import Foundation

/// `cmr audit export` judged by independent readers: Python's json and xml.etree parse the
/// exports and recompute each record's hash from the log with hashlib, and xmllint validates
/// every DICOM audit message against the RELAX NG schema in Schemas/ (PS3.15 A.5.1).
final class AuditExportTests: XCTestCase {
    func testExportsParseValidateAndTraceBackToTheLog() throws {
        let cmr = try Peers.cmrPath()
        let python = try Peers.python()
        let dir = try Peers.temporaryFolder(self)
        let log = dir + "/audit.log"
        let synth = try Peers.run(cmr, ["synth", "--out", dir + "/study", "--patients", "2", "--series", "CT", "--instances", "2",
                                        "--rows", "8", "--columns", "8", "--print-paths", "--audit-log", log])
        XCTAssertEqual(synth.status, 0, synth.err)
        let files = synth.out.split(separator: "\n").map(String.init)
        // A path XML and JSON must escape.
        let weird = dir + "/we&ird <name> \"q\" 'é'.dcm"
        try FileManager.default.copyItem(atPath: files[0], toPath: weird)
        try "not DICOM".write(toFile: dir + "/text.dcm", atomically: true, encoding: .utf8)
        for args in [["inspect", "--summary"] + files, ["inspect", "--summary", weird, dir + "/text.dcm"]] {
            _ = try Peers.run(cmr, args + ["--audit-log", log])
        }
        XCTAssertEqual(try Peers.run(cmr, ["_audit-load", "--count", "3", "--batch", "3", "--audit-log", log]).status, 0)

        var outputs: [String: String] = [:]
        for (name, args) in [("bundle.json", ["--format", "fhir"]), ("events.ndjson", ["--format", "fhir", "--json-lines"]),
                             ("messages.xml", ["--format", "dicom", "--site", "Ward 7 & Co"])] {
            let result = try Peers.run(cmr, ["audit", "export", log, "--out", dir + "/" + name] + args)
            XCTAssertEqual(result.status, 0, result.err)
            outputs[name] = dir + "/" + name
        }
        let script = #"""
import base64, hashlib, json, re, sys, xml.etree.ElementTree as ET
log, bundle_path, ndjson_path, xml_path, weird = sys.argv[1:6]
lines = open(log, "rb").read().split(b"\n")[:-1]
hashes = [hashlib.sha256(b"\x00" + line).hexdigest() for line in lines]
records = [json.loads(line) for line in lines]
DCM = "http://dicom.nema.org/resources/ontology/DCM"
time = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

bundle = json.load(open(bundle_path, encoding="utf-8"))
assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection", bundle.keys()
events = [entry["resource"] for entry in bundle["entry"]]
assert events == [json.loads(l) for l in open(ndjson_path, encoding="utf-8")], "bundle and NDJSON differ"
assert len(events) == len(records), (len(events), len(records))
for event, record, digest in zip(events, records, hashes):
    assert event["resourceType"] == "AuditEvent"
    assert event["type"]["system"] == DCM and event["type"]["code"] == record["event"]["code"]
    assert 110100 <= int(event["type"]["code"]) <= 110114
    assert event["action"] == record["event"]["action"] and event["action"] in "CRUDE"
    assert event["outcome"] == str(record["outcome"]["code"]) and event["outcome"] in ("0", "4", "8", "12")
    assert time.match(event["recorded"]) and event["recorded"] == record["time"]
    assert re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", event["id"]), event["id"]
    users = [a for a in event["agent"] if a["requestor"]]
    assert len(users) == 1 and users[0]["who"]["identifier"]["value"] == record["actor"]["user"]
    process = [a for a in event["agent"] if a.get("name") == "cmr"][0]
    assert process["who"]["identifier"]["value"] == str(record["actor"]["pid"])
    assert process["type"]["coding"][0] == {"system": DCM, "code": "110150", "display": "Application"}
    assert event["source"]["observer"]["display"] == "cmr@" + record["actor"]["host"]
    trace = [e for e in event["entity"] if e.get("role", {}).get("code") == "13"]
    assert len(trace) == 1
    details = {d["type"]: d["valueString"] for d in trace[0]["detail"]}
    assert details["hash"] == digest and trace[0]["what"]["identifier"]["value"] == digest, "hash does not trace back"
    assert details["seq"] == str(record["seq"]) and details["prev"] == record["prev"]
    studies = {e["what"]["identifier"]["value"] for e in event["entity"] if e.get("role", {}).get("code") == "3"}
    assert studies == {"urn:oid:" + o["studyUID"] for o in record["objects"] if "studyUID" in o}, studies
    patients = {e["what"]["identifier"]["value"] for e in event["entity"] if e.get("role", {}).get("code") == "1"}
    assert patients == {o["patientRef"] for o in record["objects"] if "patientRef" in o}
inspected = [e for e in events if e["subtype"][0]["code"] == "inspect"]
assert [e["outcome"] for e in inspected] == ["0", "4"], [e["outcome"] for e in inspected]

messages = [ET.fromstring(line) for line in open(xml_path, encoding="utf-8").read().splitlines()]
assert len(messages) == len(records)
for message, record, digest in zip(messages, records, hashes):
    assert message.tag == "AuditMessage"
    ident = message.find("EventIdentification")
    assert ident.get("EventActionCode") == record["event"]["action"]
    assert ident.get("EventDateTime") == record["time"]
    assert ident.get("EventOutcomeIndicator") == str(record["outcome"]["code"])
    event_id = ident.find("EventID")
    assert event_id.get("csd-code") == record["event"]["code"] and event_id.get("codeSystemName") == "DCM"
    if "message" in record["outcome"]:
        assert ident.find("EventOutcomeDescription").text == record["outcome"]["message"]
    source = message.find("AuditSourceIdentification")
    assert source.get("AuditEnterpriseSiteID") == "Ward 7 & Co" and source.get("AuditSourceID") == "cmr@" + record["actor"]["host"]
    participants = message.findall("ActiveParticipant")
    assert [p.get("UserIsRequestor") for p in participants].count("true") == 1
    objects = message.findall("ParticipantObjectIdentification")
    trace = [o for o in objects if o.get("ParticipantObjectTypeCodeRole") == "13"][0]
    assert trace.get("ParticipantObjectID") == digest
    details = {d.get("type"): base64.b64decode(d.get("value")).decode() for d in trace.findall("ParticipantObjectDetail")}
    assert details["seq"] == str(record["seq"]) and details["hash"] == digest
    for study in (o for o in objects if o.get("ParticipantObjectTypeCodeRole") == "3"):
        assert study.find("ParticipantObjectIDTypeCode").get("csd-code") == "110180"
        expected = [o for o in record["objects"] if o.get("studyUID") == study.get("ParticipantObjectID")]
        counted = sum(int(c.get("NumberOfInstances")) for c in study.iter("SOPClass"))
        assert counted == len([o for o in expected if "instanceUID" in o]), (counted, expected)
        paths = [base64.b64decode(d.get("value")).decode() for d in study.findall("ParticipantObjectDetail") if d.get("type") == "Path"]
        assert paths == [o["path"] for o in expected if "path" in o]
# The path with & < > " ' survives both formats.
assert any(weird in base64.b64decode(d.get("value")).decode() for m in messages for d in m.iter("ParticipantObjectDetail")), "weird path lost in XML"
assert any(d["valueString"] == weird for e in events for en in e["entity"] for d in en.get("detail", [])), "weird path lost in JSON"
for i, line in enumerate(open(xml_path, encoding="utf-8").read().splitlines()):
    open(f"{xml_path}.{i:04d}", "w", encoding="utf-8").write(line)
print(len(events))
"""#
        let checked = try Peers.run(python, ["-c", script, log, outputs["bundle.json"]!, outputs["events.ndjson"]!, outputs["messages.xml"]!, weird])
        XCTAssertEqual(checked.status, 0, checked.err)
        XCTAssertEqual(checked.out, "6\n")  // synth, two inspects, three load records

        let xmllint = try Peers.tool("/usr/bin/xmllint")
        let schema = Peers.root + "/Tests/IntegrationTests/Schemas/dicom-audit-message.rng"
        let messages = (0..<6).map { String(format: "%@.%04d", outputs["messages.xml"]!, $0) }
        let validated = try Peers.run(xmllint, ["--noout", "--relaxng", schema] + messages)
        XCTAssertEqual(validated.status, 0, validated.err)
        XCTAssertEqual(validated.err.components(separatedBy: " validates\n").count - 1, 6, validated.err)

        // The schema is not a rubber stamp: a message without its time fails.
        let broken = dir + "/broken.xml"
        try String(contentsOfFile: messages[0], encoding: .utf8)
            .replacingOccurrences(of: #" EventDateTime="[^"]*""#, with: "", options: .regularExpression)
            .write(toFile: broken, atomically: true, encoding: .utf8)
        XCTAssertNotEqual(try Peers.run(xmllint, ["--noout", "--relaxng", schema, broken]).status, 0)
    }
}
