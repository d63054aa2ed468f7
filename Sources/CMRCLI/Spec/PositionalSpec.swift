/// An argument that is not an option, such as `FILE|DIR|-...` or `SHELL`.
public struct PositionalSpec: Sendable, Equatable {
    public enum Arity: Sendable, Equatable {
        case one
        case optional
        case oneOrMore
        case zeroOrMore

        var isRepeating: Bool { self == .oneOrMore || self == .zeroOrMore }
        var isRequired: Bool { self == .one || self == .oneOrMore }
    }

    /// As shown in usage lines: `FILE|DIR|-`, `SHELL`.
    public var name: String
    public var help: String
    public var arity: Arity
    /// What shells complete; `.choices` are also enforced by the scanner.
    public var completion: ValueCompletion

    public init(_ name: String, help: String, arity: Arity = .one, completion: ValueCompletion = .none) {
        self.name = name
        self.help = help
        self.arity = arity
        self.completion = completion
    }

    /// The name as in a usage line: `SHELL`, `[COMMAND...]`, `FILE|DIR|-...`.
    var usage: String {
        switch arity {
        case .one: return name
        case .optional: return "[\(name)]"
        case .oneOrMore: return "\(name)..."
        case .zeroOrMore: return "[\(name)...]"
        }
    }
}
