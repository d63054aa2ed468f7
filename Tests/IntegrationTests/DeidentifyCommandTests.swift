import XCTest
import Foundation

/// The built `cmr deidentify` judged by independent tools (issue 4, "How it is checked"): a canary
/// corpus written by pydicom (Scripts/make_canaries.py) from PS3.15 Table E.1-1 and checked after
/// each mode by pydicom (Scripts/check_deid.py); dciodvfy on the outputs; determinism across
/// --jobs and --shard; batch behaviour (bad files, DICOMDIR, resume, overwrite, burned-in
/// quarantine, no temporary files, inputs untouched).
final class DeidentifyCommandTests: XCTestCase {
    /// Made once per class: the canary corpus and its manifest, a synthetic CT+MR study, a site key.
    struct Fixture: Sendable {
        var root: String
        var corpus: String { root + "/corpus" }
        var manifest: String { root + "/manifest.json" }
        var synth: String { root + "/synth" }
        var key: String { root + "/site.key" }
        var python: String
        var cmr: String
        /// False when ../shared/standard is absent.
        var hasCorpus = false
    }

    enum SetupProblem: Sendable {
        case missing(String)
        case fail(String)
    }

    nonisolated(unsafe) static var fixture: Fixture?
    nonisolated(unsafe) static var problem: SetupProblem?

    static let scripts = Peers.root + "/Tests/IntegrationTests/Scripts"
    /// The standard's tables, beside the repository: ../shared/standard.
    static let standard = (Peers.root as NSString).deletingLastPathComponent + "/shared/standard"

