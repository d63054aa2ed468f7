import CMRCrypto

/// A checkpoint (c2sp.org/tlog-checkpoint): the origin, the tree size and the RFC 6962 root of
/// the first `size` lines of the log, as a note body:
///
/// ```
/// <origin>
/// <size, decimal>
/// <base64 root hash>
/// ```
public struct AuditCheckpoint: Sendable, Hashable, Codable {
    public let origin: String
    public let size: UInt64
    /// The 32-byte Merkle tree hash.
    public let rootHash: [UInt8]

    public init(origin: String, size: UInt64, rootHash: [UInt8]) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
    }

    public var body: String { "\(origin)\n\(size)\n\(Base64.encode(rootHash))\n" }

    /// Reads a note body (extension lines after the root are allowed and ignored).
    public init(body: String) throws(AuditError) {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, !lines[0].isEmpty, let size = UInt64(lines[1]), String(size) == lines[1],
              let root = Base64.decode(lines[2]), root.count == 32
        else { throw .invalidFormat(path: "checkpoint", reason: "not <origin>\\n<size>\\n<base64 root>\\n") }
        self.init(origin: String(lines[0]), size: size, rootHash: root)
    }

    /// A signed checkpoint note.
    public func signed(by signers: [NoteSigner]) -> SignedNote { SignedNote.sign(body: body, signers: signers) }
}
