/// One option of a command: `--json`, `-r/--recursive` with `--no-recursive`, `--tag VALUE`.
public struct OptionSpec: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `--summary`: on when given.
        case flag
        /// `--recursive` / `--no-recursive`, with the value used when neither is given.
        case negatableFlag(default: Bool)
        /// `--out DIR`: takes a value; given twice, the last one counts.
        case value(name: String)
        /// `--tag KEYWORD`: takes a value and may be repeated; all values are kept in order.
        case repeatableValue(name: String)
    }

    /// What a value must look like; checked by the scanner (exit status 64 otherwise).
    public enum ValueType: Sendable, Equatable {
        case string
        /// A whole number no smaller than `minimum`.
        case integer(minimum: Int)
    }

    /// The long name without dashes: `json`, `recursive`, `max-value-length`.
    public var name: String
    public var short: Character?
    public var kind: Kind
    public var help: String
    public var completion: ValueCompletion
    public var valueType: ValueType
    /// Shown in help (`default: 64`); returned by `Invocation.value(_:)` when not given.
    public var defaultValue: String?
    public var isHidden: Bool

    public init(
        _ name: String,
        short: Character? = nil,
        kind: Kind = .flag,
        help: String,
        completion: ValueCompletion = .none,
        valueType: ValueType = .string,
        defaultValue: String? = nil,
        isHidden: Bool = false
    ) {
        self.name = name
        self.short = short
        self.kind = kind
        self.help = help
        self.completion = completion
        self.valueType = valueType
        self.defaultValue = defaultValue
        self.isHidden = isHidden
    }
}

extension OptionSpec {
    /// A flag: `--summary`.
    public static func flag(_ name: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(name, short: short, kind: .flag, help: help)
    }

    /// `--name` and `--no-name`; `short` sets it on.
    public static func negatable(_ name: String, short: Character? = nil, default on: Bool, help: String) -> OptionSpec {
        OptionSpec(name, short: short, kind: .negatableFlag(default: on), help: help)
    }

    /// An option with one value: `--out DIR`.
    public static func value(
        _ name: String, short: Character? = nil, valueName: String, help: String,
        completion: ValueCompletion = .none, type: ValueType = .string, default value: String? = nil
    ) -> OptionSpec {
        OptionSpec(name, short: short, kind: .value(name: valueName), help: help, completion: completion,
                   valueType: type, defaultValue: value)
    }

    /// An option that may be given many times: `--tag KEYWORD --tag KEYWORD`.
    public static func repeatable(
        _ name: String, short: Character? = nil, valueName: String, help: String,
        completion: ValueCompletion = .none, type: ValueType = .string
    ) -> OptionSpec {
        OptionSpec(name, short: short, kind: .repeatableValue(name: valueName), help: help,
                   completion: completion, valueType: type)
    }

    /// `--json`, with what the command writes.
    public static func json(_ help: String) -> OptionSpec {
        .flag("json", help: help)
    }

    /// The options every command accepts.
    public static let globalOptions: [OptionSpec] = [
        .flag("help", short: "h", help: "Show help for this command and exit."),
        .flag("quiet", short: "q", help: "Print no warnings, notes or progress; errors still go to standard error."),
        .flag("verbose", short: "v", help: "Print notes about each step on standard error."),
        .flag("no-color", help: "Never colour diagnostics (colour is used only on a terminal, and never when NO_COLOR is set)."),
    ]

    /// Whether the option takes a value.
    var takesValue: Bool {
        switch kind {
        case .flag, .negatableFlag: return false
        case .value, .repeatableValue: return true
        }
    }

    var valueName: String? {
        switch kind {
        case .flag, .negatableFlag: return nil
        case .value(let name), .repeatableValue(let name): return name
        }
    }

    var isRepeatable: Bool {
        if case .repeatableValue = kind { return true }
        return false
    }

    var isNegatable: Bool {
        if case .negatableFlag = kind { return true }
        return false
    }

    var isGlobal: Bool { OptionSpec.globalOptions.contains { $0.name == name } }

    /// Every long spelling: `--recursive`, `--no-recursive`.
    var longSpellings: [String] {
        isNegatable ? ["--\(name)", "--no-\(name)"] : ["--\(name)"]
    }

    /// As in help: `-r, --recursive`, `--tag KEYWORD|GGGG,EEEE`, `--[no-]recursive`.
    var helpLabel: String {
        var label = short.map { "-\($0), " } ?? ""
        label += isNegatable ? "--[no-]\(name)" : "--\(name)"
        if let value = valueName { label += " \(value)" }
        return label
    }

    /// As in a usage line: `[--tag KEYWORD]...`.
    var usage: String {
        let body = "--\(name)" + (valueName.map { " \($0)" } ?? "")
        return isRepeatable ? "[\(body)]..." : "[\(body)]"
    }
}
