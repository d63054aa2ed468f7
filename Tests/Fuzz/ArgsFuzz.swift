// libFuzzer entry for the argument scanner (scripts/fuzz args). Byte 0 picks a command of the tree
// (0: `cmr` itself, then `inspect`, ..., `share create`, ...: CommandLineScan.commandWords); the rest is
// split at NUL into argv words (decoded as CommandLine.arguments decodes them: invalid UTF-8
// repaired) and scanned as `cmr COMMAND... WORDS` through CommandLineScan, the path `cmr` takes
// before it runs a command; nothing runs. (One command per input: a scan under ASan costs about
// a millisecond, as every spec on the way is built, so all ~35 per input ran 30 inputs a second.)
// Invariants: never traps; the status is 0 or 64, with a message for 64; the path reached starts
// with the command words given; `-h`/`--help` before `--` gives help (the scanner's promise);
// what is accepted names only options the command has, with values of their type and choices,
// and reads back the same from its canonical spelling (`--name`, `--no-name`, `--name=value`,
// `--`, positionals).
// Seeds: FUZZ_ARGS_SEEDS=DIR writes argv seeds made from the command tree (every example of every
// help text, each command without one with its required positionals, each command group with
// --help), all under byte 0, into DIR and exits; the committed ones are in Tests/Fuzz/ArgsSeeds/.
#if canImport(Glibc)
import Glibc
#endif
import CMRCLI

let commandWords = CommandLineScan.commandWords

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let prefix = commandWords[Int(data[0]) % commandWords.count]
    // Nothing after byte 0 is no words, not one empty word.
    let argv = size == 1 ? [] : UnsafeBufferPointer(start: data + 1, count: size - 1)
        .split(separator: 0, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
    check(prefix, argv)
    return 0
}

func check(_ prefix: [String], _ argv: [String]) {
    let line = prefix + argv
    let scan = CommandLineScan.scan(line)
    precondition(scan.commandPath.first == "cmr" && Array(scan.commandPath.dropFirst().prefix(prefix.count)) == prefix,
                 "\(line): the path \(scan.commandPath) does not start with the command words")
    guard let spec = CommandLineScan.spec(of: Array(scan.commandPath.dropFirst())) else {
        preconditionFailure("\(line): the path \(scan.commandPath) is not in the tree")
    }
    let optionsPart = line.prefix { $0 != "--" }
    if optionsPart.contains("-h") || optionsPart.contains("--help") {
        precondition(scan.helpRequested && scan.exitStatus == 0,
                     "\(line): -h/--help before '--' gave \(scan.usageError ?? "no help")")
    }
    if scan.exitStatus != 0 {
        precondition(scan.exitStatus == 64 && !(scan.usageError ?? "").isEmpty, "\(line): status \(scan.exitStatus) without a message")
        return
    }
    precondition(scan.usageError == nil, "\(line): status 0 with an error")
    if scan.helpRequested { return }

    // What was accepted fits the spec.
    var canonical = Array(scan.commandPath.dropFirst())
    for (name, on) in scan.flags.sorted(by: { $0.key < $1.key }) {
        guard let option = spec.allOptions.first(where: { $0.name == name }) else {
            preconditionFailure("\(line): flag --\(name) is not an option of \(scan.commandPath)")
        }
        switch option.kind {
        case .flag: precondition(on, "\(line): --\(name) is off but has no negative form")
        case .negatableFlag: break
        case .value, .repeatableValue: preconditionFailure("\(line): --\(name) takes a value but was read as a flag")
        }
        canonical.append(on ? "--\(name)" : "--no-\(name)")
    }
    for (name, given) in scan.values.sorted(by: { $0.key < $1.key }) {
        guard let option = spec.allOptions.first(where: { $0.name == name }) else {
            preconditionFailure("\(line): --\(name) is not an option of \(scan.commandPath)")
        }
        switch option.kind {
        case .value: precondition(given.count == 1, "\(line): --\(name) kept \(given.count) values")
        case .repeatableValue: precondition(!given.isEmpty, "\(line): --\(name) kept no value")
        case .flag, .negatableFlag: preconditionFailure("\(line): flag --\(name) was given a value")
        }
        for value in given {
            if case .integer(let minimum) = option.valueType {
                precondition((Int(value) ?? Int.min) >= minimum, "\(line): --\(name) accepted '\(value)'")
            }
            if case .choices(let choices) = option.completion {
                precondition(choices.contains(value), "\(line): --\(name) accepted '\(value)'")
            }
            canonical.append("--\(name)=\(value)")
        }
    }
    canonical.append("--")
    canonical += scan.positionals
    let again = CommandLineScan.scan(canonical)
    precondition(again == scan, "\(line) and its canonical form \(canonical) read differently: \(again)")
}

