import Foundation
import DICOMCore
import DICOMCoding
import DICOMImaging

/// `cmr render`: DICOM frames to PNG files (or one PNG on standard output), on all cores; or one
/// contact sheet of a study. Decodes only the frames asked for; writes atomically, durable in
/// groups; never replaces a file without `overwrite`. Never prints.
public struct RenderOperation: Sendable {
    public let request: RenderRequest

    public init(_ request: RenderRequest) throws(CMRError) {
        if request.output == "-", request.frames == .all {
            throw CMRError(.usage, "--all-frames writes one file per frame; it cannot go to standard output", hint: "name a folder with --out")
        }
        self.request = request
    }

    /// The whole run: a report per input file that was read or failed; `sheet` for a contact sheet.
    public struct Result: Sendable {
        public var reports: [RenderFileReport]
        public var sheet: RenderOutput?
        /// Inputs that do not exist, and problems of the run as a whole (the sheet could not be written).
        public var problems: [CMRError]
        /// Files found in folders and passed over (not DICOM, no pixel data).
        public var skipped: [String]
        public var seconds: Double
        /// The destination resolved from `--out`.
        public var destination: RenderRequest.Destination
    }

    /// Runs the batch; throws only for a command line that cannot work with these inputs
    /// (standard output with more than one frame). `progress(done, total)` is called from workers.
    public func run(readStdin: () -> [UInt8], progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws(CMRError) -> Result {
        let started = DispatchTime.now()
        let (entries, missing) = InputPaths(nulSeparated: request.nulSeparated).expandTree(request.inputs, readStdin: readStdin)
        let destination = try resolveDestination(entries)
        var result = Result(reports: [], sheet: nil, problems: missing, skipped: [], seconds: 0, destination: destination)
        if request.contactSheet {
            renderSheet(entries, into: &result, progress: progress)
        } else {
            let committer = GroupCommit(folder: Self.commitFolder(destination)) { token, error in
                guard let error else { return }
                commitFailures.add(token, error)
            }
            let targets = plannedTargets(entries, destination)
            // One PNG: fsync it and its folder (cheaper than two file-system syncs); many: in groups.
            let single = entries.count == 1 && request.frames != .all
            let reports = parallel(entries.count) { i in
                let r = render(entries[i], targets: targets[i], committer: single ? nil : committer)
                return r
            } progress: { progress($0, entries.count) }
            committer.flush()
            result.reports = applyCommitFailures(reports)
            for (i, r) in result.reports.enumerated().reversed() where r.skipped {
                result.skipped.insert(r.input, at: 0)
                result.reports.remove(at: i)
            }
        }
        result.seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return result
    }

    // MARK: Where outputs go

    func resolveDestination(_ entries: [InputPaths.TreeEntry]) throws(CMRError) -> RenderRequest.Destination {
        let out = request.output
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory)
        if out == "-" {
            if !request.contactSheet {
                if entries.count > 1 {
                    throw CMRError(.usage, "--out - writes one PNG; \(entries.count) files were given", hint: "name a folder with --out, or render one file")
                }
            }
            return .standardOutput
        }
        if request.contactSheet {
            if exists && isDirectory.boolValue || out.hasSuffix("/") {
                throw CMRError(.usage, "--contact-sheet writes one PNG: --out \(out) is a folder", hint: "name the file, e.g. --out sheet.png")
            }
            return .file(out)
        }
        if exists && isDirectory.boolValue || out.hasSuffix("/") { return .folder(out) }
        // One file named as an argument: --out is that PNG (with --all-frames only a name ending
        // in .png, the stem of NAME-0001.png …; another name is a folder to create). Paths read
        // from standard input always go into a folder: their number is not known in advance.
        if entries.count == 1, entries[0].named, !request.inputs.contains("-"), !exists || !isDirectory.boolValue,
           request.frames != .all || out.lowercased().hasSuffix(".png") {
            return .file(out)
        }
        if exists { throw CMRError(.cannotCreateOutput, "\(out): exists and is not a folder", hint: "several files are rendered into a folder: name one") }
        return .folder(out)
    }

