/// What a shell should offer for an option's value or a positional argument.
public enum ValueCompletion: Sendable, Equatable {
    /// Nothing to offer: a free value (a number, a keyword).
    case none
    /// Paths of files (and folders on the way to them).
    case file
    /// Paths of folders.
    case directory
    /// A fixed list; the scanner rejects other values with a suggestion.
    case choices([String])
    /// The names of cmr's commands (for `cmr help COMMAND`).
    case commandNames

    var choices: [String]? {
        if case .choices(let list) = self { return list }
        return nil
    }
}
