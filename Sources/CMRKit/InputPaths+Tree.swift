import Foundation
import DICOMCoding

/// Inputs with the names they keep under an output folder, as `cmr deidentify` and `cmr render`
/// mirror the input tree: a file argument by its own name, a folder argument by its own name and
/// the paths inside it (".", ".." and "/" have no name to keep), a path from stdin as given,
/// without leading "/", "./" and "../".
extension InputPaths {
    public struct TreeEntry: Sendable, Equatable {
        public var path: String
        /// The name under an output folder.
        public var treeName: String
        /// Named by the user (a file argument or a path from stdin), not found in a folder.
        public var named: Bool
    }

    /// Expands `arguments` like `expand`, giving each file its name in the mirrored tree.
    public func expandTree(_ arguments: [String], readStdin: () -> [UInt8]) -> (files: [TreeEntry], missing: [CMRError]) {
        var files: [TreeEntry] = []
        var missing: [CMRError] = []
        var stdinUsed = false
        for argument in arguments {
            if argument == "-" {
                guard !stdinUsed else { continue }
                stdinUsed = true
                let data = readStdin()
                for line in data.split(separator: nulSeparated ? 0 : 0x0A, omittingEmptySubsequences: true) {
                    var path = String(decoding: line, as: UTF8.self)
                    if !nulSeparated, path.hasSuffix("\r") { path.removeLast() }
                    guard !path.isEmpty else { continue }
                    addTree(path, named: Self.strippedRelative(path), into: &files, missing: &missing)
                }
                continue
            }
            addTree(argument, named: nil, into: &files, missing: &missing)
        }
        return (files, missing)
    }

    private func addTree(_ path: String, named relative: String?, into files: inout [TreeEntry], missing: inout [CMRError]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            missing.append(CMRError(.inputMissing, "\(path): no such file or directory"))
            return
        }
        if !isDirectory.boolValue {
            files.append(TreeEntry(path: path, treeName: relative ?? FilePath.name(of: path), named: true))
            return
        }
        let own = FilePath.name(of: path)
        let base = relative ?? ([".", "..", "/", ""].contains(own) ? "" : own)
        InputPaths.walk(path, recursive: recursive) { file in
            var inside = String(file.dropFirst(path.count))
            while inside.hasPrefix("/") { inside.removeFirst() }
            files.append(TreeEntry(path: file, treeName: base.isEmpty ? inside : base + "/" + inside, named: false))
        }
    }

    /// A path from stdin as an output name: without leading "/", "./" and "../".
    public static func strippedRelative(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." && $0 != ".." && !$0.isEmpty }
        return parts.joined(separator: "/")
    }
}
