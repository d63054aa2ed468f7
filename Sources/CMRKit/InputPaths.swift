import Foundation

/// Turns the paths a user gives (files, folders, `-` for a list on stdin) into the files to
/// work on, in a stable order: arguments in the order given, each folder's files sorted.
public struct InputPaths: Sendable {
    /// A file to process, and whether the user named it (rather than it being found in a folder).
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var named: Bool

        public init(path: String, named: Bool) {
            self.path = path
            self.named = named
        }
    }

    public var recursive: Bool
    /// Separator of paths read from stdin: newline, or NUL with `-0`.
    public var nulSeparated: Bool

    public init(recursive: Bool = true, nulSeparated: Bool = false) {
        self.recursive = recursive
        self.nulSeparated = nulSeparated
    }

    /// Expands `arguments`. `readStdin` supplies stdin's bytes when `-` is given.
    /// Missing inputs are returned as problems, not thrown, so the rest can go on.
    public func expand(_ arguments: [String], readStdin: () -> [UInt8]) -> (files: [Entry], missing: [CMRError]) {
        var files: [Entry] = []
        var missing: [CMRError] = []
        var stdinUsed = false
        for arg in arguments {
            if arg == "-" {
                if stdinUsed { continue }
                stdinUsed = true
                let data = readStdin()
                let sep: UInt8 = nulSeparated ? 0 : 0x0A
                for line in data.split(separator: sep, omittingEmptySubsequences: true) {
                    var s = String(decoding: line, as: UTF8.self)
                    if !nulSeparated, s.hasSuffix("\r") { s.removeLast() }
                    if s.isEmpty { continue }
                    add(s, into: &files, missing: &missing)
                }
            } else {
                add(arg, into: &files, missing: &missing)
            }
        }
        return (files, missing)
    }

    private func add(_ path: String, into files: inout [Entry], missing: inout [CMRError]) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            missing.append(CMRError(.inputMissing, "\(path): no such file or directory"))
            return
        }
        if !isDir.boolValue {
            files.append(Entry(path: path, named: true))
            return
        }
        InputPaths.walk(path, recursive: recursive) { files.append(Entry(path: $0, named: false)) }
    }

    /// Regular files under `folder` (with `recursive`, in its subfolders too, depth first), names
    /// sorted; symbolic links to folders are not followed (no loops), links to files are.
    public static func walk(_ folder: String, recursive: Bool = true, _ visit: (String) -> Void) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        for name in names.sorted() {
            let path = base + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            let type = st.st_mode & S_IFMT
            if type == S_IFDIR {
                if recursive { walk(path, visit) }
            } else if type == S_IFREG {
                visit(path)
            } else if type == S_IFLNK {
                var target = stat()
                if stat(path, &target) == 0, target.st_mode & S_IFMT == S_IFREG { visit(path) }
            }
        }
    }
}