// MARK: seeds

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    guard let directory = getenv("FUZZ_ARGS_SEEDS").map({ String(cString: $0) }) else { return 0 }
    var seeds: [String: [String]] = [:]
    for words in commandWords {
        guard let spec = CommandLineScan.spec(of: words) else { continue }
        let name = words.isEmpty ? "cmr" : words.joined(separator: "-")
        for (index, example) in spec.examples.enumerated() {
            for (part, line) in commandLines(in: example.command).enumerated() {
                seeds["\(name)-example\(index + 1)" + (part == 0 ? "" : "-\(part + 1)")] = line
            }
        }
        if !spec.subcommands.isEmpty { seeds[name + "-help"] = words + ["--help"] }
        if spec.examples.isEmpty, !words.isEmpty {
            let required = spec.positionals.filter { $0.arity == .one || $0.arity == .oneOrMore }
            seeds[name] = words + required.map { positional in
                if case .choices(let choices) = positional.completion, let first = choices.first { return first }
                return positional.name.lowercased()
            }
        }
    }
    var seen = Set<[String]>()
    for (name, line) in seeds.sorted(by: { $0.key < $1.key }) where seen.insert(line).inserted {
        let bytes = [0] + Array(line.joined(separator: "\0").utf8)
        let path = directory + "/" + name
        guard let file = fopen(path, "wb"), fwrite(bytes, 1, bytes.count, file) == bytes.count, fclose(file) == 0 else {
            fputs("fuzz-args: cannot write \(path)\n", stderr)
            exit(74)
        }
    }
    fputs("fuzz-args: wrote \(seen.count) seeds to \(directory)\n", stderr)
    exit(0)
}

/// The argv of each `cmr` in a help example: `find ... | cmr inspect -0 -` gives
/// `["inspect", "-0", "-"]`. Words as a POSIX shell splits them (quotes, backslashes); a word
/// starting with a redirection or an operator ends the command.
func commandLines(in example: String) -> [[String]] {
    var words: [String] = []
    var word = ""
    var inWord = false
    var quote: Character?
    var escaped = false
    for character in example {
        if escaped {
            if character != "\n" { word.append(character) }
            escaped = false
        } else if let open = quote {
            if character == open { quote = nil } else { word.append(character) }
        } else if character == "\\" {
            escaped = true
            inWord = true
        } else if character == "'" || character == "\"" {
            quote = character
            inWord = true
        } else if character == " " || character == "\n" || character == "\t" {
            if inWord { words.append(word) }
            word = ""
            inWord = false
        } else {
            word.append(character)
            inWord = true
        }
    }
    if inWord { words.append(word) }
    var lines: [[String]] = []
    var current: [String]?
    for word in words {
        let isOperator = word.drop { $0.isNumber }.first.map { "|&;<>".contains($0) } ?? false
        if isOperator {
            if let line = current { lines.append(line) }
            current = nil
        } else if word == "cmr", current == nil {
            current = []
        } else {
            current?.append(word)
        }
    }
    if let line = current { lines.append(line) }
    return lines
}
