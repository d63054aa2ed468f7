/// A point with Z = 1 cached for addition: (y + x, y − x, 2d·x·y). The precomputed multiples of
/// the base point are kept in this form.
struct AffineNielsPoint {
    var yPlusX: FieldElement
    var yMinusX: FieldElement
    var xy2d: FieldElement

    /// The neutral element (0, 1).
    static let identity = AffineNielsPoint(yPlusX: .one, yMinusX: .one, xy2d: .zero)

    /// −P: swap y + x and y − x, negate 2d·x·y.
    var negated: AffineNielsPoint {
        AffineNielsPoint(yPlusX: yMinusX, yMinusX: yPlusX, xy2d: -xy2d)
    }

    /// Replaces self with `other` where `mask` is all ones; leaves it where `mask` is zero.
    @inline(__always)
    mutating func conditionalAssign(_ other: AffineNielsPoint, mask: UInt64) {
        yPlusX.conditionalAssign(other.yPlusX, mask: mask)
        yMinusX.conditionalAssign(other.yMinusX, mask: mask)
        xy2d.conditionalAssign(other.xy2d, mask: mask)
    }

    /// The affine forms of `points`, with one field inversion for all of them (Montgomery's trick).
    static func batch(_ points: [EdwardsPoint]) -> [AffineNielsPoint] {
        guard !points.isEmpty else { return [] }
        // prefix[i] = z₀·…·zᵢ
        var prefix: [FieldElement] = []
        prefix.reserveCapacity(points.count)
        var running = FieldElement.one
        for point in points {
            running = running * point.z
            prefix.append(running)
        }
        var inverse = running.inverted()  // (z₀·…·zₙ)⁻¹
        var result = [AffineNielsPoint](repeating: .identity, count: points.count)
        for index in stride(from: points.count - 1, through: 0, by: -1) {
            let zInverse = index > 0 ? inverse * prefix[index - 1] : inverse
            inverse = inverse * points[index].z
            let x = points[index].x * zInverse
            let y = points[index].y * zInverse
            result[index] = AffineNielsPoint(yPlusX: y + x, yMinusX: y - x, xy2d: x * y * .d2)
        }
        return result
    }
}
