/// An incremental PDU decoder: give it bytes as they arrive, in any chunking, and take whole PDUs out.
///
/// Lengths are checked before anything is buffered, so a peer cannot make it allocate more than
/// the configured maximum; malformed PDUs are thrown as `PDUDecodingError`, never trapped on.
public struct PDUDecoder: Sendable {
    /// Longest P-DATA-TF accepted (its length field), normally the maximum length this side announced.
    public var maximumDataLength: Int
    /// Longest association PDU accepted (A-ASSOCIATE-RQ/AC with many presentation contexts).
    public var maximumAssociateLength: Int

    private var buffer: [UInt8] = []
    private var start = 0

    public init(maximumDataLength: Int = 1 << 20, maximumAssociateLength: Int = 1 << 20) {
        self.maximumDataLength = maximumDataLength
        self.maximumAssociateLength = maximumAssociateLength
    }

    /// Bytes held that do not yet make a whole PDU.
    public var bufferedCount: Int { buffer.count - start }

    public mutating func feed(_ bytes: some Collection<UInt8>) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole PDU, or nil when more bytes are needed.
    public mutating func next() throws -> PDU? {
        let available = buffer.count - start
        guard available >= 1 else { return nil }
        guard let type = PDUType(rawValue: buffer[start]) else { throw PDUDecodingError.unknownType(buffer[start]) }
        guard available >= 6 else { return nil }
        let length = Int(buffer[start + 2]) << 24 | Int(buffer[start + 3]) << 16 | Int(buffer[start + 4]) << 8 | Int(buffer[start + 5])
        let maximum: Int
        switch type {
        case .dataTF: maximum = maximumDataLength == 0 ? Int(UInt32.max) : maximumDataLength
        case .associateRQ, .associateAC: maximum = maximumAssociateLength
        default: maximum = 4
        }
        if length > maximum {
            if maximum == 4 { throw PDUDecodingError.malformed(type, offset: 2, "length \(length), expected 4") }
            throw PDUDecodingError.tooLong(type, length: length, maximum: maximum)
        }
        guard available >= 6 + length else {
            // Room for the whole PDU once, but never trust a huge length for a reservation.
            if length <= 1 << 24 { buffer.reserveCapacity(start + 6 + length) }
            return nil
        }
        let pdu = try buffer.withUnsafeBytes { raw in
            try PDUParser(type: type, body: UnsafeRawBufferPointer(rebasing: raw[(start + 6)..<(start + 6 + length)])).parse()
        }
        start += 6 + length
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            start = 0
        }
        return pdu
    }

    /// Decodes exactly one PDU from `bytes` (for tests and tools); trailing bytes are an error.
    public static func decode(_ bytes: [UInt8]) throws -> PDU {
        var d = PDUDecoder(maximumDataLength: 0, maximumAssociateLength: Int(UInt32.max))
        d.feed(bytes)
        guard let pdu = try d.next() else {
            let type = bytes.first.flatMap(PDUType.init(rawValue:)) ?? .abort
            throw PDUDecodingError.malformed(type, offset: bytes.count, "truncated")
        }
        if d.bufferedCount != 0 {
            throw PDUDecodingError.malformed(pdu.type, offset: bytes.count - d.bufferedCount, "bytes after the PDU")
        }
        return pdu
    }
}

/// Parses one PDU's body (the bytes after its 6-byte header), bounds-checked throughout.
struct PDUParser {
    let type: PDUType
    let body: UnsafeRawBufferPointer

    func fail(_ at: Int, _ why: String) -> PDUDecodingError { .malformed(type, offset: at + 6, why) }

    func u16(_ at: Int) -> UInt16 { UInt16(body[at]) << 8 | UInt16(body[at + 1]) }
    func u32(_ at: Int) -> UInt32 { UInt32(body[at]) << 24 | UInt32(body[at + 1]) << 16 | UInt32(body[at + 2]) << 8 | UInt32(body[at + 3]) }

    func parse() throws -> PDU {
        switch type {
        case .associateRQ, .associateAC:
            return try parseAssociate()
        case .associateRJ:
            try expectLength(4)
            guard let result = AAssociateRJ.Result(rawValue: body[1]) else { throw fail(1, "result \(body[1]) is not 1 or 2") }
            guard let source = AAssociateRJ.Source(rawValue: body[2]) else { throw fail(2, "source \(body[2]) is not 1, 2 or 3") }
            return .associateRJ(AAssociateRJ(result: result, source: source, reason: body[3]))
        case .dataTF:
            return .data(try parseData())
        case .releaseRQ:
            try expectLength(4)
            return .releaseRQ
        case .releaseRP:
            try expectLength(4)
            return .releaseRP
        case .abort:
            try expectLength(4)
            guard let source = AAbort.Source(rawValue: body[2]) else { throw fail(2, "abort source \(body[2]) is not 0 or 2") }
            // Reasons are only significant for a provider abort; unknown ones read as "not specified".
            return .abort(AAbort(source: source, reason: AAbort.Reason(rawValue: body[3]) ?? .notSpecified))
        }
    }

