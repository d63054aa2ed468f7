import XCTest
import Foundation

/// The viewer page in a real browser: headless Chromium opens a share link served by the built
/// `cmr share serve` and the screenshots are checked, as pixels, against what the page should show:
/// the grid of thumbnails for a view grant, the refusal page for a revoked one, and (driven through
/// the DevTools protocol on a pipe, `Scripts/share_browser.py`) a frame after a click on a series,
/// ArrowDown and the brain window key. The server's audit log holds the viewer's requests under the
/// grant's id.
///
/// Chromium 156 (Debian) as root: `chromium --headless=new --no-sandbox --disable-gpu
/// --hide-scrollbars --window-size=1280,800 --virtual-time-budget=10000 --screenshot=FILE URL`.
final class ShareBrowserTests: XCTestCase {
    func testViewerGridRefusalAndFrameInHeadlessChromium() throws {
        let cmr = try Peers.cmrPath()
        let curl = try Peers.tool("/usr/bin/curl")
        let chromium = try Peers.tool("/usr/bin/chromium")
        let python = try Peers.tool("/usr/bin/python3")
        let script = Peers.root + "/Tests/IntegrationTests/Scripts/share_browser.py"
        let dir = try Peers.temporaryFolder(self)
        let env = ["CMR_AUDIT_LOG": dir + "/audit.log", "CMR_SHARE_DIR": dir + "/share", "CMR_SHARE_KEY": dir + "/share.key",
                   "CMR_SHARE_GATEWAY": "share.example.org"]
        func run(_ args: [String]) throws -> Peers.Result { try Peers.run(cmr, args, environment: env) }
        XCTAssertEqual(try run(["audit", "keygen", "--out", dir + "/share", "--name", "example.org/share"]).status, 0)
        XCTAssertEqual(try run(["synth", "--out", dir + "/raw", "--patients", "1", "--series", "CT,MR,CT", "--instances", "4",
                                "--rows", "128", "--columns", "128"]).status, 0)
        XCTAssertEqual(try run(["key", "new", dir + "/site.key"]).status, 0)
        XCTAssertEqual(try run(["deidentify", "--mode", "pseudonymous", "--key-file", dir + "/site.key", "--out", dir + "/deid", dir + "/raw"]).status, 0)
        func grant() throws -> (id: String, token: String) {
            let r = try run(["share", dir + "/deid", "--to", "dr.b@example.org", "--json"])
            XCTAssertEqual(r.status, 0, r.err)
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
            return (try XCTUnwrap(o["id"] as? String), try XCTUnwrap(o["token"] as? String))
        }
        let view = try grant()
        let revoked = try grant()
        XCTAssertEqual(try run(["share", "revoke", revoked.id, "--reason", "test"]).status, 0)

        let (server, base) = try ShareServeTests.startServer(cmr, dir, curl: curl)
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }

        func screenshot(_ token: String, _ file: String) throws {
            let r = try Peers.run(chromium, ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                                             "--window-size=1280,800", "--virtual-time-budget=10000", "--screenshot=" + file,
                                             base + "/s#" + token])
            XCTAssertEqual(r.status, 0, r.err)
        }
        struct Stats: Decodable { var width: Int; var height: Int; var distinct: Int; var grey: Int; var mean: Double }
        func stats(_ file: String, _ x: Int, _ y: Int, _ w: Int, _ h: Int) throws -> Stats {
            let r = try Peers.run(python, [script, "stats", file, "\(x)", "\(y)", "\(w)", "\(h)"])
            XCTAssertEqual(r.status, 0, r.err)
            return try JSONDecoder().decode(Stats.self, from: r.stdout)
        }
        // The first tile's thumbnail (the grid starts 54 px down, tiles 150 px and more wide) and the
        // place where the refusal page writes its title (right of the third tile).
        let thumbArea = (x: 20, y: 64, w: 140, h: 140), titleArea = (x: 560, y: 85, w: 200, h: 40)

        let grid = dir + "/grid.png"
        try screenshot(view.token, grid)
        let gridThumb = try stats(grid, thumbArea.x, thumbArea.y, thumbArea.w, thumbArea.h)
        XCTAssertEqual([gridThumb.width, gridThumb.height], [1280, 800])
        XCTAssertGreaterThanOrEqual(gridThumb.grey, 8, "no thumbnail drawn: \(gridThumb)")
        XCTAssertLessThanOrEqual(try stats(grid, titleArea.x, titleArea.y, titleArea.w, titleArea.h).distinct, 2)

        let refused = dir + "/revoked.png"
        try screenshot(revoked.token, refused)
        XCTAssertLessThanOrEqual(try stats(refused, thumbArea.x, thumbArea.y, thumbArea.w, thumbArea.h).distinct, 2,
                                 "a revoked link showed images")
        XCTAssertGreaterThanOrEqual(try stats(refused, titleArea.x, titleArea.y, titleArea.w, titleArea.h).distinct, 8,
                                    "no refusal text drawn")

        // Click the first series, next frame, brain window (key 4): the frame fills the stage.
        let framePNG = dir + "/frame.png"
        let driven = try Peers.run(python, [script, "frame", chromium, base + "/s#" + view.token, framePNG])
        XCTAssertEqual(driven.status, 0, driven.err)
        let page = try XCTUnwrap(JSONSerialization.jsonObject(with: driven.stdout) as? [String: Any], driven.out)
        XCTAssertEqual(page["thumbs"] as? Int, 3)
        let overlay = page["overlay"] as? String ?? ""
        XCTAssertTrue(overlay.hasPrefix("4 / 4"), overlay)
        XCTAssertTrue(overlay.contains("W 80  C 40"), overlay)
        XCTAssertEqual(page["frameWidth"] as? Int, 128)
        let frameStats = try stats(framePNG, 440, 200, 400, 400)
        XCTAssertGreaterThanOrEqual(frameStats.grey, 8, "no frame drawn: \(frameStats)")

        server.terminate()
        server.waitUntilExit()
        XCTAssertEqual(server.terminationStatus, 0)
        let verify = try run(["audit", "verify", dir + "/audit.log"])
        XCTAssertEqual(verify.status, 0, verify.err)
        let records = try String(contentsOfFile: dir + "/audit.log", encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        func event(_ r: [String: Any]) -> String { ((r["event"] as? [String: Any])?["code"] as? String) ?? "" }
        func detail(_ r: [String: Any], _ key: String) -> String { ((r["details"] as? [String: String])?[key]) ?? "" }
        let viewed = records.filter { event($0) == "110103" && detail($0, "grant") == view.id && detail($0, "status") == "200" }
        let endpoints = viewed.map { detail($0, "endpoint") }
        XCTAssertEqual(endpoints.filter { $0 == "study" }.count, 2, "two openings: \(endpoints)")
        XCTAssertGreaterThanOrEqual(endpoints.filter { $0 == "thumbnail" }.count, 6, "3 thumbnails per opening: \(endpoints)")
        XCTAssertGreaterThanOrEqual(endpoints.filter { $0 == "frame" }.count, 2, "\(endpoints)")
        XCTAssertTrue(records.contains { event($0) == "110114" && ($0["outcome"] as? [String: Any])?["message"] as? String == "revoked" })
    }
}