    /// The output path of frame `frame` (0-based) of an entry.
    func target(_ entry: InputPaths.TreeEntry, frame: Int, _ destination: RenderRequest.Destination) -> String {
        let suffix = request.frames == .all ? "-" + Self.fourDigits(frame + 1) : ""
        switch destination {
        case .standardOutput:
            return "-"
        case .file(let path):
            guard !suffix.isEmpty else { return path }
            let stem = path.lowercased().hasSuffix(".png") ? String(path.dropLast(4)) : path
            return stem + suffix + ".png"
        case .folder(let folder):
            let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
            return (base.isEmpty ? "" : base + "/") + entry.treeName + suffix + ".png"
        }
    }

    static func fourDigits(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
    }

    /// For each entry, the path its first (or only) frame would be written to when it is the
    /// first entry to claim it; nil when an earlier entry writes the same name.
    func plannedTargets(_ entries: [InputPaths.TreeEntry], _ destination: RenderRequest.Destination) -> [(RenderRequest.Destination, String?)] {
        var seen: [String: String] = [:]
        return entries.map { entry in
            let name = target(entry, frame: 0, destination)
            if name != "-", let first = seen[name] { return (destination, first) }
            seen[name] = entry.path
            return (destination, nil)
        }
    }

    static func commitFolder(_ destination: RenderRequest.Destination) -> String {
        switch destination {
        case .standardOutput: return "."
        case .file(let path): let d = FilePath.directory(of: path); return d.isEmpty ? "." : d
        case .folder(let folder): return folder
        }
    }

    // MARK: One file

    func render(_ entry: InputPaths.TreeEntry, targets: (RenderRequest.Destination, String?), committer: GroupCommit?) -> RenderFileReport {
        var report = RenderFileReport(input: entry.path)
        let (destination, collidesWith) = targets
        if let collidesWith {
            report.error = CMRError(.cannotCreateOutput, "\(entry.path): its output \(target(entry, frame: 0, destination)) is also the output of \(collidesWith); not written")
            return report
        }
        let found: Opened?
        do throws(CMRError) {
            found = try open(entry, report: &report)
        } catch {
            report.error = error
            return report
        }
        guard let opened = found else { return report }
        let indices: [Int]
        switch request.frames {
        case .all: indices = Array(0..<opened.frames.count)
        case .one(let n):
            guard n < opened.frames.count else {
                report.error = CMRError(.usage, "\(entry.path): frame \(n + 1) asked for; the file has \(opened.frames.count)",
                                        hint: "frames are numbered from 1")
                return report
            }
            indices = [n]
        }
        for i in indices {
            let path = target(entry, frame: i, destination)
            if path != "-", !request.overwrite, FileManager.default.fileExists(atPath: path) {
                report.error = CMRError(.cannotCreateOutput, "\(path): already exists", hint: "pass --overwrite to replace it")
                return report
            }
            do throws(CMRError) {
                var output = try renderFrame(opened, index: i, fit: request.size)
                output.output = path
                if path == "-" {
                    report.outputs.append(output)
                    continue
                }
                let png = output.png ?? []
                output.png = nil
                try write(png, to: path, committer: committer)
                report.outputs.append(output)
            } catch {
                report.error = error
                return report
            }
        }
        return report
    }

    /// A file read and its frames found; nil when it was skipped (not DICOM, found in a folder).
    struct Opened {
        var entry: InputPaths.TreeEntry
        var file: DICOMFile
        var frames: PixelDataFrames
    }

    func open(_ entry: InputPaths.TreeEntry, report: inout RenderFileReport) throws(CMRError) -> Opened? {
        let file: DICOMFile
        do {
            file = try DICOMReader.read(contentsOf: entry.path)
        } catch let e as DICOMReadError where !entry.named {
            switch e {
            case .notDICOM, .empty: report.skipped = true; return nil
            default: throw CMRError.reading(entry.path, e)
            }
        } catch {
            throw CMRError.reading(entry.path, error)
        }
        report.read = true
        report.identity = Inspector.Identity(file)
        let ds = file.dataSet
        if !entry.named && ds[.pixelData] == nil && ds[.floatPixelData] == nil && ds[.doubleFloatPixelData] == nil {
            report.skipped = true   // a DICOMDIR, a structured report, …: nothing to render in a folder
            return nil
        }
        do {
            return Opened(entry: entry, file: file, frames: try PixelDataFrames(dataSet: ds, transferSyntax: file.transferSyntax))
        } catch {
            throw Self.imagingError(entry.path, error)
        }
    }

