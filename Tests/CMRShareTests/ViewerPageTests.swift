import XCTest
import Foundation
@testable import CMRShare

/// The viewer's script run by Node against the real server, with a small stand-in for the DOM:
/// the token leaves the address bar, every request carries it, the grid fills with thumbnails,
/// a series opens on a rendered frame, presets change the window, refusals get their page.
final class ViewerPageTests: XCTestCase {
    static let node = ["/usr/bin/node", "/usr/local/bin/node"].first { FileManager.default.isExecutableFile(atPath: $0) }

    var fixture: ShareAppFixture!
    var server: HTTPServer!

    override func setUpWithError() throws {
        try XCTSkipIf(Self.node == nil, "needs node")
        fixture = try ShareAppFixture()
        var c = HTTPServerConfiguration()
        c.port = 0
        let app = ShareApp(index: try StudyIndex.scan(root: fixture.root), verify: ShareAppFixture.verify, onAccess: { _ in })
        server = HTTPServer(configuration: c, handler: app.handler)
        try server.start()
    }

    override func tearDown() {
        server?.stop()
        fixture?.remove()
    }

    /// Runs the page's script with `hash` as the URL fragment; returns the harness's report.
    func run(hash: String) throws -> [String: Any] {
        let dir = NSTemporaryDirectory() + "cmr-viewer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ViewerPage.script.write(toFile: dir + "/viewer.js", atomically: true, encoding: .utf8)
        try Self.harness.write(toFile: dir + "/harness.js", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.node!)
        p.arguments = [dir + "/harness.js", dir + "/viewer.js", "http://127.0.0.1:\(server.port)", hash]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: data, as: UTF8.self))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
    }

    func testViewingAStudy() throws {
        let r = try run(hash: "#view")
        XCTAssertEqual(r["replaced"] as? String, "/s", "the token left the address bar")
        let requests = try XCTUnwrap(r["requests"] as? [[String]])
        XCTAssertEqual(requests.first?[0], "/api/study")
        XCTAssertTrue(requests.allSatisfy { $0[1] == "Bearer view" }, "\(requests)")
        XCTAssertEqual(r["tiles"] as? Int, 2)
        XCTAssertEqual((r["thumbs"] as? [String])?.filter { $0.hasPrefix("blob:") }.count, 2)
        XCTAssertEqual(r["gridHidden"] as? Bool, true, "a series is open")
        XCTAssertTrue((r["frameAfterOpen"] as? String)?.hasPrefix("blob:") == true)
        XCTAssertTrue(requests.contains { $0[0].hasPrefix("/api/frame/\(ShareAppFixture.mrInstance)/") && $0[0].contains("window=auto") })
        XCTAssertTrue(requests.contains { $0[0].contains("window=-600,1500") }, "key 2: lung preset")
        XCTAssertEqual(r["title"] as? String, "Synthetic chest · 2024-01-02")
        XCTAssertEqual(r["messageHidden"] as? Bool, true)
    }

    func testRefusalPages() throws {
        XCTAssertEqual(try run(hash: "#expired")["message"] as? String, "This link has expired")
        XCTAssertEqual(try run(hash: "#revoked")["message"] as? String, "This link has been revoked")
        XCTAssertEqual(try run(hash: "#forged")["message"] as? String, "This link is not valid")
        XCTAssertEqual(try run(hash: "")["message"] as? String, "Open the link again")
    }

    static let harness = #"""
        const fs = require('fs'), vm = require('vm');
        const [scriptPath, base, hash] = process.argv.slice(2);
        const report = { requests: [], replaced: null };
        class ClassList { constructor() { this.s = new Set(); } add(c) { this.s.add(c); } toggle(c, on) { if (on === undefined) on = !this.s.has(c); on ? this.s.add(c) : this.s.delete(c); } }
        class El {
          constructor(tag, id) { this.tagName = tag; this.id = id || ''; this.children = []; this.hidden = false; this.dataset = {};
            this.listeners = {}; this.textContent = ''; this.className = ''; this._src = ''; this.classList = new ClassList();
            this.clientWidth = 800; this.clientHeight = 600; }
          appendChild(c) { this.children.push(c); return c; }
          addEventListener(t, f) { (this.listeners[t] = this.listeners[t] || []).push(f); }
          fire(t, e) { (this.listeners[t] || []).forEach(f => f(Object.assign({ preventDefault() {} }, e || {}))); }
          focus() {} setPointerCapture() {} closest() { return null; }
          set src(v) { this._src = v; } get src() { return this._src; }
        }
        const ids = {};
        const el = id => ids[id] || (ids[id] = new El('div', id));
        const docListeners = {};
        global.document = { getElementById: el, createElement: t => new El(t), querySelector: () => null, querySelectorAll: () => [],
          addEventListener: (t, f) => { docListeners[t] = f; }, title: '' };
        global.window = { devicePixelRatio: 1, addEventListener() {} };
        global.location = { hash: hash, pathname: '/s', search: '' };
        global.history = { replaceState: (a, b, u) => { report.replaced = u; location.hash = ''; } };
        const realFetch = fetch;
        global.fetch = (path, opts) => { report.requests.push([path, opts.headers.Authorization]); return realFetch(base + path, opts); };
        const sleep = ms => new Promise(r => setTimeout(r, ms));
        (async () => {
          vm.runInThisContext(fs.readFileSync(scriptPath, 'utf8'));
          await sleep(1500);
          const grid = el('grid');
          report.tiles = grid.children.length;
          report.thumbs = grid.children.map(t => t.children[0].children[0].src);
          report.message = el('message').hidden ? null : el('msgtitle').textContent;
          report.messageHidden = el('message').hidden;
          report.title = el('title').textContent;
          if (grid.children.length) {
            grid.children[0].fire('click');
            await sleep(1000);
            report.frameAfterOpen = el('frame').src;
            docListeners.keydown({ key: '2', preventDefault() {} });
            await sleep(1000);
            report.gridHidden = grid.hidden;
          }
          process.stdout.write(JSON.stringify(report));
        })();
        """#
}
