/// Walks the visible commands of the spec tree, for the renderers.
enum CommandTree {
    struct Node {
        /// `["cmr", "inspect"]`.
        var path: [String]
        var types: [any CLICommand.Type]
        var spec: CommandSpec

        var name: String { path.joined(separator: " ") }
    }

    /// The root and every command under it that is not hidden, depth first, in registry order.
    static func visibleNodes(from root: any CLICommand.Type) -> [Node] {
        var nodes: [Node] = []
        func visit(_ types: [any CLICommand.Type]) {
            let spec = types[types.count - 1].spec
            nodes.append(Node(path: types.map { $0.spec.name }, types: types, spec: spec))
            for sub in spec.visibleSubcommands { visit(types + [sub]) }
        }
        visit([root])
        return nodes
    }

    /// The first clause of `help` (up to `. ` or `; `), without its full stop, for completion menus.
    static func brief(_ help: String) -> String {
        var text = help
        for separator in [". ", "; "] {
            if let end = text.range(of: separator) { text = String(text[..<end.lowerBound]) }
        }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