    /// Decodes frame `index` alone, renders it and encodes the PNG (in `png`).
    func renderFrame(_ opened: Opened, index: Int, fit: (width: Int, height: Int)?) throws(CMRError) -> RenderOutput {
        do {
            let native = try opened.frames.frame(index)
            let rendering = try PixelPipeline.render(native, dataSet: opened.file.dataSet, frameIndex: index, options: request.options)
            var image = rendering.image
            if let fit { image = image.downscaled(toFit: fit.width, fit.height) }
            return RenderOutput(input: opened.entry.path, output: "", frame: index + 1, window: rendering.choice.description,
                                width: image.width, height: image.height,
                                transferSyntax: opened.file.transferSyntax.name, frames: opened.frames.count, tiles: nil,
                                png: PNGEncoder.preview.encode(image), image: image)
        } catch {
            throw Self.imagingError(opened.entry.path, error)
        }
    }

    /// Writes `png` atomically: staged with `committer` (durable with its group), or without one
    /// synced and moved into place at once.
    func write(_ png: [UInt8], to path: String, committer: GroupCommit?) throws(CMRError) {
        do {
            let folder = FilePath.directory(of: path)
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            var writer = try AtomicFileWriter(path: path, overwrite: request.overwrite)
            do {
                try png.withUnsafeBytes { try writer.write($0) }
                guard let committer else { return try writer.commit() }
                let temporary = try writer.finishUnsynced()
                committer.stage(GroupCommit.Staged(temporary: temporary, path: path, overwrite: request.overwrite,
                                                   bytes: Int64(png.count), token: commitFailures.token(for: path)))
            } catch {
                writer.abort()
                throw error
            }
        } catch {
            throw CMRError.writing(path, error)
        }
    }

    /// The user-facing form of a decoding or pipeline error: the file, the problem (frame and byte
    /// offset where known), and for an unsupported transfer syntax the workaround as the hint.
    static func imagingError(_ path: String, _ error: Error) -> CMRError {
        guard let e = error as? ImagingError else { return CMRError.reading(path, error) }
        if e.kind == .unsupportedTransferSyntax, let r = e.message.range(of: " is not supported: ") {
            return CMRError(.invalidData, "\(path): " + e.message[..<r.lowerBound] + " is not supported",
                            hint: String(e.message[r.upperBound...]))
        }
        // ImagingError counts frames from 0; users from 1 (as --frame).
        var text = "\(path): "
        if let frame = e.frame { text += "frame \(frame + 1): " }
        text += e.message
        if let offset = e.offset { text += " (byte \(offset) of the encoded frame)" }
        return CMRError(.invalidData, text)
    }

    // MARK: Publishing

    /// Failures the group committer reports after the fact, by token (one per path staged); one per
    /// operation, so runs in one process (a server) never see each other's failures.
    let commitFailures = CommitFailures()

    final class CommitFailures: @unchecked Sendable {
        private let lock = NSLock()
        private var paths: [String] = []
        private var failures: [String: Error] = [:]
        func token(for path: String) -> Int { lock.lock(); defer { lock.unlock() }; paths.append(path); return paths.count - 1 }
        func add(_ token: Int, _ error: Error) { lock.lock(); failures[paths[token]] = error; lock.unlock() }
        func take() -> [String: Error] { lock.lock(); defer { lock.unlock() }; let f = failures; failures = [:]; return f }
    }

    func applyCommitFailures(_ reports: [RenderFileReport]) -> [RenderFileReport] {
        let failures = commitFailures.take()
        guard !failures.isEmpty else { return reports }
        return reports.map { r in
            var r = r
            if let failed = r.outputs.first(where: { failures[$0.output] != nil }) {
                r.error = CMRError.writing(failed.output, failures[failed.output]!)
                r.outputs.removeAll { failures[$0.output] != nil }
            }
            return r
        }
    }

    /// `body(i)` for `0..<count` on `request.jobs` threads (default: one per core), results in order.
    func parallel<T>(_ count: Int, _ body: @escaping (Int) -> T, progress: @escaping @Sendable (Int) -> Void) -> [T] {
        parallelMap(count, jobs: request.jobs, body, progress: progress)
    }
}
