import CMRCrypto

extension AuditRecord {
    /// The record as a canonical JSON value (optional fields that are nil are left out).
    public var canonicalValue: CanonicalJSON.Value {
        var members: [String: CanonicalJSON.Value] = [
            "version": .unsigned(version),
            "seq": .unsigned(seq),
            "prev": .string(prev),
            "time": .string(time),
            "monotonic": .unsigned(monotonic),
            "boot": .string(boot),
            "actor": actor.canonicalValue,
            "event": .object([
                "code": .string(event.code), "action": .string(event.action.rawValue), "name": .string(event.name),
            ]),
            "outcome": outcome.canonicalValue,
            "objects": .array(objects.map(\.canonicalValue)),
        ]
        if let peer { members["peer"] = .string(peer) }
        if let destination { members["destination"] = .string(destination) }
        if let mode { members["mode"] = .string(mode.rawValue) }
        if let details { members["details"] = .object(details.mapValues { .string($0) }) }
        return .object(members)
    }

    /// The canonical encoding: one line of JSON, without the newline.
    public var canonicalBytes: [UInt8] { CanonicalJSON.encode(canonicalValue) }

    /// SHA-256(0x00 ‖ canonical bytes): the record hash, which is also its RFC 6962 leaf hash.
    public var recordHash: [UInt8] { MerkleTree.leafHash(canonicalBytes) }

    /// `recordHash` as lowercase hex: what the next record's `prev` holds.
    public var recordHashHex: String { Hex.encode(recordHash) }

    /// The record a canonical line holds (without its newline).
    ///
    /// - Throws: `AuditRecord.FormatError` if the line is not canonical JSON, lacks a field, has a
    ///   field of the wrong type or one this version does not know, or does not re-encode to
    ///   exactly the same bytes.
    public init(canonicalLine line: UnsafeRawBufferPointer) throws(FormatError) {
        let value: CanonicalJSON.Value
        do { value = try CanonicalJSON.parse(line) } catch { throw .syntax(error) }
        try self.init(canonicalValue: value)
        let again = canonicalBytes
        guard again.count == line.count, again.withUnsafeBytes({ $0.elementsEqual(line) }) else {
            throw .notCanonical
        }
    }

    /// The record a canonical line holds (without its newline).
    public init(canonicalLine line: some Collection<UInt8>) throws(FormatError) {
        let bytes = Array(line)
        var result: Result<AuditRecord, FormatError> = .failure(.notCanonical)
        bytes.withUnsafeBytes { buffer in
            do throws(FormatError) { result = .success(try AuditRecord(canonicalLine: buffer)) } catch { result = .failure(error) }
        }
        self = try result.get()
    }

    /// Why a line is not a record.
    public enum FormatError: Error, Sendable, Equatable, CustomStringConvertible {
        case syntax(CanonicalJSON.SyntaxError)
        case missingField(String)
        case wrongType(String)
        case unknownField(String)
        case unsupportedVersion(UInt64)
        case notCanonical

        public var description: String {
            switch self {
            case let .syntax(error): "not canonical JSON: \(error)"
            case let .missingField(name): "missing field \"\(name)\""
            case let .wrongType(name): "field \"\(name)\" has the wrong type or value"
            case let .unknownField(name): "unknown field \"\(name)\""
            case let .unsupportedVersion(version): "record version \(version) is not supported"
            case .notCanonical: "does not re-encode to the same bytes"
            }
        }
    }

    init(canonicalValue value: CanonicalJSON.Value) throws(FormatError) {
        var fields = try Fields(value, name: "record")
        let version = try fields.unsigned("version")
        guard version == AuditRecord.currentVersion else { throw .unsupportedVersion(version) }
        self.version = version
        seq = try fields.unsigned("seq")
        prev = try fields.string("prev")
        time = try fields.string("time")
        monotonic = try fields.unsigned("monotonic")
        boot = try fields.string("boot")
        actor = try AuditActor(canonicalValue: try fields.required("actor"))
        var eventFields = try Fields(try fields.required("event"), name: "event")
        guard let action = AuditEvent.Action(rawValue: try eventFields.string("action")) else { throw .wrongType("event.action") }
        event = AuditEvent(code: try eventFields.string("code"), action: action, name: try eventFields.string("name"))
        try eventFields.finish()
        outcome = try AuditOutcome(canonicalValue: try fields.required("outcome"))
        guard case let .array(items) = try fields.required("objects") else { throw .wrongType("objects") }
        var objects: [AuditObject] = []
        for item in items { objects.append(try AuditObject(canonicalValue: item)) }
        self.objects = objects
        peer = try fields.optionalString("peer")
        destination = try fields.optionalString("destination")
        if let text = try fields.optionalString("mode") {
            guard let mode = AuditDataMode(rawValue: text) else { throw .wrongType("mode") }
            self.mode = mode
        } else {
            mode = nil
        }
        if let detailsValue = fields.take("details") {
            guard case let .object(members) = detailsValue else { throw .wrongType("details") }
            var details: [String: String] = [:]
            for (key, member) in members {
                guard case let .string(text) = member else { throw .wrongType("details.\(key)") }
                details[key] = text
            }
            self.details = details
        } else {
            details = nil
        }
        try fields.finish()
    }
}