    func expectLength(_ n: Int) throws {
        if body.count != n { throw fail(-4, "length \(body.count), expected \(n)") }
    }

    func parseData() throws -> PDataTF {
        var values: [PresentationDataValue] = []
        var p = 0
        while p < body.count {
            guard p + 4 <= body.count else { throw fail(p, "PDV item length runs past the PDU") }
            let length = Int(u32(p))
            guard length >= 2 else { throw fail(p, "PDV item length \(length) is less than 2") }
            guard length <= body.count - p - 4 else { throw fail(p, "PDV item of \(length) bytes runs past the PDU") }
            let id = body[p + 4], header = body[p + 5]
            guard id & 1 == 1 else { throw fail(p + 4, "presentation context ID \(id) is not odd") }
            guard header & 0xFC == 0 else { throw fail(p + 5, "message control header 0x\(String(header, radix: 16)) has reserved bits set") }
            values.append(PresentationDataValue(presentationContextID: id, isCommand: header & 1 != 0, isLast: header & 2 != 0,
                                                fragment: Array(body[(p + 6)..<(p + 4 + length)])))
            p += 4 + length
        }
        if values.isEmpty { throw fail(0, "no presentation data value") }
        return PDataTF(values)
    }

    /// Items of a variable field: (type, offset of value, value length), each checked to end inside `range`.
    func items(in range: Range<Int>) throws -> [(type: UInt8, at: Int, length: Int)] {
        var out: [(UInt8, Int, Int)] = []
        var p = range.lowerBound
        while p < range.upperBound {
            guard p + 4 <= range.upperBound else { throw fail(p, "item header runs past its container") }
            let length = Int(u16(p + 2))
            guard p + 4 + length <= range.upperBound else {
                throw fail(p, "item 0x\(String(body[p], radix: 16, uppercase: true)) of \(length) bytes runs past its container")
            }
            out.append((body[p], p + 4, length))
            p += 4 + length
        }
        return out
    }

