import Foundation
@testable import CMRCLI

/// Runs cmr in-process against memory streams.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

func runCLI(_ arguments: [String], environment: [String: String] = [:], terminal: Terminal = .none,
            stdin: String = "", root: any CLICommand.Type = RootCommand.self) -> CLIResult {
    let streams = StandardStreams.memory(input: Array(stdin.utf8))
    let status = CMRCLI.run(arguments, environment: environment, terminal: terminal, streams: streams, root: root)
    return CLIResult(status: status, stdout: streams.output.capturedText, stderr: streams.error.capturedText)
}

/// The repository root: the folder above `Tests/` that holds `Package.swift`.
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        url = url.deletingLastPathComponent()
    }
    fatalError("no Package.swift above \(#filePath)")
}()

/// Runs a program and collects its output.
func runProcess(_ executable: String, _ arguments: [String], stdin: String? = nil,
                environment: [String: String]? = nil, currentDirectory: URL? = nil) throws -> CLIResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes to the end before waiting, so a full pipe cannot block the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let errData = Box()
    let group = DispatchGroup()
    let errHandle = err.fileHandleForReading
    DispatchQueue.global().async(group: group) { errData.data = errHandle.readDataToEndOfFile() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData.data, as: UTF8.self))
}

/// The path of a program on PATH, or nil.
func which(_ name: String) -> String? {
    for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}
