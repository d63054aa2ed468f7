/// VOI LUT Function (0028,1056): how Window Center and Width map values to output (PS3.3 C.11.2.1.2).
public enum VOILUTFunction: String, Sendable, Equatable, Hashable, CaseIterable {
    case linear = "LINEAR"
    case linearExact = "LINEAR_EXACT"
    case sigmoid = "SIGMOID"

    /// The function a data set names; LINEAR when absent or unknown (as the standard's default).
    public init(attribute: String?) {
        self = attribute.flatMap { VOILUTFunction(rawValue: $0.uppercased()) } ?? .linear
    }
}
