extension PDU {
    /// The PDU with its 6-byte header, as sent on the wire.
    public func encoded() -> [UInt8] {
        var body: [UInt8] = []
        switch self {
        case .associateRQ(let rq):
            body.appendAssociateHeader(version: rq.protocolVersion, called: rq.calledAETitle, calling: rq.callingAETitle)
            body.appendItem(0x10, Array(rq.applicationContextName.utf8))
            for pc in rq.presentationContexts {
                var v: [UInt8] = [pc.id, 0, 0, 0]
                v.appendItem(0x30, Array(pc.abstractSyntax.utf8))
                for ts in pc.transferSyntaxes { v.appendItem(0x40, Array(ts.utf8)) }
                body.appendItem(0x20, v)
            }
            body.appendItem(0x50, rq.userInformation.encodedSubItems())
        case .associateAC(let ac):
            body.appendAssociateHeader(version: ac.protocolVersion, called: ac.calledAETitle, calling: ac.callingAETitle)
            body.appendItem(0x10, Array(ac.applicationContextName.utf8))
            for pc in ac.presentationContexts {
                var v: [UInt8] = [pc.id, 0, pc.result.rawValue, 0]
                v.appendItem(0x40, Array(pc.transferSyntax.utf8))
                body.appendItem(0x21, v)
            }
            body.appendItem(0x50, ac.userInformation.encodedSubItems())
        case .associateRJ(let rj):
            body = [0, rj.result.rawValue, rj.source.rawValue, rj.reason]
        case .data(let pdata):
            for pdv in pdata.values {
                body.appendUInt32(UInt32(pdv.fragment.count + 2))
                body.append(pdv.presentationContextID)
                body.append(pdv.controlHeader)
                body.append(contentsOf: pdv.fragment)
            }
        case .releaseRQ, .releaseRP:
            body = [0, 0, 0, 0]
        case .abort(let a):
            body = [0, 0, a.source.rawValue, a.reason.rawValue]
        }
        var out: [UInt8] = [type.rawValue, 0]
        out.reserveCapacity(6 + body.count)
        out.appendUInt32(UInt32(body.count))
        out.append(contentsOf: body)
        return out
    }

    /// The 12 bytes before a single-PDV P-DATA-TF's fragment: PDU header, PDV length, context ID,
    /// control header. Sent together with the fragment in one gathered write.
    public static func dataHeader(presentationContextID: UInt8, isCommand: Bool, isLast: Bool, fragmentLength: Int) -> [UInt8] {
        var h: [UInt8] = [PDUType.dataTF.rawValue, 0]
        h.reserveCapacity(12)
        h.appendUInt32(UInt32(fragmentLength + 6))
        h.appendUInt32(UInt32(fragmentLength + 2))
        h.append(presentationContextID)
        h.append((isCommand ? 1 : 0) | (isLast ? 2 : 0))
        return h
    }
}

extension UserInformation {
    func encodedSubItems() -> [UInt8] {
        var v: [UInt8] = []
        if let maximumLength {
            var m: [UInt8] = []
            m.appendUInt32(maximumLength)
            v.appendItem(0x51, m)
        }
        if let implementationClassUID { v.appendItem(0x52, Array(implementationClassUID.utf8)) }
        if let w = asynchronousOperationsWindow {
            var m: [UInt8] = []
            m.appendUInt16(w.maximumInvoked)
            m.appendUInt16(w.maximumPerformed)
            v.appendItem(0x53, m)
        }
        for r in roleSelections {
            var m: [UInt8] = []
            let uid = Array(r.sopClassUID.utf8)
            m.appendUInt16(UInt16(uid.count))
            m.append(contentsOf: uid)
            m.append(r.scuRole ? 1 : 0)
            m.append(r.scpRole ? 1 : 0)
            v.appendItem(0x54, m)
        }
        if let implementationVersionName { v.appendItem(0x55, Array(implementationVersionName.utf8)) }
        for item in otherItems { v.appendItem(item.type, item.value) }
        if let u = userIdentityRequest {
            var m: [UInt8] = [u.type.rawValue, u.positiveResponseRequested ? 1 : 0]
            m.appendUInt16(UInt16(u.primaryField.count))
            m.append(contentsOf: u.primaryField)
            m.appendUInt16(UInt16(u.secondaryField.count))
            m.append(contentsOf: u.secondaryField)
            v.appendItem(0x58, m)
        }
        if let r = userIdentityResponse {
            var m: [UInt8] = []
            m.appendUInt16(UInt16(r.count))
            m.append(contentsOf: r)
            v.appendItem(0x59, m)
        }
        return v
    }
}

extension [UInt8] {
    mutating func appendUInt16(_ v: UInt16) {
        append(UInt8(v >> 8))
        append(UInt8(v & 0xFF))
    }

    mutating func appendUInt32(_ v: UInt32) {
        append(UInt8(v >> 24))
        append(UInt8((v >> 16) & 0xFF))
        append(UInt8((v >> 8) & 0xFF))
        append(UInt8(v & 0xFF))
    }

    /// An item: type, reserved byte, 2-byte big-endian length, value.
    mutating func appendItem(_ type: UInt8, _ value: [UInt8]) {
        append(type)
        append(0)
        appendUInt16(UInt16(value.count))
        append(contentsOf: value)
    }

    /// Protocol version, reserved, called and calling AE titles (16 bytes, space padded), 32 reserved bytes.
    mutating func appendAssociateHeader(version: UInt16, called: String, calling: String) {
        appendUInt16(version)
        append(contentsOf: [0, 0])
        append(contentsOf: aeTitleField(called))
        append(contentsOf: aeTitleField(calling))
        append(contentsOf: [UInt8](repeating: 0, count: 32))
    }
}

/// The 16-byte field of an AE title: one byte per character (ISO 8859-1; others become '?'),
/// the reverse of the decoder's reading, padded with spaces.
func aeTitleField(_ title: String) -> [UInt8] {
    var b = Array(title.unicodeScalars.prefix(16).map { $0.value <= 0xFF ? UInt8($0.value) : 0x3F })
    while b.count < 16 { b.append(0x20) }
    return b
}
