import Foundation
import CMRCrypto
import DICOMCore
import DICOMCoding
import DICOMDeidentify
import DICOMDictionary

/// `cmr deidentify`: plans outputs, de-identifies files on all cores, checks each output for
/// leaks, writes atomically, and reports per file. Never prints; progress goes to `progress`.
public struct Deidentification: Sendable {
    public let request: DeidentifyRequest
    public let policy: DeidentifyPolicy
    public let key: PseudonymKey

    /// Validates the request: mode and options, recipe, key, output folder.
    public init(_ request: DeidentifyRequest) throws(CMRError) {
        self.request = request
        var options = request.options
        var overrides: [Tag: OverrideAction] = [:]
        if let recipePath = request.recipePath {
            guard let data = FileManager.default.contents(atPath: recipePath) else {
                throw CMRError(.configuration, "\(recipePath): cannot read the recipe file")
            }
            do {
                let recipe = try DeidentifyRecipe(json: [UInt8](data))
                options.formUnion(recipe.options)
                overrides = recipe.overrides
            } catch {
                throw CMRError(.configuration, "\(recipePath): \(error)", hint: "see docs/deidentify.md, \"Recipes\"")
            }
        }
        do {
            policy = try DeidentifyPolicy(mode: request.mode, options: options, overrides: overrides, softwareName: request.softwareName)
        } catch {
            throw CMRError(.usage, "\(error)")
        }
        switch request.mode {
        case .anonymous:
            if request.keyPath != nil {
                throw CMRError(.usage, "anonymous mode uses a fresh random key that is never written; --key-file is refused",
                               hint: "for repeatable pseudonyms use --mode deidentified or pseudonymous with --key-file")
            }
            do { key = try PseudonymKey.random() } catch { throw CMRError(.ioError, "cannot read the system's random source: \(error)") }
        case .identified:
            key = PseudonymKey(secret: [UInt8](repeating: 0, count: 32))!
        case .pseudonymous, .deidentified:
            guard let keyPath = request.keyPath else {
                throw CMRError(.usage, "\(request.mode.rawValue) mode needs the site key: --key-file FILE",
                               hint: "make one with: cmr key new site.key (keep it at the site, mode 0600)")
            }
            key = try SiteKey.load(keyPath)
        }
        if !request.dryRun {
            guard let out = request.outputFolder else { throw CMRError(.usage, "--out FOLDER is required (or --dry-run)") }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw CMRError(.cannotCreateOutput, "\(out): exists and is not a folder")
            }
        }
    }

    /// The re-identification table of pseudonymous mode: --reid-table, else beside the key file.
    public var reidentificationTablePath: String? {
        guard request.mode == .pseudonymous else { return nil }
        return request.reidentificationTable ?? request.keyPath.map { $0 + ".reid.jsonl" }
    }

    // MARK: Running

    /// Runs the batch. `progress(done, total)` is called from worker threads.
    public func run(readStdin: () -> [UInt8], progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in })
        -> (reports: [DeidentifyFileReport], summary: DeidentifySummary, problems: [CMRError]) {
        let started = DispatchTime.now()
        let (planned, problems, skippedByShard) = plan(readStdin: readStdin)
        let total = planned.count
        // Outputs become durable in groups: one file-system sync per batch, not two fsyncs per file.
        // A file whose publishing fails is marked after the batch (its report says written until then).
        let lateErrors = LateErrors()
        let committer = GroupCommit(folder: request.outputFolder ?? ".") { index, error in
            if let error { lateErrors.add(index, error) }
        }
        var all = parallelMap(total, jobs: request.jobs, { i in process(planned[i], index: i, committer: committer) },
                              progress: { progress($0, total) })
        committer.flush()
        for (i, error) in lateErrors.all {
            if let e = error as? FileError, e.kind == .exists {
                all[i].status = .exists
            } else {
                let failure = CMRError.writing(all[i].output ?? all[i].input, error)
                all[i].status = .failed
                all[i].reason = failure.message
                all[i].exitStatus = failure.exitStatus
            }
        }
        all = markCollisions(all)
        var summary = DeidentifySummary(
            mode: request.mode.rawValue, options: policy.options.sorted().map(\.rawValue),
            keyFingerprint: request.mode == .anonymous || request.mode == .identified ? nil : key.fingerprint,
            files: all.count, written: 0, existing: 0, quarantined: 0, failed: 0, planned: 0,
            skippedByShard: skippedByShard, seconds: 0, bytesWritten: 0)
        for r in all {
            switch r.status {
            case .written: summary.written += 1
            case .exists: summary.existing += 1
            case .quarantined: summary.quarantined += 1
            case .failed: summary.failed += 1
            case .planned: summary.planned += 1
            }
        }
        summary.bytesWritten = all.reduce(0) { $0 + ($1.status == .written ? $1.bytes ?? 0 : 0) }
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return (all, summary, problems)
    }

    /// One input and where its output goes (nil when the name depends on the new UIDs).
    struct Planned: Sendable {
        var input: String
        var relativeOutput: String?
        /// The name in the input tree (what --name-by tree would write), whatever the naming: the
        /// shard is chosen by it, so it does not depend on how the input path is spelled.
        var treeName: String
    }

    /// Expands the inputs, applies the shard, and maps each file to its output name.
    func plan(readStdin: () -> [UInt8]) -> ([Planned], [CMRError], Int) {
        let (entries, problems) = InputPaths(nulSeparated: request.nulSeparated).expandTree(request.inputs, readStdin: readStdin)
        var planned = entries.map {
            Planned(input: $0.path, relativeOutput: request.naming == .tree ? $0.treeName : nil, treeName: $0.treeName)
        }
        var skipped = 0
        if let (index, count) = request.shard {
            let before = planned.count
            planned = planned.filter { Self.shard(of: $0.treeName, count: count) == index - 1 }
            skipped = before - planned.count
        }
        return (planned, problems, skipped)
    }

    /// Which of `count` shards a file belongs to: the first 8 bytes of SHA-256 of its name in the
    /// input tree (the folder argument's own name and the path inside it, as --name-by tree writes
    /// it, whatever the naming), modulo `count`, so every machine agrees however it spells the path.
    static func shard(of name: String, count: Int) -> Int {
        let h = SHA256.hash(Array(name.utf8))
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(h[i]) }
        return Int(v % UInt64(count))
    }

    /// Two inputs that would write the same output: the later ones fail (nothing overwritten).
    func markCollisions(_ reports: [DeidentifyFileReport]) -> [DeidentifyFileReport] {
        var seen: [String: String] = [:]
        var out = reports
        for i in out.indices {
            guard let output = out[i].output, out[i].status == .written || out[i].status == .planned else { continue }
            if let first = seen[output] {
                out[i].status = .failed
                out[i].reason = "output \(output) is also the output of \(first); not written"
                out[i].exitStatus = 73
            } else {
                seen[output] = out[i].input
            }
        }
        return out
    }

    // MARK: One file

    func process(_ item: Planned, index: Int, committer: GroupCommit) -> DeidentifyFileReport {
        var report = DeidentifyFileReport(input: item.input, status: .failed)
        let out = request.outputFolder ?? ""
        if let relative = item.relativeOutput, !request.dryRun, !request.overwrite {
            let target = out + "/" + relative
            if FileManager.default.fileExists(atPath: target) {
                report.status = .exists
                report.output = target
                return report
            }
        }
        let file: DICOMFile
        do {
            file = try DICOMReader.read(contentsOf: item.input)
        } catch {
            return failed(report, CMRError.reading(item.input, error))
        }
        if let issue = file.issues.first(where: { $0.severity == .error }) {
            return failed(report, CMRError(.invalidData, "\(item.input): \(issue)", hint: "an incomplete file is not de-identified: nothing is written"))
        }
        let sopClass = file.dataSet.string(.sopClassUID) ?? file.meta.string(.mediaStorageSOPClassUID) ?? ""
        if sopClass == "1.2.840.10008.1.3.10" {
            return failed(report, CMRError(.invalidData, "\(item.input): a DICOMDIR (media directory) lists patients and files; it is not de-identified",
                                           hint: "make a new DICOMDIR from the de-identified files"))
        }
        guard file.dataSet.contains(.sopInstanceUID) else {
            return failed(report, CMRError(.invalidData, "\(item.input): no SOP Instance UID: not a composite instance"))
        }
        report.sopClassUID = sopClass
        report.studyUID = file.dataSet.string(.studyInstanceUID)
        report.seriesUID = file.dataSet.string(.seriesInstanceUID)
        if request.mode != .identified, !request.acceptBurnedIn, request.blankRectangles.isEmpty, let reason = BurnedInAnnotation.reason(for: file.dataSet) {
            report.status = .quarantined
            report.reason = reason
            report.exitStatus = 77
            return report
        }
        let deidentifier = Deidentifier(policy: policy, key: key)
        var result = deidentifier.apply(to: file.dataSet)
        if !request.blankRectangles.isEmpty && request.mode != .identified {
            do {
                try PixelBlanking.blank(&result.dataSet, rectangles: request.blankRectangles)
                PixelBlanking.markCleaned(&result.dataSet)
                result.changes.append(AppliedChange(path: Tag.pixelData.description, action: "blank", source: "clean-pixel-data"))
            } catch {
                return failed(report, CMRError(.invalidData, "\(item.input): cannot blank the pixel data: \(error)",
                                               hint: "decompress it first (e.g. gdcmconv --raw IN OUT), or leave out --blank"))
            }
        }
        report.patient = result.patient
        report.pseudonym = result.pseudonym
        report.dateShiftDays = result.dateShiftDays
        report.sopInstanceUID = result.dataSet.string(.sopInstanceUID)
        let relative: String
        if let given = item.relativeOutput {
            relative = request.mode == .identified ? given : sanitizedPath(given, patterns: result.leakPatterns)
        } else {
            let study = result.dataSet.string(.studyInstanceUID) ?? "unknown-study"
            let series = result.dataSet.string(.seriesInstanceUID) ?? "unknown-series"
            relative = study + "/" + series + "/" + (report.sopInstanceUID ?? "unknown") + ".dcm"
        }
        let target = (out.isEmpty ? "." : out) + "/" + relative
        report.output = target
        let output = DICOMFile(meta: DataSet(), dataSet: result.dataSet, transferSyntax: file.transferSyntax)
        if request.verifies {
            var header = result.dataSet
            header.remove(.pixelData)
            header.remove(.floatPixelData)
            header.remove(.doubleFloatPixelData)
            do {
                // The values as implicit VR little endian: no VR codes that a short name could match
                // (a family name LO in every explicit VR header), and never deflated (a scan of
                // compressed bytes finds nothing). String values are the same bytes in every encoding.
                let bytes = try DICOMWriter.encode(DICOMFile(meta: DataSet(), dataSet: header, transferSyntax: .implicitVRLittleEndian))
                let leaks = LeakCheck.scan(bytes, for: result.leakPatterns)
                if !leaks.isEmpty {
                    report.leaks = Array(Set(leaks.map(\.source))).sorted()
                    return failed(report, CMRError(.invalidData,
                        "\(item.input): leak self-check: values of \(report.leaks!.joined(separator: ", ")) survive in the output; not written",
                        hint: "add the attribute to a recipe (--recipe) as remove, or report it as a cmr bug"))
                }
            } catch {
                return failed(report, CMRError.writing(target, error))
            }
        }
        if request.dryRun {
            report.status = .planned
            report.changes = result.changes
            return report
        }
        if !request.overwrite, item.relativeOutput == nil, FileManager.default.fileExists(atPath: target) {
            report.status = .exists
            return report
        }
        do {
            try FileManager.default.createDirectory(atPath: FilePath.directory(of: target), withIntermediateDirectories: true)
            var writer = try AtomicFileWriter(path: target, overwrite: request.overwrite)
            var sink = HashingSink(inner: writer, hashing: request.digest)
            let temporary: String
            do {
                try DICOMWriter.write(output, to: &sink, options: WriteOptions(meta: .regenerate))
                writer = sink.inner
                temporary = try writer.finishUnsynced()
            } catch {
                writer = sink.inner
                writer.abort()
                throw error
            }
            if request.digest { report.sha256 = Hex.encode(sink.hash.finalize()) }
            report.bytes = sink.count
            // Reported as written; the committer turns it into a failure if publishing fails.
            do {
                committer.stage(GroupCommit.Staged(temporary: temporary, path: target, overwrite: request.overwrite,
                                                   bytes: sink.count, token: index))
            }
        } catch {
            if let e = error as? FileError, e.kind == .exists {
                report.status = .exists
                return report
            }
            return failed(report, CMRError.writing(target, error))
        }
        report.status = .written
        report.changes = result.changes
        return report
    }

    /// The mirrored output path with every component that holds an identifying value of the file
    /// (hospital exports name folders after patients) replaced by a keyed name, `ID-` and 16 base32
    /// characters of HMAC-SHA256 of the component: the same folder gets the same name for every
    /// file in it, on every machine with the key, and nothing of the original shows.
    func sanitizedPath(_ relative: String, patterns: [LeakPattern]) -> String {
        let components = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var out: [String] = []
        for (index, component) in components.enumerated() {
            let bytes = Array(component.utf8)
            let identifying = patterns.contains { !$0.bytes.isEmpty && LeakCheck.scan(bytes, for: [$0]).count == 1 }
            guard identifying else { out.append(component); continue }
            var name = "ID-" + key.pathName(for: component)
            if index == components.count - 1, let dot = component.lastIndex(of: "."), component[dot...].count <= 5 {
                name += String(component[dot...])   // keep a short extension such as .dcm
            }
            out.append(name)
        }
        return out.joined(separator: "/")
    }

    private func failed(_ report: DeidentifyFileReport, _ error: CMRError) -> DeidentifyFileReport {
        var r = report
        r.status = .failed
        r.reason = error.message
        r.exitStatus = error.exitStatus
        return r
    }
}

/// Forwards bytes to a sink and hashes them on the way.
struct HashingSink<Inner: ByteSink>: ByteSink {
    var inner: Inner
    var hashing = true
    var hash = SHA256()
    var count: Int64 = 0

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        if hashing { hash.update(bytes) }
        count += Int64(bytes.count)
        try inner.write(bytes)
    }
}
