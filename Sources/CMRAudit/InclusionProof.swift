import CMRCrypto

/// An inclusion proof of one record against a signed checkpoint, as a JSON file:
///
/// ```json
/// {"checkpoint":"<signed note text>","index":5,"path":["<base64 hash>",…],
///  "record":"<the record's canonical line>","treeSize":1000,"version":1}
/// ```
///
/// It is written canonically (`CanonicalJSON`) and verifiable offline with the verifier key:
/// the note's signature, then RFC 9162 §2.1.3.2 with leaf SHA-256(0x00 ‖ record).
public struct InclusionProof: Sendable, Hashable {
    public var index: UInt64
    public var treeSize: UInt64
    public var record: String
    public var path: [[UInt8]]
    public var checkpoint: SignedNote

    public init(index: UInt64, treeSize: UInt64, record: String, path: [[UInt8]], checkpoint: SignedNote) {
        self.index = index
        self.treeSize = treeSize
        self.record = record
        self.path = path
        self.checkpoint = checkpoint
    }

    /// The proof for line `index` (0-based; the record with that `seq` in an intact log) of the
    /// log against `checkpoint`, whose size must exceed `index` and not exceed the log's lines.
    public static func make(logPath: String, index: UInt64, checkpoint: SignedNote) throws(AuditError) -> InclusionProof {
        let parsed = try AuditCheckpoint(body: checkpoint.body)
        guard index < parsed.size else { throw .invalidFormat(path: logPath, reason: "record \(index) is not in a checkpoint of size \(parsed.size)") }
        let log = try MappedLog(path: logPath)
        let leaves = log.leafHashes(limit: Int(parsed.size))
        guard leaves.count == Int(parsed.size) else { throw .invalidFormat(path: logPath, reason: "the log has \(leaves.count) lines, fewer than the checkpoint's \(parsed.size)") }
        guard ConstantTime.equals(MerkleTree.root(leafHashes: leaves), parsed.rootHash) else {
            throw .invalidFormat(path: logPath, reason: "the log's first \(parsed.size) lines do not match the checkpoint's root")
        }
        var offset = 0
        for _ in 0..<index { offset = log.line(at: offset)!.range.upperBound + 1 }
        let line = log[log.line(at: offset)!.range]
        return InclusionProof(index: index, treeSize: parsed.size, record: String(decoding: line, as: UTF8.self),
                              path: MerkleTree.inclusionProof(index: Int(index), leafHashes: leaves), checkpoint: checkpoint)
    }

    /// The canonical JSON text, with a final newline.
    public var text: String {
        let value: CanonicalJSON.Value = .object([
            "version": .unsigned(1), "index": .unsigned(index), "treeSize": .unsigned(treeSize), "record": .string(record),
            "path": .array(path.map { .string(Base64.encode($0)) }), "checkpoint": .string(checkpoint.text),
        ])
        return String(decoding: CanonicalJSON.encode(value), as: UTF8.self) + "\n"
    }

    public init(text: String) throws(AuditError) {
        let bad = AuditError.invalidFormat(path: "proof", reason: "not an inclusion proof")
        var bytes = Array(text.utf8)
        if bytes.last == 0x0A { bytes.removeLast() }
        guard case let .object(members)? = try? CanonicalJSON.parse(bytes), members["version"] == .unsigned(1),
              case let .unsigned(index)? = members["index"], case let .unsigned(treeSize)? = members["treeSize"],
              case let .string(record)? = members["record"], case let .array(items)? = members["path"],
              case let .string(note)? = members["checkpoint"], members.count == 6
        else { throw bad }
        var path: [[UInt8]] = []
        for item in items {
            guard case let .string(text) = item, let hash = Base64.decode(text), hash.count == 32 else { throw bad }
            path.append(hash)
        }
        self.init(index: index, treeSize: treeSize, record: record, path: path, checkpoint: try SignedNote(text: note))
    }

    /// Why a proof fails, or nil when it holds.
    public func verify(publicKey: NoteVerifier) -> String? {
        guard checkpoint.isSigned(by: publicKey) else { return "the checkpoint is not signed by \(publicKey.name)" }
        guard let parsed = try? AuditCheckpoint(body: checkpoint.body) else { return "the checkpoint is malformed" }
        guard parsed.size == treeSize else { return "tree size \(treeSize) differs from the checkpoint's \(parsed.size)" }
        guard let parsedRecord = try? AuditRecord(canonicalLine: Array(record.utf8)) else { return "the record is not canonical" }
        guard parsedRecord.seq == index else { return "the record's seq \(parsedRecord.seq) differs from index \(index)" }
        guard MerkleTree.verifyInclusion(leafHash: MerkleTree.leafHash(Array(record.utf8)), index: index, treeSize: treeSize,
                                         proof: path, root: parsed.rootHash)
        else { return "the audit path does not lead to the checkpoint's root" }
        return nil
    }
}

extension AuditVerifier {
    /// Checks an inclusion proof file's text: nil when it holds, else why not.
    public static func verify(proof text: String, publicKey: NoteVerifier) -> String? {
        guard let proof = try? InclusionProof(text: text) else { return "not an inclusion proof" }
        return proof.verify(publicKey: publicKey)
    }
}
