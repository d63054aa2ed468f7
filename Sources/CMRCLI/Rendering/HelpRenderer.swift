/// Renders `--help` and `cmr help` text from the spec tree.
struct HelpRenderer {
    var width: Int

    /// Help for the last command of `path` (root first).
    func help(for path: [any CLICommand.Type]) -> String {
        let name = path.map { $0.spec.name }.joined(separator: " ")
        let spec = path[path.count - 1].spec
        return path.count == 1 ? rootHelp(spec) : commandHelp(spec, name: name)
    }

    /// `cmr inspect [OPTIONS] FILE|DIR|-...`.
    static func usage(of spec: CommandSpec, path: String) -> String {
        if path == RootCommand.spec.name {
            return "cmr [--version] [-h | --help] [-q | -v] [--no-color] COMMAND [ARGS...]"
        }
        var parts = [path, "[OPTIONS]"]
        if !spec.subcommands.isEmpty { parts.append("COMMAND") }
        parts += spec.positionals.map(\.usage)
        return parts.joined(separator: " ")
    }

    // MARK: - pages

    private func commandHelp(_ spec: CommandSpec, name: String) -> String {
        var out = spec.abstract + "\n\n"
        out += "Usage: " + TextLayout.fill(Self.usage(of: spec, path: name), width: width, indent: 7, firstIndent: 7) + "\n"
        if !spec.discussion.isEmpty { out += "\n" + TextLayout.wrap(spec.discussion, width: width, indent: 0) + "\n" }
        if !spec.visibleSubcommands.isEmpty {
            out += "\nCommands:\n" + table(spec.visibleSubcommands.map { Row(label: $0.spec.name, text: $0.spec.abstract) })
        }
        if !spec.positionals.isEmpty {
            out += "\nArguments:\n" + table(spec.positionals.map { Row(label: $0.usage, text: $0.fullHelp) })
        }
        let own = spec.visibleOptions
        if !own.isEmpty { out += "\nOptions:\n" + optionTable(own) }
        out += "\nGlobal options:\n" + optionTable(OptionSpec.globalOptions)
        if !spec.examples.isEmpty {
            out += "\nExamples:\n"
            out += spec.examples.map { example in
                "  " + example.command + "\n" + TextLayout.wrap(example.explanation, width: width, indent: 6) + "\n"
            }.joined()
        }
        if !spec.exitStatuses.isEmpty {
            out += "\nExit status:\n" + table(spec.exitStatuses.map { Row(label: String($0.status), text: $0.meaning) })
        }
        return out
    }

    private func rootHelp(_ spec: CommandSpec) -> String {
        var out = spec.abstract + "\n\n"
        out += "Usage: " + TextLayout.fill(Self.usage(of: spec, path: spec.name), width: width, indent: 7, firstIndent: 7) + "\n"
        if !spec.discussion.isEmpty { out += "\n" + TextLayout.wrap(spec.discussion, width: width, indent: 0) + "\n" }
        let commands: [CommandSpec] = spec.visibleSubcommands.map { $0.spec }
        let nameWidth = commands.reduce(0) { max($0, $1.name.count) } + 2
        for category in CommandCategory.ordered(commands.map { $0.category }) {
            out += "\n" + category.title + ":\n"
            let rows: [Row] = commands.filter { $0.category == category }.map { Row(label: $0.name, text: $0.abstract) }
            out += table(rows, labelWidth: nameWidth)
        }
        out += "\nOptions:\n" + optionTable(spec.visibleOptions + OptionSpec.globalOptions)
        out += "\n" + TextLayout.wrap(
            "Run 'cmr help COMMAND' or 'cmr COMMAND --help' for a command's options and examples, "
                + "and 'man cmr-COMMAND' for its manual page.", width: width, indent: 0) + "\n"
        return out
    }

    // MARK: - tables

    private struct Row {
        var label: String
        var text: String
    }

    private func optionTable(_ options: [OptionSpec]) -> String {
        let anyShort = options.contains { $0.short != nil }
        return table(options.map { option in
            let label = option.helpLabel
            return Row(label: option.short == nil && anyShort ? "    " + label : label, text: option.fullHelp)
        })
    }

    /// Two columns: labels indented by 2, texts aligned after the longest label (up to 28
    /// columns; a longer label puts its text on the next line).
    private func table(_ rows: [Row], labelWidth: Int? = nil) -> String {
        let fitting = rows.map { $0.label.count }.filter { $0 <= 26 }
        let column = 2 + (labelWidth ?? ((fitting.max() ?? 0) + 2))
        var out = ""
        for row in rows {
            let text = TextLayout.fill(row.text, width: width, indent: column, firstIndent: column)
            if 2 + row.label.count + 2 > column {
                out += "  " + row.label + "\n" + String(repeating: " ", count: column) + text + "\n"
            } else {
                out += "  " + row.label + String(repeating: " ", count: column - 2 - row.label.count) + text + "\n"
            }
        }
        return out
    }
}