    override class func setUp() {
        super.setUp()
        let python: String, cmr: String
        do {
            python = try Peers.python()
            cmr = try Peers.cmrPath()
        } catch {
            problem = .missing("pydicom or the cmr binary: \(error)")
            return
        }
        let root = NSTemporaryDirectory() + "cmr-it-deid-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var f = Fixture(root: root, python: python, cmr: cmr)
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let synth = try Peers.run(cmr, ["synth", "--out", f.synth, "--patients", "1", "--series", "CT,MR", "--instances", "3",
                                            "--rows", "16", "--columns", "16", "--seed", "7"])
            guard synth.status == 0 else { problem = .fail("cmr synth: \(synth.err)"); return }
            let key = try Peers.run(cmr, ["key", "new", f.key])
            guard key.status == 0 else { problem = .fail("cmr key new: \(key.err)"); return }
            if FileManager.default.fileExists(atPath: standard + "/confidentiality_profile_attributes.json") {
                let made = try Peers.run(python, [scripts + "/make_canaries.py", standard + "/confidentiality_profile_attributes.json",
                                                  standard + "/safe_private_attributes.json", f.corpus, f.manifest])
                guard made.status == 0 else { problem = .fail("make_canaries.py: \(made.out)\(made.err)"); return }
                f.hasCorpus = true
            }
            fixture = f
        } catch {
            problem = .fail("\(error)")
        }
    }

    override class func tearDown() {
        if let f = fixture { try? FileManager.default.removeItem(atPath: f.root) }
        fixture = nil
        super.tearDown()
    }

    /// The fixture; with `corpus`, also the canary corpus (skipped, with the reason, only when the
    /// standard's tables are absent; a missing tool fails in CI).
    func requireFixture(corpus: Bool = true) throws -> Fixture {
        if let f = Self.fixture {
            if corpus && !f.hasCorpus {
                throw XCTSkip("\(Self.standard) is absent: the canary corpus is made from PS3.15 Table E.1-1 there")
            }
            return f
        }
        switch Self.problem {
        case .missing(let what)?: _ = try Peers.missing(what); throw XCTSkip(what)
        case .fail(let why)?: XCTFail(why); throw XCTSkip(why)
        case nil: XCTFail("no fixture"); throw XCTSkip("no fixture")
        }
    }

    // MARK: Helpers

    @discardableResult
    func cmr(_ f: Fixture, _ args: [String], stdin: Data? = nil) throws -> Peers.Result {
        try Peers.run(f.cmr, args, stdin: stdin)
    }

    func deidentify(_ f: Fixture, mode: String, options: [String] = [], key: String? = nil, out: String,
                    extra: [String] = [], inputs: [String]) throws -> Peers.Result {
        var args = ["deidentify", "--mode", mode, "--out", out]
        if mode == "deidentified" || mode == "pseudonymous" { args += ["--key-file", key ?? f.key] }
        for o in options { args += ["--option", o] }
        return try cmr(f, args + extra + inputs)
    }

    /// Every regular file under `dir`: path relative to `dir` → SHA-256 (by sha256sum).
    func hashes(_ dir: String) throws -> [String: String] {
        var files: [String] = []
        let e = FileManager.default.enumerator(atPath: dir)
        while let rel = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir), !isDir.boolValue { files.append(rel) }
        }
        guard !files.isEmpty else { return [:] }
        let r = try Peers.run("/usr/bin/sha256sum", files.sorted(), cwd: dir)
        XCTAssertEqual(r.status, 0, r.err)
        var out: [String: String] = [:]
        for line in r.out.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            out[String(parts[1]).trimmingCharacters(in: .whitespaces)] = String(parts[0])
        }
        return out
    }

    func reportLines(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func copy(_ from: String, _ to: String) throws {
        try FileManager.default.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    func fixtureFile(_ f: Fixture, _ kind: String, from: String, to: String) throws {
        let r = try Peers.run(f.python, [Self.scripts + "/deid_fixtures.py", kind, from, to])
        XCTAssertEqual(r.status, 0, r.out + r.err)
    }

    func synthFiles(_ f: Fixture) throws -> [String] {
        try hashes(f.synth).keys.sorted().map { f.synth + "/" + $0 }
    }

    /// `dciodvfy`'s error lines, values normalised (canary values and counts differ between input and output).
    func dciodvfyErrors(_ path: String) throws -> Set<String> {
        let r = try Peers.run(try Peers.tool("/usr/bin/dciodvfy"), [path])
        var errors = Set<String>()
        for line in (r.out + "\n" + r.err).split(separator: "\n") where line.hasPrefix("Error") {
            var s = String(line)
            s = s.replacingOccurrences(of: #"(value|Value) <[^>]*>"#, with: "$1 <>", options: .regularExpression)
            s = s.replacingOccurrences(of: #" [0-9]+ "#, with: " N ", options: .regularExpression)
            errors.insert(s)
        }
        return errors
    }

    // MARK: Modes on the canary corpus

    func testEveryModeRemovesWhatItMustAndKeepsWhatItMay() throws {
        let f = try requireFixture()
        let dir = try Peers.temporaryFolder(self)
        let configs: [(name: String, mode: String, options: [String], extra: [String])] = [
            ("basic", "deidentified", [], []),
            ("pseudonymous", "pseudonymous", [], ["--verify", "--reid-table", dir + "/reid.jsonl"]),
            ("anonymous", "anonymous", [], []),
            ("uids-safe-private", "deidentified", ["uids", "safe-private"], []),
            ("modified-dates-clean-descriptors", "deidentified", ["modified-dates", "clean-descriptors", "patient-characteristics"], []),
            ("full-dates-device-institution", "deidentified", ["full-dates", "device-identity", "institution-identity"], []),
            ("clean-graphics-structured", "deidentified", ["clean-graphics", "clean-structured-content"], []),
        ]
        var runs: [[String: Any]] = []
        for c in configs {
            let out = dir + "/" + c.name, report = dir + "/" + c.name + ".jsonl"
            let r = try deidentify(f, mode: c.mode, options: c.options, out: out, extra: ["--accept-burned-in", "--digest", "--report", report] + c.extra,
                                   inputs: [f.corpus])
            XCTAssertEqual(r.status, 0, "\(c.name): verify must pass on the corpus (no false failures): \(r.err)")
            runs.append(["name": c.name, "mode": c.mode, "options": c.options, "output": out + "/corpus", "report": report])
        }
        try JSONSerialization.data(withJSONObject: runs).write(to: URL(fileURLWithPath: dir + "/runs.json"))
        let check = try Peers.run(f.python, [Self.scripts + "/check_deid.py", "--manifest", f.manifest, "--input", f.corpus,
                                             "--runs", dir + "/runs.json"])
        XCTAssertEqual(check.status, 0, "\n\(check.out)\(check.err)")
        for c in configs { XCTAssertTrue(check.out.contains("\(c.name): checked 3"), "\(c.name) not checked: \(check.out)") }
        XCTAssertEqual(check.out.components(separatedBy: "; 0 problems").count - 1, configs.count, check.out)
        // Pseudonymous mode keeps its re-identification table at the site, readable by the owner only.
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/reid.jsonl")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let table = try String(contentsOfFile: dir + "/reid.jsonl", encoding: .utf8)
        XCTAssertTrue(table.contains("CNRY"), "the table maps pseudonyms back to the patient IDs")
        // The key holder looks a pseudonym up.
        let pseudonym = try cmr(f, ["inspect", "--tag", "PatientID", dir + "/pseudonymous/corpus/explicit_le.dcm"]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let original = try cmr(f, ["inspect", "--tag", "PatientID", f.corpus + "/explicit_le.dcm"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(pseudonym.isEmpty || original.isEmpty || pseudonym == original)
        let lookup = try cmr(f, ["reidentify", "--key-file", f.key, "--reid-table", dir + "/reid.jsonl", "--json", pseudonym])
        XCTAssertEqual(lookup.status, 0, lookup.err)
        XCTAssertTrue(lookup.out.contains("\"\(original)\""), "reidentify \(pseudonym): \(lookup.out)")
    }

    // MARK: The leak self-check

    func testLeakSelfCheckCatchesNamesAndHasNoFalseFailures() throws {
        let f = try requireFixture()
        let dir = try Peers.temporaryFolder(self)
        let ct = try synthFiles(f).first { $0.contains("CT") }!
        let dcmconv = try Peers.tool("/usr/bin/dcmconv")

        // The patient's name in attributes the table does not list (kept by rule): a leak, in every encoding.
        try fixtureFile(f, "name-text", from: ct, to: dir + "/leaky/explicit.dcm")
        XCTAssertEqual(try Peers.run(dcmconv, ["+td", dir + "/leaky/explicit.dcm", dir + "/leaky/deflated.dcm"]).status, 0)
        XCTAssertEqual(try Peers.run(dcmconv, ["+ti", dir + "/leaky/explicit.dcm", dir + "/leaky/implicit.dcm"]).status, 0)
        let batch = try deidentify(f, mode: "deidentified", out: dir + "/out1", extra: ["--report", dir + "/r1.jsonl"], inputs: [dir + "/leaky"])
        XCTAssertEqual(batch.status, 1, batch.err)
        for line in try reportLines(dir + "/r1.jsonl") where line["summary"] == nil {
            XCTAssertEqual(line["status"] as? String, "failed", "\(line)")
            XCTAssertTrue((line["reason"] as? String ?? "").contains("leak self-check"), "\(line)")
        }
        XCTAssertEqual(try hashes(dir + "/out1").count, 0, "nothing written")
        let single = try deidentify(f, mode: "deidentified", out: dir + "/out2", inputs: [dir + "/leaky/deflated.dcm"])
        XCTAssertEqual(single.status, 65, "a deflated file is scanned inflated: \(single.err)")
        // Without the self-check the file is written, and the name is there: the check is what caught it.
        let unchecked = try deidentify(f, mode: "deidentified", out: dir + "/out3", extra: ["--no-verify"], inputs: [dir + "/leaky/explicit.dcm"])
        XCTAssertEqual(unchecked.status, 0, unchecked.err)
        let tag = try cmr(f, ["inspect", "--tag", "BodyPartExamined", dir + "/out3/explicit.dcm"])
        XCTAssertFalse(tag.out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "Body Part Examined is kept by rule")

        // Names are matched as words, in any case: SMITH for Smith is caught.
        try fixtureFile(f, "name-upper", from: ct, to: dir + "/upper/upper.dcm")
        let upper = try deidentify(f, mode: "deidentified", out: dir + "/out8", inputs: [dir + "/upper/upper.dcm"])
        XCTAssertEqual(upper.status, 65, "a name in capitals survives the self-check: \(upper.err)")

        // No false failures for short names: a family name that is also a VR code (LO, in every
        // explicit VR header), name parts inside kept words (Bo in Bosch, Li in LIVER).
        try fixtureFile(f, "short-name", from: ct, to: dir + "/short/lo.dcm")
        try fixtureFile(f, "short-words", from: ct, to: dir + "/short/libo.dcm")
        let short = try deidentify(f, mode: "deidentified", out: dir + "/out4", inputs: [dir + "/short"])
        XCTAssertEqual(short.status, 0, short.err)
        XCTAssertEqual(try hashes(dir + "/out4").count, 2)

        // A recipe that keeps Patient's Name in deidentified mode: the self-check fails the file (the
        // mode promises no identity in the data; a recipe's keep is not an option of the standard).
        let recipe = dir + "/keep-name.json"
        try Data(#"{"attributes": {"PatientName": "keep"}}"#.utf8).write(to: URL(fileURLWithPath: recipe))
        let corpusFile = f.corpus + "/explicit_le.dcm"
        let leaky = try deidentify(f, mode: "deidentified", out: dir + "/out5", extra: ["--recipe", recipe, "--accept-burned-in"],
                                   inputs: [corpusFile])
        XCTAssertEqual(leaky.status, 65, leaky.err)
        XCTAssertTrue(leaky.err.contains("leak self-check"), leaky.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out5/explicit_le.dcm"))
        let leakyBatch = try deidentify(f, mode: "deidentified", out: dir + "/out6",
                                        extra: ["--recipe", recipe, "--accept-burned-in", "--report", dir + "/r6.jsonl"], inputs: [f.corpus])
        XCTAssertEqual(leakyBatch.status, 1, leakyBatch.err)
        let lines = try reportLines(dir + "/r6.jsonl").filter { $0["summary"] == nil }
        XCTAssertEqual(lines.count, 5)
        for line in lines {
            XCTAssertEqual(line["status"] as? String, "failed", "\(line)")
            XCTAssertFalse((line["leaks"] as? [String] ?? []).isEmpty, "\(line)")
        }
        // With --no-verify the user's keep is honoured.
        let kept = try deidentify(f, mode: "deidentified", out: dir + "/out7", extra: ["--recipe", recipe, "--accept-burned-in", "--no-verify"],
                                  inputs: [corpusFile])
        XCTAssertEqual(kept.status, 0, kept.err)
        let name = try cmr(f, ["inspect", "--tag", "PatientName", dir + "/out7/explicit_le.dcm"])
        XCTAssertEqual(name.out, "FAMBCNRY^GIVBCNRY\n")
    }

    /// Sequences that arrive as explicit VR UN of defined length (cmr's reader keeps them as bytes):
    /// once a D sequence became an SQ holding two dummy bytes (a file no reader could parse) and an
    /// untabulated one kept the name inside it.
    func testSequencesEncodedAsUNAreNeitherCorruptedNorLeaked() throws {
        let f = try requireFixture(corpus: false)
        let dir = try Peers.temporaryFolder(self)
        let ct = try synthFiles(f).first { $0.contains("CT") }!
        try fixtureFile(f, "un-seq", from: ct, to: dir + "/in/un.dcm")
        for mode in ["deidentified", "anonymous"] {
            let r = try deidentify(f, mode: mode, out: dir + "/" + mode, inputs: [dir + "/in/un.dcm"])
            XCTAssertEqual(r.status, 0, r.err)
            let out = dir + "/" + mode + "/un.dcm"
            let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
            XCTAssertNil(bytes.range(of: Data("UNSEQHIDDEN".utf8)), "\(mode): the name inside a UN sequence survives")
            let read = try Peers.run(f.python, ["-c", "import pydicom, sys\nds = pydicom.dcmread(sys.argv[1])\nprint(len(list(ds.iterall())))", out])
            XCTAssertEqual(read.status, 0, "\(mode): pydicom cannot read the output: \(read.err)")
            let dump = try Peers.run(try Peers.tool("/usr/bin/dcmdump"), ["-q", out])
            XCTAssertEqual(dump.status, 0, "\(mode): dcmdump: \(dump.err)")
        }
    }

    // MARK: Validity

    func testOutputsAddNoDciodvfyErrors() throws {
        let f = try requireFixture()
        _ = try Peers.tool("/usr/bin/dciodvfy")
        let dir = try Peers.temporaryFolder(self)
        // Realistic files: cmr's synthetic CT and MR, and a CT with a Referenced Study Sequence as PACS add it.
        for file in try synthFiles(f) {
            try copy(file, dir + "/in/synth/" + String(file.dropFirst(f.synth.count + 1)))
        }
        try fixtureFile(f, "ref-study", from: try synthFiles(f).first { $0.contains("CT") }!, to: dir + "/in/refstudy.dcm")
        // The corpus too, but for the deflated file, which dciodvfy cannot read.
        for name in ["implicit.dcm", "explicit_le.dcm", "explicit_be.dcm", "encapsulated.dcm"] {
            try copy(f.corpus + "/" + name, dir + "/in/corpus/" + name)
        }
        let inputs = try hashes(dir + "/in").keys.sorted()
        // What the profile's own rules do to an every-attribute-filled corpus (not to real images):
        // Overlay Data is X while the rest of the overlay group stays; Ethics Committee Name is D
        // while the Approval Number it depends on is X.
        let profileCaused = ["Element=<OverlayData> Module=<OverlayPlane>", "Element=<ClinicalTrialProtocolEthicsCommitteeName>"]
        var inputErrors: [String: Set<String>] = [:]
        for (mode, options) in [("deidentified", [String]()), ("anonymous", []), ("pseudonymous", ["clean-descriptors"])] {
            let out = dir + "/out-" + mode
            let r = try deidentify(f, mode: mode, options: options, out: out, extra: ["--accept-burned-in"], inputs: [dir + "/in"])
            XCTAssertEqual(r.status, 0, r.err)
            for rel in inputs {
                let before = try inputErrors[rel] ?? dciodvfyErrors(dir + "/in/" + rel)
                inputErrors[rel] = before
                let after = try dciodvfyErrors(out + "/in/" + rel)
                var new = after.subtracting(before)
                if rel.hasPrefix("corpus/") { new = new.filter { e in !profileCaused.contains { e.contains($0) } } }
                XCTAssertTrue(new.isEmpty, "\(mode) \(rel): new dciodvfy errors:\n" + new.sorted().joined(separator: "\n"))
            }
        }
    }

    // MARK: Determinism

    func testSameKeyGivesIdenticalTreesAcrossJobsAndShards() throws {
        let f = try requireFixture()
        let dir = try Peers.temporaryFolder(self)
        for file in try synthFiles(f) { try copy(file, dir + "/data/synth/" + String(file.dropFirst(f.synth.count + 1))) }
        for name in try hashes(f.corpus).keys { try copy(f.corpus + "/" + name, dir + "/data/corpus/" + name) }
        let input = dir + "/data"
        let count = try hashes(input).count
        let common = ["--accept-burned-in", "--option", "modified-dates", "--option", "clean-descriptors"]
        XCTAssertEqual(try deidentify(f, mode: "deidentified", out: dir + "/one", extra: common + ["--jobs", "1"], inputs: [input]).status, 0)
        XCTAssertEqual(try deidentify(f, mode: "deidentified", out: dir + "/four", extra: common + ["--jobs", "4"], inputs: [input]).status, 0)
        var shardTotal = 0
        for i in 1...4 {
            let r = try deidentify(f, mode: "deidentified", out: dir + "/shards", extra: common + ["--shard", "\(i)/4", "--report", dir + "/s\(i).jsonl"],
                                   inputs: [input])
            XCTAssertEqual(r.status, 0, r.err)
            let summary = try XCTUnwrap(try reportLines(dir + "/s\(i).jsonl").last?["summary"] as? [String: Any])
            XCTAssertEqual(summary["existing"] as? Int, 0, "shards are disjoint")
            shardTotal += summary["written"] as? Int ?? 0
        }
        XCTAssertEqual(shardTotal, count, "the four shards cover every file once")
        let one = try hashes(dir + "/one"), four = try hashes(dir + "/four"), shards = try hashes(dir + "/shards")
        XCTAssertEqual(one.count, count)
        XCTAssertEqual(one, four, "--jobs 1 and --jobs 4 differ")
        XCTAssertEqual(one, shards, "the union of four shards differs from one run")

        // Named by UIDs, shards spelled differently (absolute, ./relative) still split the same tree.
        for i in 1...4 {
            let args = ["deidentify", "--mode", "deidentified", "--key-file", f.key, "--out", dir + "/uids-shards", "--name-by", "uids",
                        "--shard", "\(i)/4"] + common + [i % 2 == 0 ? "./data" : input]
            let r = try Peers.run(f.cmr, args, cwd: dir)
            XCTAssertEqual(r.status, 0, r.err)
        }
        let byUIDs = try hashes(dir + "/uids-shards")
        XCTAssertEqual(byUIDs.count, count, "shards by UIDs depend on how the input path is spelled")
        XCTAssertEqual(Set(byUIDs.values), Set(one.values), "the same files whatever their names")
        XCTAssertTrue(byUIDs.keys.allSatisfy { $0.hasPrefix("2.25.") && $0.hasSuffix(".dcm") && $0.split(separator: "/").count == 3 })

        // Another key: other UIDs, so every file differs.
        let other = dir + "/other.key"
        XCTAssertEqual(try cmr(f, ["key", "new", other]).status, 0)
        let r = try deidentify(f, mode: "deidentified", key: other, out: dir + "/other", extra: common + ["--report", dir + "/other.jsonl"],
                               inputs: [input])
        XCTAssertEqual(r.status, 0, r.err)
        let otherHashes = try hashes(dir + "/other")
        // Keyed folder names depend on the key too: compare the trees without them.
        XCTAssertEqual(Set(otherHashes.keys.map(Self.withoutKeyedNames)), Set(one.keys.map(Self.withoutKeyedNames)))
        XCTAssertTrue(Set(otherHashes.values).isDisjoint(with: Set(one.values)), "every file differs under another key")
        let firstUIDs = Set(try reportLines(dir + "/s1.jsonl").compactMap { $0["sopInstanceUID"] as? String })
        let otherUIDs = Set(try reportLines(dir + "/other.jsonl").compactMap { $0["sopInstanceUID"] as? String })
        XCTAssertFalse(firstUIDs.isEmpty)
        XCTAssertTrue(firstUIDs.isDisjoint(with: otherUIDs), "a different key must give different UIDs")
        XCTAssertTrue(otherUIDs.allSatisfy { $0.hasPrefix("2.25.") })
    }

    // MARK: Batch behaviour

    func testBatchReportsBadFilesResumesOverwritesAndQuarantines() throws {
        let f = try requireFixture(corpus: false)
        let dir = try Peers.temporaryFolder(self)
        let batch = dir + "/batch"
        let synth = try synthFiles(f)
        for file in synth { try copy(file, batch + "/good/" + String(file.dropFirst(f.synth.count + 1))) }
        try Data("just some notes, not DICOM\n".utf8).write(to: URL(fileURLWithPath: batch + "/notes.txt"))
        // A DICOMDIR made by DCMTK over two of the files.
        try copy(synth[0], batch + "/media/IMG/IM1")
        try copy(synth[1], batch + "/media/IMG/IM2")
        let mkdir = try Peers.run(try Peers.tool("/usr/bin/dcmmkdir"), ["+r", "IMG"], cwd: batch + "/media")
        XCTAssertEqual(mkdir.status, 0, mkdir.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: batch + "/media/DICOMDIR"))
        try fixtureFile(f, "burned", from: synth[0], to: batch + "/burned.dcm")
        let inputsBefore = try hashes(batch)

        let out = dir + "/out"
        let first = try deidentify(f, mode: "deidentified", out: out, extra: ["--report", dir + "/r1.jsonl"], inputs: [batch])
        XCTAssertEqual(first.status, 1, first.err)
        let lines = try reportLines(dir + "/r1.jsonl").filter { $0["summary"] == nil }
        var status: [String: String] = [:], reason: [String: String] = [:]
        for l in lines {
            let rel = String((l["input"] as? String ?? "").dropFirst(batch.count + 1))
            status[rel] = l["status"] as? String
            reason[rel] = l["reason"] as? String
        }
        XCTAssertEqual(status.count, inputsBefore.count, "one report line per input file")
        XCTAssertEqual(status["notes.txt"], "failed")
        XCTAssertEqual(status["media/DICOMDIR"], "failed")
        XCTAssertTrue(reason["media/DICOMDIR"]?.contains("DICOMDIR") ?? false, "\(reason)")
        XCTAssertEqual(status["burned.dcm"], "quarantined")
        let goodInputs = inputsBefore.keys.filter { $0.hasPrefix("good/") || $0.hasPrefix("media/IMG/") }
        for rel in goodInputs { XCTAssertEqual(status[rel], "written", rel) }
        let written = try hashes(out + "/batch")
        // Folders named after the patient (synth names them by Patient ID) get keyed names.
        XCTAssertFalse(written.keys.contains { $0.contains("SYN") }, "no patient ID in output paths: \(written.keys)")
        XCTAssertEqual(Set(written.keys.map(Self.withoutKeyedNames)), Set(goodInputs.map(Self.withoutPatientFolders)),
                       "only the good files are written, mirroring the input tree")

        // A rerun skips what exists (the bad files fail again); on the good files alone it is clean.
        let second = try deidentify(f, mode: "deidentified", out: out, extra: ["--report", dir + "/r2.jsonl"], inputs: [batch])
        XCTAssertEqual(second.status, 1)
        for l in try reportLines(dir + "/r2.jsonl") where l["summary"] == nil {
            let rel = String((l["input"] as? String ?? "").dropFirst(batch.count + 1))
            if goodInputs.contains(rel) { XCTAssertEqual(l["status"] as? String, "exists", rel) }
        }
        let good = try deidentify(f, mode: "deidentified", out: dir + "/goodout", inputs: [batch + "/good"])
        XCTAssertEqual(good.status, 0, good.err)
        let resumed = try deidentify(f, mode: "deidentified", out: dir + "/goodout", extra: ["--json"], inputs: [batch + "/good"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.out.contains(#""existing":\#(synth.count)"#), resumed.out)
        // --overwrite writes them again, byte for byte the same.
        let goodBefore = try hashes(dir + "/goodout")
        let again = try deidentify(f, mode: "deidentified", out: dir + "/goodout", extra: ["--overwrite", "--json"], inputs: [batch + "/good"])
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.out.contains(#""written":\#(synth.count)"#), again.out)
        XCTAssertEqual(try hashes(dir + "/goodout"), goodBefore)

        // Burned In Annotation YES alone: 77, never written; accepted on request.
        let burned = try deidentify(f, mode: "deidentified", out: dir + "/burnedout", inputs: [batch + "/burned.dcm"])
        XCTAssertEqual(burned.status, 77, burned.err)
        XCTAssertTrue(burned.err.contains("Burned In Annotation"), burned.err)
        XCTAssertEqual(try hashes(dir + "/burnedout").count, 0)
        let accepted = try deidentify(f, mode: "deidentified", out: dir + "/burnedout", extra: ["--accept-burned-in"], inputs: [batch + "/burned.dcm"])
        XCTAssertEqual(accepted.status, 0, accepted.err)

        // --dry-run writes nothing; '-' reads paths from standard input, --print-paths lists what was written.
        let dry = try deidentify(f, mode: "deidentified", out: dir + "/dry", extra: ["--dry-run"], inputs: [batch + "/good"])
        XCTAssertEqual(dry.status, 0, dry.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/dry"))
        let listed = synth.map { batch + "/good/" + String($0.dropFirst(f.synth.count + 1)) }
        let piped = try Peers.run(f.cmr, ["deidentify", "--mode", "deidentified", "--key-file", f.key, "--out", dir + "/piped", "--print-paths", "-"],
                                  stdin: Data((listed.joined(separator: "\n") + "\n").utf8))
        XCTAssertEqual(piped.status, 0, piped.err)
        let printed = piped.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(printed.count, synth.count, piped.out)
        for p in printed { XCTAssertTrue(FileManager.default.fileExists(atPath: p), p) }
        XCTAssertEqual(Set(try hashes(dir + "/piped").values), Set(goodBefore.values), "the same outputs whichever way the paths came")

        // No temporary files anywhere; the inputs untouched.
        for tree in [out, dir + "/goodout", dir + "/burnedout", dir + "/piped"] {
            let leftovers = try hashes(tree).keys.filter { $0.hasSuffix(".tmp") || ($0 as NSString).lastPathComponent.hasPrefix(".") }
            XCTAssertEqual(leftovers, [], tree)
        }
        XCTAssertEqual(try hashes(batch), inputsBefore, "inputs modified")
    }

    /// A relative output path with cmr's keyed folder names (ID-…) replaced by "*".
    static func withoutKeyedNames(_ path: String) -> String {
        path.split(separator: "/").map { $0.hasPrefix("ID-") ? "*" : String($0) }.joined(separator: "/")
    }

    /// A relative input path with synth's patient folders (SYN + digits) replaced by "*".
    static func withoutPatientFolders(_ path: String) -> String {
        path.split(separator: "/").map { $0.hasPrefix("SYN") && $0.dropFirst(3).allSatisfy(\.isNumber) ? "*" : String($0) }.joined(separator: "/")
    }
}
