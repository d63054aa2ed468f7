import XCTest
@testable import CMRCLI

/// The completion scripts checked by the real shells, and the man pages by groff and mandoc.
/// A test is skipped when its program is not installed (scripts/install-test-deps installs
/// them), and fails instead when `CI` is set; mandoc is an extra check, skipped when missing.
final class ShellCompletionTests: XCTestCase {
    private func script(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("completions/" + name).path
    }

    private func tool(_ name: String, requiredInCI: Bool = true) throws -> String {
        guard let path = which(name) else {
            let ci = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "0" } ?? false
            if ci && requiredInCI { XCTFail("\(name) is missing in CI") }
            throw XCTSkip("\(name) is not installed")
        }
        return path
    }

    func testScriptsParse() throws {
        for (shell, file) in [("bash", "cmr.bash"), ("zsh", "_cmr"), ("fish", "cmr.fish")] {
            let result = try runProcess(try tool(shell), ["-n", script(file)])
            XCTAssertEqual(result.status, 0, "\(shell) -n: \(result.stderr)")
            XCTAssertEqual(result.stderr, "", shell)
        }
    }

    /// Sources the bash script and calls `_cmr` as bash would, with COMP_WORDS and COMP_CWORD.
    func testBashOffersCommandsOptionsAndValues() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cmr-bash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("a folder"), withIntermediateDirectories: true)
        try Data().write(to: folder.appendingPathComponent("scan.dcm"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let test = """
            source \(shellQuote(script("cmr.bash")))
            cd \(shellQuote(folder.path))
            t() {
                COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
                COMPREPLY=(); _cmr
                local line="$*" IFS='|'
                echo "$line=>${COMPREPLY[*]}"
            }
            t cmr ''
            t cmr ins
            t cmr -q ''
            t cmr inspect --js
            t cmr inspect --no-r
            t cmr inspect -
            t cmr inspect --json scan.dcm --val
            t cmr inspect ''
            t cmr inspect a
            t cmr inspect --tag ''
            t cmr completion ''
            t cmr completion z
            t cmr help i
            t cmr version --j
            t cmr inspect -- --
            """
        let result = try runProcess(try tool("bash"), ["--norc", "--noprofile", "-c", test])
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.stdout, """
            cmr =>inspect|render|deidentify|key|reidentify|synth|send|pull|query|echo|listen|share|audit|completion|help|version
            cmr ins=>inspect
            cmr -q =>inspect|render|deidentify|key|reidentify|synth|send|pull|query|echo|listen|share|audit|completion|help|version
            cmr inspect --js=>--json
            cmr inspect --no-r=>--no-recursive
            cmr inspect -=>--json|--tag|--summary|--validate|--recursive|--no-recursive|--jobs|--null|--max-value-length|--charset-fallback|--no-bulk|--bulk-data-threshold|--audit-log|--help|--quiet|--verbose|--no-color|-r|-j|-0|-h|-q|-v
            cmr inspect --json scan.dcm --val=>--validate
            cmr inspect =>a folder|scan.dcm
            cmr inspect a=>a folder
            cmr inspect --tag =>
            cmr completion =>bash|zsh|fish
            cmr completion z=>zsh
            cmr help i=>inspect
            cmr version --j=>--json
            cmr inspect -- --=>

            """)
    }

    func testFishOffersCommandsOptionsAndValues() throws {
        let fish = try tool("fish")
        let test = """
            source \(shellQuote(script("cmr.fish")))
            for line in 'cmr ' 'cmr ins' 'cmr inspect --js' 'cmr inspect --no-r' 'cmr completion ' 'cmr help ins' 'cmr help inspect '
                set -l offered (complete -C $line | string replace -r '\\t.*' '' | string join '|')
                echo "$line=>$offered"
            end
            """
        let result = try runProcess(fish, ["--no-config", "-c", test])
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.stdout, """
            cmr =>audit|completion|deidentify|echo|help|inspect|key|listen|pull|query|reidentify|render|send|share|synth|version
            cmr ins=>inspect
            cmr inspect --js=>--json
            cmr inspect --no-r=>--no-recursive
            cmr completion =>bash|fish|zsh
            cmr help ins=>inspect
            cmr help inspect =>

            """)
    }

    /// Drives an interactive zsh through zsh/zpty: types a line and Tab, and reads the screen.
    func testZshCompletesInteractively() throws {
        let zsh = try tool("zsh")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cmr-zsh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(atPath: script("_cmr"), toPath: folder.appendingPathComponent("_cmr").path)
        let driver = """
            setopt extendedglob
            zmodload zsh/zpty
            zpty z 'zsh -f -i'
            zpty -w z 'PS1="> "; fpath=(\(folder.path) $fpath); autoload -U compinit; compinit -u -D; setopt nobeep; echo READY'
            zpty -r z out '*READY*'
            try() {
                zpty -w -n z "$1"$'\\t'
                local got="" chunk deadline=$((SECONDS + 5))
                while (( SECONDS < deadline )); do
                    zpty -r -t z chunk && got+=$chunk
                    [[ ${got//$'\\e'\\[[0-9;?]#[a-zA-Z]/} == *"$2"* ]] && { print -r -- "ok $1"; break }
                    sleep 0.1
                done
                (( SECONDS < deadline )) || print -r -- "missing '$2' after '$1'"
                zpty -w -n z $'\\C-u'
                sleep 0.2
                while zpty -r -t z chunk; do :; done
            }
            try 'cmr ins' 'cmr inspect '
            try 'cmr inspect --js' '--json '
            try 'cmr completion ' 'fish'
            try 'cmr ' 'Show what is inside DICOM files'
            zpty -d z
            """
        let result = try runProcess(zsh, ["-f", "-c", driver])
        XCTAssertEqual(result.stdout, """
            ok cmr ins
            ok cmr inspect --js
            ok cmr completion 
            ok cmr 

            """, result.stderr)
    }

    func testManPagesHaveNoGroffWarnings() throws {
        let groff = try tool("groff")
        for document in GeneratedDocuments.render() where document.path.hasPrefix("docs/man/") {
            let path = repositoryRoot.appendingPathComponent(document.path).path
            let result = try runProcess(groff, ["-man", "-Tutf8", "-ww", "-z", path])
            XCTAssertEqual(result.status, 0, document.path)
            XCTAssertEqual(result.stderr, "", document.path)
        }
    }

    func testManPagesPassMandocLint() throws {
        let mandoc = try tool("mandoc", requiredInCI: false)
        for document in GeneratedDocuments.render() where document.path.hasPrefix("docs/man/") {
            let path = repositoryRoot.appendingPathComponent(document.path).path
            let result = try runProcess(mandoc, ["-Tlint", "-W", "warning", path])
            XCTAssertEqual(result.status, 0, document.path + result.stdout + result.stderr)
        }
    }

    private func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
