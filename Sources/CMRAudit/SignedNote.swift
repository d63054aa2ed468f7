import CMRCrypto

/// A signed note (c2sp.org/signed-note): UTF-8 text ending in a newline, a blank line, then
/// one or more signature lines `— <key name> <base64(4-byte key ID ‖ signature)>`.
public struct SignedNote: Sendable, Hashable {
    /// The signed text, ending in "\n".
    public let body: String
    public let signatures: [Signature]

    public struct Signature: Sendable, Hashable {
        public let name: String
        public let keyID: [UInt8]
        public let signature: [UInt8]
    }

    /// The note's text: body, blank line, signature lines.
    public var text: String {
        body + "\n" + signatures.map { "\u{2014} \($0.name) \(Base64.encode($0.keyID + $0.signature))\n" }.joined()
    }

    /// Signs `body` (which must end in a newline and contain no blank line) with `signers`.
    public static func sign(body: String, signers: [NoteSigner]) -> SignedNote {
        precondition(body.hasSuffix("\n") && !body.contains("\n\n"), "a note body ends in one newline")
        let bytes = Array(body.utf8)
        let signatures = signers.map {
            Signature(name: $0.name, keyID: $0.verifier.keyID, signature: $0.privateKey.signature(for: bytes))
        }
        return SignedNote(body: body, signatures: signatures)
    }

    public init(body: String, signatures: [Signature]) {
        self.body = body
        self.signatures = signatures
    }

    /// Parses one note.
    public init(text: String) throws(AuditError) {
        var notes = try SignedNote.parseAll(text)
        guard notes.count == 1 else { throw .invalidFormat(path: "note", reason: "expected one signed note, found \(notes.count)") }
        self = notes.removeFirst()
    }

    /// Whether the note carries a valid signature by `verifier` (matching name and key ID).
    public func isSigned(by verifier: NoteVerifier) -> Bool {
        let id = verifier.keyID
        let bytes = Array(body.utf8)
        return signatures.contains {
            $0.name == verifier.name && $0.keyID == id && verifier.publicKey.isValidSignature($0.signature, for: bytes)
        }
    }

    /// Parses notes written one after another (as in a `.checkpoints` file): each is body lines,
    /// a blank line, signature lines; the next note starts at the first line after a signature
    /// line that is not one.
    public static func parseAll(_ text: String) throws(AuditError) -> [SignedNote] {
        var notes: [SignedNote] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard lines.last == "" else { throw .invalidFormat(path: "note", reason: "text does not end in a newline") }
        lines.removeLast()
        while !lines.isEmpty {
            var body = ""
            while let line = lines.first, !line.isEmpty {
                body += line + "\n"
                lines.removeFirst()
            }
            guard !body.isEmpty, lines.first == "" else { throw .invalidFormat(path: "note", reason: "a note needs a body, a blank line and signatures") }
            lines.removeFirst()
            var signatures: [Signature] = []
            while let line = lines.first, line.hasPrefix("\u{2014} ") {
                let parts = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, NoteVerifier.isValidName(String(parts[0])),
                      let raw = Base64.decode(parts[1]), raw.count >= 5
                else { throw .invalidFormat(path: "note", reason: "malformed signature line") }
                signatures.append(Signature(name: String(parts[0]), keyID: Array(raw[0..<4]), signature: Array(raw[4...])))
                lines.removeFirst()
            }
            guard !signatures.isEmpty else { throw .invalidFormat(path: "note", reason: "a note without signatures") }
            notes.append(SignedNote(body: body, signatures: signatures))
        }
        return notes
    }
}
