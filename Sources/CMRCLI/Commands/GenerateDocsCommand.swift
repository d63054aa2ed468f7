import CMRKit
import Foundation

/// `cmr _generate-docs` (hidden): writes the man pages and completion scripts rendered from the
/// spec tree into a repository, or checks that its copies are current. `scripts/generate-docs`
/// runs it.
enum GenerateDocsCommand: CLICommand {
    static var spec: CommandSpec {
        CommandSpec(
            name: "_generate-docs",
            abstract: "Write the man pages and completion scripts rendered from the command specs",
            discussion: "Writes completions/ and docs/man/ under DIR, removing man pages of commands that no longer exist.",
            options: [
                .value("out", valueName: "DIR", help: "The repository to write into.", completion: .directory, default: "."),
                .flag("check", help: "Write nothing; list the files that are not current and exit with 1 if any."),
            ],
            isHidden: true
        )
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        let root = URL(fileURLWithPath: invocation.value("out") ?? ".")
        let documents = GeneratedDocuments.render()
        let manFolder = root.appendingPathComponent(GeneratedDocuments.manFolder)
        let expectedManPages = Set(documents.map(\.path).filter { $0.hasPrefix(GeneratedDocuments.manFolder + "/") }
            .map { String($0.dropFirst(GeneratedDocuments.manFolder.count + 1)) })
        let staleManPages = ((try? FileManager.default.contentsOfDirectory(atPath: manFolder.path)) ?? [])
            .filter { $0.hasPrefix("cmr") && $0.hasSuffix(".1") && !expectedManPages.contains($0) }
            .sorted()

        if invocation.flag("check") {
            var outdated = 0
            for document in documents {
                let url = root.appendingPathComponent(document.path)
                let current = try? String(contentsOf: url, encoding: .utf8)
                if current != document.contents {
                    invocation.output.line(document.path)
                    outdated += 1
                }
            }
            for name in staleManPages {
                invocation.output.line(GeneratedDocuments.manFolder + "/" + name)
                outdated += 1
            }
            if outdated > 0 {
                invocation.diagnostics.error("\(outdated) generated file(s) are not current", hint: "run scripts/generate-docs")
                return 1
            }
            return 0
        }

        for document in documents {
            let url = root.appendingPathComponent(document.path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(document.contents.utf8).write(to: url, options: .atomic)
            } catch {
                throw CMRError(.cannotCreateOutput, "\(url.path): \(error.localizedDescription)")
            }
            invocation.diagnostics.verbose("wrote \(document.path)")
        }
        for name in staleManPages {
            try? FileManager.default.removeItem(at: manFolder.appendingPathComponent(name))
            invocation.diagnostics.note("removed \(GeneratedDocuments.manFolder)/\(name)")
        }
        return 0
    }
}
