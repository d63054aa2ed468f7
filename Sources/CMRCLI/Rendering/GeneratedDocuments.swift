/// Every file rendered from the spec tree that the repository keeps: completions and man pages,
/// by path relative to the repository root.
enum GeneratedDocuments {
    struct Document: Equatable {
        var path: String
        var contents: String
    }

    static let manFolder = "docs/man"

    static func render(root: any CLICommand.Type = RootCommand.self) -> [Document] {
        var documents = [
            Document(path: "completions/cmr.bash", contents: BashCompletionRenderer().render(root)),
            Document(path: "completions/_cmr", contents: ZshCompletionRenderer().render(root)),
            Document(path: "completions/cmr.fish", contents: FishCompletionRenderer().render(root)),
        ]
        let renderer = ManPageRenderer()
        for node in CommandTree.visibleNodes(from: root) {
            documents.append(Document(path: manFolder + "/" + ManPageRenderer.fileName(for: node.path),
                                      contents: renderer.render(node)))
        }
        return documents
    }
}
