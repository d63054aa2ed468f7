import CMRCrypto
import Foundation
import XCTest
@testable import CMRAudit

final class ConcurrencyAndNoteTests: XCTestCase {
    /// 8 writers × 1,000 records, each its own `AuditLog` and descriptor (flock locks belong to
    /// the open file description, so they contend as separate processes do).
    func testEightWritersKeepTheChain() throws {
        let folder = try temporaryDirectory(self)
        let path = folder + "/audit.log"
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { writer in
            let log = AuditLog(path: path)
            for index in 0..<1000 {
                var draft = sampleDraft(index)
                draft.details = ["writer": String(writer), "index": String(index)]
                do { try log.append(index % 10 == 0 ? [draft] : [draft]) } catch { failures.increment() }
            }
        }
        XCTAssertEqual(failures.value, 0)
        let result = try AuditVerifier.verify(logPath: path)
        XCTAssertTrue(result.intact, "\(result.breaks.prefix(5))")
        XCTAssertEqual(result.recordCount, 8000)
        var seen = Set<String>()
        for line in try readLines(path) {
            let record = try AuditRecord(canonicalLine: line)
            seen.insert(record.details!["writer"]! + "/" + record.details!["index"]!)
        }
        XCTAssertEqual(seen.count, 8000)
    }

    /// The C2SP note and its signature checked by Python's `cryptography` (Ed25519) and
    /// hashlib (key ID).
    func testSignedNoteAgainstPython() throws {
        guard let python = try pythonOrSkip() else { return }
        let signer = try NoteSigner.generate(name: "ward7-audit")
        let note = AuditCheckpoint(origin: "ward7.example/cmr-audit", size: 1234, rootHash: SHA256.hash([1, 2, 3])).signed(by: [signer])
        let script = #"""
import sys, base64, hashlib
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
vkey, note = sys.stdin.read().split("\n", 1)
name, keyid, key = vkey.split("+", 2)
raw = base64.b64decode(key)
assert raw[0] == 1 and len(raw) == 33
assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == keyid, "key id"
body, sigs = note.split("\n\n", 1)
body += "\n"
lines = body.split("\n")
assert lines[1] == "1234" and len(base64.b64decode(lines[2])) == 32
for line in sigs.strip("\n").split("\n"):
    dash, signame, sig = line.split(" ")
    assert dash == "\u2014" and signame == name
    sig = base64.b64decode(sig)
    assert sig[:4].hex() == keyid
    Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[4:], body.encode())
print("ok")
"""#
        let output = try runPython(python, script, input: Array((signer.verifier.text + "\n" + note.text).utf8))
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "ok\n")
    }

    func testKeyFiles() throws {
        let folder = try temporaryDirectory(self)
        let signer = try NoteSigner.generate(name: "site")
        try signer.write(privateKeyPath: folder + "/keys/site.key", publicKeyPath: folder + "/keys/site.vkey")
        var info = stat()
        XCTAssertEqual(stat(folder + "/keys/site.key", &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        XCTAssertEqual(try NoteSigner.read(path: folder + "/keys/site.key").verifier, signer.verifier)
        XCTAssertEqual(try NoteVerifier.read(path: folder + "/keys/site.vkey"), signer.verifier)
        XCTAssertThrowsError(try signer.write(privateKeyPath: folder + "/keys/site.key", publicKeyPath: folder + "/x.vkey"))
        XCTAssertTrue(signer.text.hasPrefix("PRIVATE+KEY+site+"))
        let note = SignedNote.sign(body: "a\nb\n", signers: [signer])
        XCTAssertEqual(try SignedNote(text: note.text), note)
        XCTAssertTrue(note.isSigned(by: signer.verifier))
        XCTAssertEqual(try SignedNote.parseAll(note.text + note.text).count, 2)
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
