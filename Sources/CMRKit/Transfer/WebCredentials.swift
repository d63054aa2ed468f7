#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import DICOMweb

/// Where a DICOMweb command gets its credentials — never from the command line, where `ps`, shell
/// history and cron logs would show them (docs/transfer.md, "DICOMweb credentials"):
///
/// 1. `--token-file FILE`: a bearer token, the file's first line;
/// 2. `--token-command CMD`: a command (run with `/bin/sh -c`) whose standard output is the token,
///    run again when the server answers 401 (tokens from `gcloud auth print-access-token` expire);
/// 3. `--user-file FILE`: HTTP basic, `user:password` on the first line;
/// 4. `$CMR_TOKEN`: a bearer token;
/// 5. none.
///
/// Secret files must not be readable by group or others (as ssh insists for keys): 77 otherwise.
public struct WebCredentialSource: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case none
        case tokenFile(String)
        case tokenCommand(String)
        case userFile(String)
        case environment(String)
    }

    public let source: Source

    /// Chooses the source; more than one of the options is a usage error.
    public init(tokenFile: String?, tokenCommand: String?, userFile: String?, environment: [String: String]) throws(CMRError) {
        let given = [tokenFile.map { _ in "--token-file" }, tokenCommand.map { _ in "--token-command" }, userFile.map { _ in "--user-file" }].compactMap { $0 }
        guard given.count <= 1 else {
            throw CMRError(.usage, "\(given.joined(separator: " and ")) exclude each other", hint: "give one way to authenticate")
        }
        if let tokenFile { source = .tokenFile(tokenFile) }
        else if let tokenCommand { source = .tokenCommand(tokenCommand) }
        else if let userFile { source = .userFile(userFile) }
        else if let token = environment["CMR_TOKEN"], !token.isEmpty { source = .environment(token) }
        else { source = .none }
    }

    /// Whether asking again may give other credentials (the command is run anew).
    public var canRefresh: Bool { if case .tokenCommand = source { true } else { false } }

    /// The credentials now (runs the command for `--token-command`).
    public func credentials(timeout: Double = 60) throws(CMRError) -> DICOMwebClient.Credentials? {
        switch source {
        case .none:
            return nil
        case .environment(let token):
            return .bearer(token.trimmingCharacters(in: .whitespacesAndNewlines))
        case .tokenFile(let path):
            let line = try Self.firstLine(ofSecretFile: path, option: "--token-file")
            return .bearer(line)
        case .userFile(let path):
            let line = try Self.firstLine(ofSecretFile: path, option: "--user-file")
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw CMRError(.configuration, "\(path): not user:password on its first line", hint: "write one line, user:password, mode 0600")
            }
            return .basic(user: String(line[..<colon]), password: String(line[line.index(after: colon)...]))
        case .tokenCommand(let command):
            return .bearer(try Self.run(command, timeout: timeout))
        }
    }

    static func firstLine(ofSecretFile path: String, option: String) throws(CMRError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CMRError(.inputMissing, "\(path): \(String(cString: strerror(errno)))", hint: "\(option) names a file holding the secret")
        }
        if info.st_mode & 0o077 != 0 {
            throw CMRError(.permissionDenied, "\(path): the secret can be read by others", hint: "chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CMRError(.inputMissing, "\(path): cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !line.isEmpty else { throw CMRError(.configuration, "\(path): empty", hint: "\(option) names a file whose first line is the secret") }
        return line
    }

    /// Runs `command` with `/bin/sh -c`; its trimmed standard output is the token. A non-zero exit,
    /// empty output or a run longer than `timeout` is a configuration error naming the command's status.
    static func run(_ command: String, timeout: Double) throws(CMRError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw CMRError(.configuration, "--token-command: cannot run /bin/sh: \(error.localizedDescription)")
        }
        let done = DispatchSemaphore(value: 0)
        let box = DataBox()
        DispatchQueue.global().async {
            box.data = out.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw CMRError(.configuration, "--token-command did not finish within \(Int(timeout)) s")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CMRError(.configuration, "--token-command exited with status \(process.terminationStatus)", hint: "run it by hand to see why")
        }
        let token = String(decoding: box.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains("\n") else {
            throw CMRError(.configuration, "--token-command printed \(token.isEmpty ? "nothing" : "more than one line")", hint: "it must print the token alone")
        }
        return token
    }
}

private final class DataBox: @unchecked Sendable { var data = Data() }
