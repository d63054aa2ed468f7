import XCTest
import Foundation

/// cmr's DIMSE commands against Orthanc's DICOM server (the third independent implementation,
/// after DCMTK and pynetdicom): echo, send, query at three levels, pull by C-GET and by C-MOVE to
/// cmr's own storage SCP, with the data sets compared to what was sent.
final class OrthancDIMSETests: XCTestCase {
    func testEchoSendQueryGetMove() throws {
        let cmr = try Peers.cmrPath()
        for p in [OrthancPeer.binary] where !FileManager.default.fileExists(atPath: p) {
            _ = try Peers.missing("\(p) (Debian orthanc; run scripts/install-test-deps)")
            throw XCTSkip("\(p) missing")
        }
        let dir = try Peers.temporaryFolder(self)
        let httpPort = try OrthancPeer.freePort(), dicomPort = try OrthancPeer.freePort(), movePort = try OrthancPeer.freePort()
        try FileManager.default.createDirectory(atPath: dir + "/db", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: OrthancPeer.binary, toPath: dir + "/Orthanc")
        let config: [String: Any] = [
            "Name": "cmr-dimse", "StorageDirectory": dir + "/db", "IndexDirectory": dir + "/db",
            "HttpPort": httpPort, "RemoteAccessAllowed": false, "AuthenticationEnabled": true,
            "RegisteredUsers": ["cmr": "x"], "HttpServerEnabled": true,
            "DicomServerEnabled": true, "DicomAet": "ORTHANC", "DicomPort": dicomPort, "DicomCheckCalledAet": true,
            "DicomAlwaysAllowEcho": true, "DicomAlwaysAllowStore": true, "DicomAlwaysAllowFind": true,
            "DicomAlwaysAllowGet": true, "DicomAlwaysAllowMove": true,
            "DicomModalities": ["cmr": ["CMRMOVE", "127.0.0.1", movePort]], "TcpNoDelay": true,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/orthanc.json"))
        let orthanc = Process()
        orthanc.executableURL = URL(fileURLWithPath: dir + "/Orthanc")
        orthanc.arguments = ["--logdir=" + dir, dir + "/orthanc.json"]
        orthanc.standardOutput = FileHandle.nullDevice
        orthanc.standardError = FileHandle.nullDevice
        try orthanc.run()
        defer { if orthanc.isRunning { orthanc.terminate(); orthanc.waitUntilExit() } }
        let peer = "dicom://ORTHANC@127.0.0.1:\(dicomPort)"
        let env = ["CMR_AUDIT_LOG": dir + "/audit.log", "CMR_JOURNAL_DIR": dir + "/journal", "CMR_RETRY_BASE_SECONDS": "0.01"]
        func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
            let r = try Peers.run(cmr, args, environment: env)
            return (r.status, String(decoding: r.stdout, as: UTF8.self), String(decoding: r.stderr, as: UTF8.self))
        }
        var up = false
        for _ in 0..<150 where !up {
            up = (try? run(["echo", peer]).status) == 0
            if !up { usleep(100_000) }
        }
        XCTAssertTrue(up, "Orthanc's DICOM port did not answer C-ECHO")
        XCTAssertEqual(try run(["echo", "dicom://WRONG@127.0.0.1:\(dicomPort)"]).status, 77, "called AE title checked")

        XCTAssertEqual(try run(["synth", "--out", dir + "/in", "--patients", "2", "--series", "CT,MR", "--instances", "3",
                                "--rows", "32", "--columns", "32"]).status, 0)
        let sent = try run(["send", "--to", peer, "--associations", "2", "--report", dir + "/send.jsonl", dir + "/in"])
        XCTAssertEqual(sent.status, 0, sent.err)
        let summary = try XCTUnwrap(String(contentsOfFile: dir + "/send.jsonl", encoding: .utf8).split(separator: "\n").last)
        XCTAssertTrue(summary.contains("\"stored\":12"), String(summary))
        XCTAssertTrue(summary.contains("\"window\":1"), "the window of 8 proposed, Orthanc grants none: \(summary)")

        let studies = try run(["query", "--from", peer, "--level", "study", "--json"])
        XCTAssertEqual(studies.status, 0, studies.err)
        let matches = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(studies.out.utf8)) as? [[String: Any]])
        XCTAssertEqual(matches.count, 2)
        let studyUIDs = matches.compactMap { (($0["0020000D"] as? [String: Any])?["Value"] as? [String])?.first }.sorted()
        XCTAssertEqual(studyUIDs.count, 2)
        let series = try run(["query", "--from", peer, "--level", "series", "--study", studyUIDs[0]])
        XCTAssertEqual(series.status, 0, series.err)
        XCTAssertTrue(series.out.contains("CT") && series.out.contains("MR"), series.out)
        let seriesJSON = try run(["query", "--from", peer, "--level", "series", "--study", studyUIDs[0], "--json"])
        let seriesUIDs = (try JSONSerialization.jsonObject(with: Data(seriesJSON.out.utf8)) as? [[String: Any]] ?? [])
            .compactMap { (($0["0020000E"] as? [String: Any])?["Value"] as? [String])?.first }
        XCTAssertEqual(seriesUIDs.count, 2, seriesJSON.err)
        var imageCount = 0
        for uid in seriesUIDs {
            let images = try run(["query", "--from", peer, "--level", "image", "--study", studyUIDs[0], "--series", uid, "--json"])
            XCTAssertEqual(images.status, 0, images.err)
            imageCount += (try JSONSerialization.jsonObject(with: Data(images.out.utf8)) as? [Any])?.count ?? 0
        }
        XCTAssertEqual(imageCount, 6)

        // C-GET of one study, C-MOVE of the other to cmr's own SCP.
        let got = try run(["pull", "--from", peer, "--study", studyUIDs[0], "--out", dir + "/got", "--layout", "flat"])
        XCTAssertEqual(got.status, 0, got.err)
        let moved = try run(["pull", "--from", peer, "--study", studyUIDs[1], "--out", dir + "/moved", "--layout", "flat",
                             "--via", "move", "--listen", "CMRMOVE@127.0.0.1:\(movePort)"])
        XCTAssertEqual(moved.status, 0, moved.err)
        let received = try FileManager.default.contentsOfDirectory(atPath: dir + "/got").filter { $0.hasSuffix(".dcm") }.map { dir + "/got/" + $0 }
            + FileManager.default.contentsOfDirectory(atPath: dir + "/moved").filter { $0.hasSuffix(".dcm") }.map { dir + "/moved/" + $0 }
        XCTAssertEqual(received.count, 12)

        // Every data set came back as sent (the meta header is the receiver's own).
        func dataSets(_ paths: [String]) throws -> [String: String] {
            var out: [String: String] = [:]
            for p in paths {
                let r = try run(["inspect", "--json", "--no-bulk", p])
                XCTAssertEqual(r.status, 0, r.err)
                var o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
                for key in o.keys where key.hasPrefix("0002") { o.removeValue(forKey: key) }
                let uid = try XCTUnwrap(((o["00080018"] as? [String: Any])?["Value"] as? [String])?.first)
                out[uid] = String(decoding: try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), as: UTF8.self)
            }
            return out
        }
        let originals = try FileManager.default.subpathsOfDirectory(atPath: dir + "/in").filter { $0.hasSuffix(".dcm") }.map { dir + "/in/" + $0 }
        let back = try dataSets(received), original = try dataSets(originals)
        XCTAssertEqual(Set(back.keys), Set(original.keys))
        let differing = original.keys.filter { back[$0] != original[$0] }
        XCTAssertEqual(differing.count, 0, "data sets changed on the way: \(differing.prefix(3))")
        XCTAssertEqual(try run(["audit", "verify", dir + "/audit.log"]).status, 0)
    }
}
