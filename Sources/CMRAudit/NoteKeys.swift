import CMRCrypto

/// An Ed25519 signer for signed notes (c2sp.org/signed-note), with its key name.
///
/// Text form (the private key file, mode 0600), as Go's `golang.org/x/mod/sumdb/note`:
/// `PRIVATE+KEY+<name>+<8 hex digits key ID>+<base64(0x01 ‖ 32-byte seed)>`.
public struct NoteSigner: Sendable {
    public let name: String
    public let privateKey: Ed25519.PrivateKey
    public var verifier: NoteVerifier { NoteVerifier(name: name, publicKey: privateKey.publicKey) }

    public init(name: String, privateKey: Ed25519.PrivateKey) throws(AuditError) {
        guard NoteVerifier.isValidName(name) else { throw .invalidFormat(path: name, reason: "a key name must be non-empty, without spaces or '+'") }
        self.name = name
        self.privateKey = privateKey
    }

    /// A new key pair from the system's secure random source.
    public static func generate(name: String) throws(AuditError) -> NoteSigner {
        let key: Ed25519.PrivateKey
        do { key = try Ed25519.PrivateKey() } catch { throw .invalidFormat(path: name, reason: "\(error)") }
        return try NoteSigner(name: name, privateKey: key)
    }

    /// Reads the text form.
    public init(text: String) throws(AuditError) {
        let fields = text.trimmingWhitespace.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0] == "PRIVATE", fields[1] == "KEY",
              let raw = Base64.decode(fields[4]), raw.count == 33, raw[0] == 0x01,
              let key = try? Ed25519.PrivateKey(seed: raw[1...])
        else { throw .invalidFormat(path: "private key", reason: "not a PRIVATE+KEY+<name>+<id>+<key> Ed25519 note key") }
        try self.init(name: String(fields[2]), privateKey: key)
        guard fields[3] == Hex.encode(verifier.keyID) else { throw .invalidFormat(path: "private key", reason: "key ID does not match the key") }
    }

    /// The text form (a secret: store it with mode 0600).
    public var text: String {
        "PRIVATE+KEY+\(name)+\(Hex.encode(verifier.keyID))+\(Base64.encode([0x01] + privateKey.seed))"
    }

    /// Writes the private key file (mode 0600, refusing to overwrite) and the public vkey file
    /// (mode 0644), each one line.
    public func write(privateKeyPath: String, publicKeyPath: String) throws(AuditError) {
        try POSIXFile.writeFile(path: privateKeyPath, bytes: Array((text + "\n").utf8), mode: 0o600, exclusive: true)
        try POSIXFile.writeFile(path: publicKeyPath, bytes: Array((verifier.text + "\n").utf8), mode: 0o644, exclusive: false)
    }

    /// Reads a private key file.
    public static func read(path: String) throws(AuditError) -> NoteSigner {
        let bytes = try POSIXFile.readAll(path: path)
        do { return try NoteSigner(text: String(decoding: bytes, as: UTF8.self)) } catch {
            throw .invalidFormat(path: path, reason: "not a note private key")
        }
    }

    /// The signature line for `body`: `— <name> <base64(key ID ‖ signature)>`.
    func signatureLine(for body: [UInt8]) -> String {
        "\u{2014} \(name) \(Base64.encode(verifier.keyID + privateKey.signature(for: body)))\n"
    }
}

/// An Ed25519 verifier key for signed notes, in the vkey text form
/// `<name>+<8 hex digits key ID>+<base64(0x01 ‖ 32-byte public key)>`.
public struct NoteVerifier: Sendable, Hashable {
    public let name: String
    public let publicKey: Ed25519.PublicKey

    public init(name: String, publicKey: Ed25519.PublicKey) {
        self.name = name
        self.publicKey = publicKey
    }

    /// The first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
    public var keyID: [UInt8] {
        Array(SHA256.hash(Array(name.utf8) + [0x0A, 0x01] + publicKey.rawRepresentation)[0..<4])
    }

    public var text: String {
        "\(name)+\(Hex.encode(keyID))+\(Base64.encode([0x01] + publicKey.rawRepresentation))"
    }

    /// Reads the vkey text form.
    public init(text: String) throws(AuditError) {
        let fields = text.trimmingWhitespace.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, Self.isValidName(String(fields[0])),
              let raw = Base64.decode(fields[2]), raw.count == 33, raw[0] == 0x01,
              let key = try? Ed25519.PublicKey(rawRepresentation: raw[1...])
        else { throw .invalidFormat(path: "verifier key", reason: "not a <name>+<id>+<key> Ed25519 note verifier key") }
        self.init(name: String(fields[0]), publicKey: key)
        guard fields[1] == Hex.encode(keyID) else { throw .invalidFormat(path: "verifier key", reason: "key ID does not match the key") }
    }

    /// Reads a vkey file.
    public static func read(path: String) throws(AuditError) -> NoteVerifier {
        let bytes = try POSIXFile.readAll(path: path)
        do { return try NoteVerifier(text: String(decoding: bytes, as: UTF8.self)) } catch {
            throw .invalidFormat(path: path, reason: "not a note verifier key (<name>+<id>+<key>)")
        }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 }
    }
}
