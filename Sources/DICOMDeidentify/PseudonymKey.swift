import CMRCrypto

/// The site key and what is derived from it: replacement UIDs, patient pseudonyms and per-patient
/// date shifts, each under its own HKDF-SHA256 subkey so that no output reveals another's input.
///
/// Deterministic: the same key and the same original value give the same result on any machine, in
/// any order, so datasets split across machines still join.
public struct PseudonymKey: Sendable {
    private let uidKey: [UInt8]
    private let patientKey: [UInt8]
    private let dateKey: [UInt8]
    /// First 8 bytes of SHA-256 of the key, in hex: names the key in reports and audit records
    /// without revealing it.
    public let fingerprint: String

    /// Keys shorter than 32 bytes are refused (the caller reports it).
    public static let minimumByteCount = 32

    public init?(secret: [UInt8]) {
        guard secret.count >= Self.minimumByteCount else { return nil }
        func subkey(_ label: String) -> [UInt8] {
            // Output length 32 is below HKDF's limit, so derive cannot throw here.
            (try? HKDF<SHA256>.derive(inputKeyMaterial: secret, salt: Array("cmr deidentify v1".utf8),
                                     info: Array(label.utf8), outputByteCount: 32)) ?? []
        }
        uidKey = subkey("uid")
        patientKey = subkey("patient")
        dateKey = subkey("date-shift")
        fingerprint = Hex.encode(SHA256.hash(secret).prefix(8))
    }

    /// A fresh random key that is never written anywhere (anonymous mode).
    public static func random() throws -> PseudonymKey {
        let bytes = try SecureRandom.bytes(count: 32)
        return PseudonymKey(secret: bytes)!
    }

    // MARK: UIDs

    /// The replacement for `uid`: `2.25.` followed by the decimal value of a UUID (RFC 9562
    /// version 8, the custom layout) whose 122 free bits are the first bits of HMAC-SHA256(uid).
    public func uid(for uid: String) -> String {
        var h = HMAC<SHA256>.authenticationCode(for: Array(uid.utf8), key: uidKey)
        h[6] = (h[6] & 0x0F) | 0x80   // version 8
        h[8] = (h[8] & 0x3F) | 0x80   // variant 10
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(h[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(h[i]) }
        return "2.25." + Self.decimal(high: high, low: low)
    }

    /// Decimal digits of the 128-bit number high·2⁶⁴ + low.
    static func decimal(high: UInt64, low: UInt64) -> String {
        var high = high, low = low
        var digits: [UInt8] = []
        repeat {
            // Divide the 128-bit value by 10 in two 64-bit steps.
            let (qh, rh) = high.quotientAndRemainder(dividingBy: 10)
            let (ql, rl) = UInt64(10).dividingFullWidth((high: rh, low: low))
            high = qh
            low = ql
            digits.append(UInt8(rl) + 0x30)
        } while high != 0 || low != 0
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    // MARK: Patients

    /// The pseudonym of a patient: 16 characters of RFC 4648 base32 (80 bits) of
    /// HMAC-SHA256(issuer ‖ 0x00 ‖ patient ID), prefixed with "ANON".
    public func patientPseudonym(of patient: PatientIdentity) -> String {
        let code = Self.base32(HMAC<SHA256>.authenticationCode(for: patient.keyBytes, key: patientKey).prefix(10))
        return "ANON" + code
    }

    /// A keyed replacement for a path component that holds identity: 16 base32 characters of
    /// HMAC-SHA256 under the patient subkey of "path" ‖ 0 ‖ the component.
    public func pathName(for component: String) -> String {
        Self.base32(HMAC<SHA256>.authenticationCode(for: Array("path\u{0}".utf8) + Array(component.utf8), key: patientKey).prefix(10))
    }

    /// The number of days this patient's dates move: a whole number of weeks (so weekdays stay),
    /// between 1 and 520 weeks back, from HMAC-SHA256 of the patient under the date subkey.
    public func dateShiftDays(of patient: PatientIdentity) -> Int {
        let h = HMAC<SHA256>.authenticationCode(for: patient.keyBytes, key: dateKey)
        let n = (UInt32(h[0]) << 24 | UInt32(h[1]) << 16 | UInt32(h[2]) << 8 | UInt32(h[3])) % 520
        return -7 * (Int(n) + 1)
    }

    static func base32<C: Collection<UInt8>>(_ bytes: C) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
        var out: [UInt8] = []
        var buffer: UInt32 = 0, bits = 0
        for b in bytes {
            buffer = buffer << 8 | UInt32(b)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int(buffer >> UInt32(bits) & 31)])
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Who a data set belongs to, as far as pseudonyms go: Issuer of Patient ID and Patient ID, or,
/// when the file has no Patient ID, its Study Instance UID (so a study stays together).
public struct PatientIdentity: Sendable, Hashable {
    public var issuer: String
    public var patientID: String
    public var fallbackStudyUID: String?

    public init(issuer: String, patientID: String, fallbackStudyUID: String? = nil) {
        self.issuer = issuer
        self.patientID = patientID
        self.fallbackStudyUID = patientID.isEmpty ? fallbackStudyUID : nil
    }

    var keyBytes: [UInt8] {
        if let study = fallbackStudyUID { return Array("study\u{0}".utf8) + Array(study.utf8) }
        return Array("patient\u{0}".utf8) + Array(issuer.utf8) + [0] + Array(patientID.utf8)
    }
}
