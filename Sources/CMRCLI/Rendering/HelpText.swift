/// Sentences added to help texts from the spec (defaults, choices, repetition), shared by help
/// and man pages so they say the same.
extension OptionSpec {
    var fullHelp: String {
        var text = help
        if isRepeatable { text += " Repeatable." }
        if case .choices(let choices) = completion { text += " One of: \(choices.joined(separator: ", "))." }
        switch kind {
        case .negatableFlag(let on): text += " Default: \(on ? "on" : "off")."
        default: if let defaultValue { text += " Default: \(defaultValue)." }
        }
        return text
    }
}

extension PositionalSpec {
    var fullHelp: String {
        if case .choices(let choices) = completion { return help + " One of: \(choices.joined(separator: ", "))." }
        return help
    }
}
