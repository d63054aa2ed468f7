/// A point cached for addition: (Y + X, Y − X, Z, 2d·T) of its extended coordinates, which
/// saves work when the same point is added many times.
struct ProjectiveNielsPoint {
    var yPlusX: FieldElement
    var yMinusX: FieldElement
    var z: FieldElement
    var t2d: FieldElement
}
