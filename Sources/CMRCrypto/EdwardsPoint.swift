/// A point of edwards25519 (−x² + y² = 1 + d·x²·y²) in extended coordinates (X : Y : Z : T) with
/// x = X/Z, y = Y/Z, x·y = T/Z (Hisil–Wong–Carter–Dawson), as in RFC 8032 §5.1.4.
///
/// The formulas are complete (no exceptional cases), and every operation here runs in time
/// independent of the coordinates; only `init?(decoding:)` and `encoded` branch, on public data.
struct EdwardsPoint {
    var x: FieldElement
    var y: FieldElement
    var z: FieldElement
    var t: FieldElement

    /// The neutral element (0, 1).
    static let identity = EdwardsPoint(x: .zero, y: .one, z: .one, t: .zero)

    /// The base point B of RFC 8032 §5.1: y = 4/5, x positive.
    static let base: EdwardsPoint = {
        var bytes = [UInt8](repeating: 0x66, count: 32)
        bytes[0] = 0x58
        return EdwardsPoint(decoding: bytes)!
    }()

    /// Decodes 32 bytes as in RFC 8032 §5.1.3, rejecting every non-canonical encoding: y ≥ p,
    /// points not on the curve, and x = 0 with the sign bit set. Variable time.
    init?(decoding bytes: [UInt8]) {
        guard bytes.count == 32, FieldElement.isCanonical(bytes) else { return nil }
        let sign = bytes[31] >> 7
        let y = FieldElement(bytes: bytes)
        let yy = y.squared()
        let u = yy - .one                         // y² − 1
        let v = yy * .d + .one                    // d·y² + 1
        // x = u·v³·(u·v⁷)^((p−5)/8), a square root of u/v if one exists.
        let v3 = v.squared() * v
        let v7 = v3.squared() * v
        var x = u * v3 * (u * v7).powPMinus5Over8()
        let vxx = v * x.squared()
        if vxx == u {
            // x is a root.
        } else if vxx == -u {
            x = x * .sqrtMinusOne
        } else {
            return nil
        }
        if x.isZero && sign == 1 { return nil }
        if (x.isNegative ? 1 : 0) != sign { x = -x }
        self.init(x: x, y: y, z: .one, t: x * y)
    }

    init(x: FieldElement, y: FieldElement, z: FieldElement, t: FieldElement) {
        self.x = x
        self.y = y
        self.z = z
        self.t = t
    }

    /// The 32-byte encoding of RFC 8032 §5.1.2: y, with the low bit of x in bit 255.
    var encoded: [UInt8] {
        let zInverse = z.inverted()
        let affineX = x * zInverse
        let affineY = y * zInverse
        var bytes = affineY.encoded
        bytes[31] |= affineX.isNegative ? 0x80 : 0
        return bytes
    }

    /// −P.
    var negated: EdwardsPoint {
        EdwardsPoint(x: -x, y: y, z: z, t: -t)
    }

    /// 2P (RFC 8032 §5.1.4, "dbl-2008-hwcd").
    func doubled() -> EdwardsPoint {
        let a = x.squared()
        let b = y.squared()
        let zz = z.squared()
        let c = zz + zz
        let h = a + b
        let e = h - (x + y).squared()
        let g = a - b
        let f = c + g
        return EdwardsPoint(x: e * f, y: g * h, z: f * g, t: e * h)
    }

    /// P + Q with Q in cached form.
    static func + (p: EdwardsPoint, q: ProjectiveNielsPoint) -> EdwardsPoint {
        let a = (p.y - p.x) * q.yMinusX
        let b = (p.y + p.x) * q.yPlusX
        let c = p.t * q.t2d
        let zz = p.z * q.z
        let d = zz + zz
        return combine(a: a, b: b, c: c, d: d, adding: true)
    }

    /// P − Q with Q in cached form.
    static func - (p: EdwardsPoint, q: ProjectiveNielsPoint) -> EdwardsPoint {
        let a = (p.y - p.x) * q.yPlusX
        let b = (p.y + p.x) * q.yMinusX
        let c = p.t * q.t2d
        let zz = p.z * q.z
        let d = zz + zz
        return combine(a: a, b: b, c: c, d: d, adding: false)
    }

    /// P + Q with Q affine, in cached form.
    static func + (p: EdwardsPoint, q: AffineNielsPoint) -> EdwardsPoint {
        let a = (p.y - p.x) * q.yMinusX
        let b = (p.y + p.x) * q.yPlusX
        let c = p.t * q.xy2d
        let d = p.z + p.z
        return combine(a: a, b: b, c: c, d: d, adding: true)
    }

    /// P − Q with Q affine, in cached form.
    static func - (p: EdwardsPoint, q: AffineNielsPoint) -> EdwardsPoint {
        let a = (p.y - p.x) * q.yPlusX
        let b = (p.y + p.x) * q.yMinusX
        let c = p.t * q.xy2d
        let d = p.z + p.z
        return combine(a: a, b: b, c: c, d: d, adding: false)
    }

    /// The end of "add-2008-hwcd-3": E = B − A, F = D ∓ C, G = D ± C, H = B + A.
    @inline(__always)
    private static func combine(
        a: FieldElement, b: FieldElement, c: FieldElement, d: FieldElement, adding: Bool
    ) -> EdwardsPoint {
        let e = b - a
        let h = b + a
        let f = adding ? d - c : d + c
        let g = adding ? d + c : d - c
        return EdwardsPoint(x: e * f, y: g * h, z: f * g, t: e * h)
    }

    /// P + Q.
    static func + (p: EdwardsPoint, q: EdwardsPoint) -> EdwardsPoint {
        p + q.projectiveNiels
    }

    /// The cached form for repeated additions of this point.
    var projectiveNiels: ProjectiveNielsPoint {
        ProjectiveNielsPoint(yPlusX: y + x, yMinusX: y - x, z: z, t2d: t * .d2)
    }

    /// Whether P and Q are the same point (x₁z₂ = x₂z₁ and y₁z₂ = y₂z₁). Variable time.
    static func == (p: EdwardsPoint, q: EdwardsPoint) -> Bool {
        p.x * q.z == q.x * p.z && p.y * q.z == q.y * p.z
    }
}