extension AuditActor {
    var canonicalValue: CanonicalJSON.Value {
        var members: [String: CanonicalJSON.Value] = ["user": .string(user), "host": .string(host), "pid": .integer(pid)]
        if let aeTitle { members["aeTitle"] = .string(aeTitle) }
        return .object(members)
    }

    init(canonicalValue value: CanonicalJSON.Value) throws(AuditRecord.FormatError) {
        var fields = try Fields(value, name: "actor")
        user = try fields.string("user")
        host = try fields.string("host")
        pid = try fields.integer("pid")
        aeTitle = try fields.optionalString("aeTitle")
        try fields.finish()
    }
}

extension AuditOutcome {
    var canonicalValue: CanonicalJSON.Value {
        var members: [String: CanonicalJSON.Value] = ["code": .unsigned(code.rawValue)]
        if let message { members["message"] = .string(message) }
        return .object(members)
    }

    init(canonicalValue value: CanonicalJSON.Value) throws(AuditRecord.FormatError) {
        var fields = try Fields(value, name: "outcome")
        guard let code = Code(rawValue: try fields.unsigned("code")) else { throw .wrongType("outcome.code") }
        self.code = code
        message = try fields.optionalString("message")
        try fields.finish()
    }
}

extension AuditObject {
    var canonicalValue: CanonicalJSON.Value {
        var members: [String: CanonicalJSON.Value] = [:]
        if let studyUID { members["studyUID"] = .string(studyUID) }
        if let seriesUID { members["seriesUID"] = .string(seriesUID) }
        if let instanceUID { members["instanceUID"] = .string(instanceUID) }
        if let sopClassUID { members["sopClassUID"] = .string(sopClassUID) }
        if let patientRef { members["patientRef"] = .string(patientRef) }
        if let path { members["path"] = .string(path) }
        if let sha256 { members["sha256"] = .string(sha256) }
        if let count { members["count"] = .unsigned(count) }
        return .object(members)
    }

    init(canonicalValue value: CanonicalJSON.Value) throws(AuditRecord.FormatError) {
        var fields = try Fields(value, name: "objects[]")
        studyUID = try fields.optionalString("studyUID")
        seriesUID = try fields.optionalString("seriesUID")
        instanceUID = try fields.optionalString("instanceUID")
        sopClassUID = try fields.optionalString("sopClassUID")
        patientRef = try fields.optionalString("patientRef")
        path = try fields.optionalString("path")
        sha256 = try fields.optionalString("sha256")
        count = fields.peek("count") == nil ? nil : try fields.unsigned("count")
        try fields.finish()
    }
}

/// Takes the members of a JSON object one by one, and complains about any left over.
struct Fields {
    private var members: [String: CanonicalJSON.Value]
    private let name: String

    init(_ value: CanonicalJSON.Value, name: String) throws(AuditRecord.FormatError) {
        guard case let .object(members) = value else { throw .wrongType(name) }
        self.members = members
        self.name = name
    }

    func peek(_ key: String) -> CanonicalJSON.Value? { members[key] }

    mutating func take(_ key: String) -> CanonicalJSON.Value? { members.removeValue(forKey: key) }

    mutating func required(_ key: String) throws(AuditRecord.FormatError) -> CanonicalJSON.Value {
        guard let value = members.removeValue(forKey: key) else { throw .missingField(qualified(key)) }
        return value
    }

    mutating func string(_ key: String) throws(AuditRecord.FormatError) -> String {
        guard case let .string(text) = try required(key) else { throw .wrongType(qualified(key)) }
        return text
    }

    mutating func optionalString(_ key: String) throws(AuditRecord.FormatError) -> String? {
        guard members[key] != nil else { return nil }
        return try string(key)
    }

    mutating func unsigned(_ key: String) throws(AuditRecord.FormatError) -> UInt64 {
        guard case let .unsigned(number) = try required(key) else { throw .wrongType(qualified(key)) }
        return number
    }

    mutating func integer(_ key: String) throws(AuditRecord.FormatError) -> Int64 {
        switch try required(key) {
        case let .unsigned(number) where number <= UInt64(Int64.max): return Int64(number)
        case let .negative(number): return number
        default: throw .wrongType(qualified(key))
        }
    }

    func finish() throws(AuditRecord.FormatError) {
        if let key = members.keys.sorted().first { throw .unknownField(qualified(key)) }
    }

    private func qualified(_ key: String) -> String { name == "record" ? key : "\(name).\(key)" }
}