    func string(_ at: Int, _ length: Int) -> String {
        var bytes = Array(body[at..<(at + length)])
        while let last = bytes.last, last == 0 || last == 0x20 { bytes.removeLast() }
        while let first = bytes.first, first == 0x20 { bytes.removeFirst() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A 16-byte AE title field, each byte read as one character (ISO 8859-1), so that a title
    /// with bytes outside ASCII (which the standard does not allow, but peers send) is kept byte for
    /// byte instead of growing past 16 bytes when written back.
    func aeTitle(_ at: Int) -> String {
        var bytes = Array(body[at..<(at + 16)])
        while let last = bytes.last, last == 0 || last == 0x20 { bytes.removeLast() }
        while let first = bytes.first, first == 0x20 { bytes.removeFirst() }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    func parseAssociate() throws -> PDU {
        guard body.count >= 68 else { throw fail(0, "fixed fields need 68 bytes, have \(body.count)") }
        let version = u16(0)
        let called = aeTitle(4), calling = aeTitle(20)
        var applicationContext: String?
        var proposals: [PresentationContextProposal] = []
        var results: [PresentationContextResult] = []
        var user: UserInformation?
        let isRQ = type == .associateRQ
        for item in try items(in: 68..<body.count) {
            if user != nil { throw fail(item.at - 4, "item 0x\(String(item.type, radix: 16, uppercase: true)) after the user information item") }
            switch item.type {
            case 0x10:
                guard applicationContext == nil else { throw fail(item.at - 4, "second application context item") }
                applicationContext = string(item.at, item.length)
            case 0x20 where isRQ, 0x21 where !isRQ:
                guard applicationContext != nil else { throw fail(item.at - 4, "presentation context before the application context") }
                guard item.length >= 4 else { throw fail(item.at - 4, "presentation context item of \(item.length) bytes") }
                let id = body[item.at]
                guard id & 1 == 1 else { throw fail(item.at, "presentation context ID \(id) is not odd") }
                let subs = try items(in: (item.at + 4)..<(item.at + item.length))
                if isRQ {
                    var abstract: String?
                    var syntaxes: [String] = []
                    for s in subs {
                        switch s.type {
                        case 0x30 where abstract == nil && syntaxes.isEmpty: abstract = string(s.at, s.length)
                        case 0x40 where abstract != nil: syntaxes.append(string(s.at, s.length))
                        default: throw fail(s.at - 4, "sub-item 0x\(String(s.type, radix: 16, uppercase: true)) out of place in presentation context \(id)")
                        }
                    }
                    guard let abstract, !syntaxes.isEmpty else { throw fail(item.at, "presentation context \(id) lacks an abstract or transfer syntax") }
                    proposals.append(PresentationContextProposal(id: id, abstractSyntax: abstract, transferSyntaxes: syntaxes))
                } else {
                    guard let result = PresentationContextResult.Result(rawValue: body[item.at + 2]) else {
                        throw fail(item.at + 2, "presentation context result \(body[item.at + 2])")
                    }
                    var syntax: String?
                    for s in subs {
                        guard s.type == 0x40, syntax == nil else {
                            throw fail(s.at - 4, "sub-item 0x\(String(s.type, radix: 16, uppercase: true)) out of place in presentation context \(id)")
                        }
                        syntax = string(s.at, s.length)
                    }
                    // A rejected context may omit the transfer syntax sub-item.
                    if syntax == nil, result == .acceptance { throw fail(item.at, "accepted presentation context \(id) has no transfer syntax") }
                    results.append(PresentationContextResult(id: id, result: result, transferSyntax: syntax ?? ""))
                }
            case 0x50:
                guard applicationContext != nil else { throw fail(item.at - 4, "user information before the application context") }
                user = try parseUserInformation(item.at..<(item.at + item.length))
            default:
                throw fail(item.at - 4, "item 0x\(String(item.type, radix: 16, uppercase: true)) out of place in \(type.name)")
            }
        }
        guard let applicationContext else { throw fail(68, "no application context item") }
        guard let user else { throw fail(body.count, "no user information item") }
        if isRQ {
            guard !proposals.isEmpty else { throw fail(68, "no presentation context proposed") }
            return .associateRQ(AAssociateRQ(calledAETitle: called, callingAETitle: calling, presentationContexts: proposals,
                                             userInformation: user, applicationContextName: applicationContext, protocolVersion: version))
        }
        return .associateAC(AAssociateAC(calledAETitle: called, callingAETitle: calling, presentationContexts: results,
                                         userInformation: user, applicationContextName: applicationContext, protocolVersion: version))
    }

    func parseUserInformation(_ range: Range<Int>) throws -> UserInformation {
        var u = UserInformation()
        for s in try items(in: range) {
            let at = s.at, n = s.length
            switch s.type {
            case 0x51:
                guard n == 4 else { throw fail(at - 4, "maximum length item of \(n) bytes, expected 4") }
                u.maximumLength = u32(at)
            case 0x52: u.implementationClassUID = string(at, n)
            case 0x53:
                guard n == 4 else { throw fail(at - 4, "asynchronous operations window item of \(n) bytes, expected 4") }
                u.asynchronousOperationsWindow = AsynchronousOperationsWindow(maximumInvoked: u16(at), maximumPerformed: u16(at + 2))
            case 0x54:
                guard n >= 2 else { throw fail(at - 4, "role selection item of \(n) bytes") }
                let uidLength = Int(u16(at))
                guard uidLength + 4 == n else { throw fail(at, "role selection UID length \(uidLength) does not fit the item's \(n) bytes") }
                u.roleSelections.append(RoleSelection(sopClassUID: string(at + 2, uidLength),
                                                      scuRole: body[at + 2 + uidLength] != 0, scpRole: body[at + 3 + uidLength] != 0))
            case 0x55: u.implementationVersionName = string(at, n)
            case 0x58:
                guard n >= 6, let type = UserIdentityRequest.IdentityType(rawValue: body[at]) else {
                    throw fail(at - 4, "user identity item of \(n) bytes or unknown identity type")
                }
                let primary = Int(u16(at + 2))
                guard 4 + primary + 2 <= n else { throw fail(at + 2, "user identity primary field runs past the item") }
                let secondary = Int(u16(at + 4 + primary))
                guard 6 + primary + secondary == n else { throw fail(at + 4 + primary, "user identity secondary field does not fit the item") }
                u.userIdentityRequest = UserIdentityRequest(type: type, positiveResponseRequested: body[at + 1] != 0,
                                                            primaryField: Array(body[(at + 4)..<(at + 4 + primary)]),
                                                            secondaryField: Array(body[(at + 6 + primary)..<(at + 6 + primary + secondary)]))
            case 0x59:
                guard n >= 2, Int(u16(at)) + 2 == n else { throw fail(at - 4, "user identity response length does not fit the item") }
                u.userIdentityResponse = Array(body[(at + 2)..<(at + n)])
            default:
                u.otherItems.append(RawItem(type: s.type, value: Array(body[at..<(at + n)])))
            }
        }
        return u
    }
}
