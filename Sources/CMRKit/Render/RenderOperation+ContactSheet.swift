import Foundation
import DICOMCore
import DICOMCoding
import DICOMImaging

/// `cmr render --contact-sheet`: one tile per series (its middle instance, by Instance Number;
/// the middle frame of a multi-frame one), series in study and Series Number order, in one PNG,
/// each tile captioned with Series Number, Modality and Series Description.
extension RenderOperation {
    struct SheetCandidate {
        var index: Int
        var opened: Opened
        var study: String
        var series: String
        var seriesNumber: Int
        var instanceNumber: Int
    }

    func renderSheet(_ entries: [InputPaths.TreeEntry], into result: inout Result, progress: @escaping @Sendable (Int, Int) -> Void) {
        // Every file's header (pixel data stays on disk until a tile needs it).
        let opened: [(RenderFileReport, Opened?)] = parallel(entries.count) { i in
            var report = RenderFileReport(input: entries[i].path)
            do throws(CMRError) {
                let o = try open(entries[i], report: &report)
                return (report, o)
            } catch {
                report.error = error
                return (report, nil)
            }
        } progress: { progress($0, entries.count) }
        var reports = opened.map(\.0)
        var groups: [String: [SheetCandidate]] = [:]
        for (i, (_, o)) in opened.enumerated() {
            guard let o else { continue }
            let ds = o.file.dataSet
            let series = ds.string(.seriesInstanceUID) ?? "path:" + o.entry.path
            groups[series, default: []].append(SheetCandidate(
                index: i, opened: o, study: ds.string(.studyInstanceUID) ?? "", series: series,
                seriesNumber: Int(ds.string(.seriesNumber) ?? "") ?? Int.max,
                instanceNumber: Int(ds.string(.instanceNumber) ?? "") ?? Int.max))
        }
        let picks: [SheetCandidate] = groups.values.map { members in
            let sorted = members.sorted { ($0.instanceNumber, $0.opened.entry.path) < ($1.instanceNumber, $1.opened.entry.path) }
            return sorted[sorted.count / 2]
        }.sorted { ($0.study, $0.seriesNumber, $0.series) < ($1.study, $1.seriesNumber, $1.series) }
        let tile = request.size ?? (256, 256)
        let tiles: [Swift.Result<RenderOutput, CMRError>] = parallel(picks.count) { i in
            let pick = picks[i]
            do throws(CMRError) {
                return .success(try renderFrame(pick.opened, index: pick.opened.frames.count / 2, fit: tile))
            } catch {
                return .failure(error)
            }
        } progress: { _ in }
        var images: [RenderedImage] = []
        var inputs: [String] = []
        var captions: [String] = []
        for (pick, t) in zip(picks, tiles) {
            switch t {
            case .success(let output):
                images.append(output.image!)
                inputs.append(pick.opened.entry.path)
                captions.append(Self.caption(pick.opened.file.dataSet))
                var o = output
                o.png = nil
                o.image = nil
                reports[pick.index].outputs.append(o)
            case .failure(let error):
                reports[pick.index].error = error
            }
        }
        result.reports = reports.filter { !$0.skipped }
        result.skipped = reports.filter(\.skipped).map(\.input)
        guard !images.isEmpty else { return }
        let columns = max(1, Int(Double(images.count).squareRoot().rounded(.up)))
        let sheet = ContactSheet(tileWidth: tile.width, tileHeight: tile.height, columns: columns).compose(images, captions: captions)
        let png = PNGEncoder.preview.encode(sheet)
        var output = RenderOutput(input: request.inputs.joined(separator: " "), output: request.output, frame: nil,
                                  window: "\(images.count) series", width: sheet.width, height: sheet.height, tiles: inputs)
        if case .standardOutput = result.destination {
            output.output = "-"
            output.png = png
        } else {
            do {
                let folder = FilePath.directory(of: request.output)
                if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                try AtomicFileWriter.write(to: request.output, overwrite: request.overwrite) { w in
                    try png.withUnsafeBytes { try w.write($0) }
                }
            } catch {
                result.problems.append(CMRError.writing(request.output, error))
                return
            }
        }
        result.sheet = output
    }

    /// A tile's caption: "S3 CT AXIAL 5MM" — Series Number, Modality, Series Description.
    static func caption(_ ds: DataSet) -> String {
        var parts: [String] = []
        if let number = ds.string(.seriesNumber), !number.isEmpty { parts.append("S" + number) }
        if let modality = ds.string(.modality), !modality.isEmpty { parts.append(modality) }
        if let description = ds.string(.seriesDescription), !description.isEmpty { parts.append(description) }
        return parts.joined(separator: " ")
    }
}
