import Foundation
import DICOMCore
import DICOMCoding
import DICOMImaging

/// Renders one frame of an indexed instance to PNG through the pixel pipeline, decoding only that
/// frame. Keeps recently opened files (header and pixel data reference) and the thumbnails it
/// made in memory, in bounded LRU caches; nothing is written to disk.
final class FrameRenderer: Sendable {
    struct Opened: Sendable {
        var file: DICOMFile
        var frames: PixelDataFrames
    }

    struct Rendered: Sendable, Equatable {
        var png: [UInt8]
        /// The window used (center, width) when the pipeline windowed the frame.
        var window: (center: Double, width: Double)?
        var width: Int
        var height: Int

        static func == (a: Rendered, b: Rendered) -> Bool {
            a.png == b.png && a.window?.center == b.window?.center && a.window?.width == b.window?.width
        }
    }

    private let files: LRUCache<String, Opened>
    private let thumbnails: LRUCache<String, Rendered>

    init(openFiles: Int = 64, thumbnails: Int = 1024) {
        files = LRUCache(capacity: openFiles)
        self.thumbnails = LRUCache(capacity: thumbnails)
    }

    func open(_ path: String) throws -> Opened {
        if let o = files.value(path) { return o }
        let file = try DICOMReader.read(contentsOf: path)
        let o = Opened(file: file, frames: try PixelDataFrames(dataSet: file.dataSet, transferSyntax: file.transferSyntax))
        files.set(path, o)
        return o
    }

    /// Frame `index` (0-based) of the file at `path`, windowed as asked, scaled down to fit `fit`.
    /// Frames: deflate level 1 after the Up filter (adaptive filtering tries four filters per row and
    /// took a quarter of a frame's time under load); thumbnails, made once, keep `.preview`.
    static let frameEncoder = PNGEncoder(level: .fastest, filter: .up)

    func render(path: String, frame index: Int, window: RenderOptions.Window, fit: (width: Int, height: Int)?,
                encoder: PNGEncoder = FrameRenderer.frameEncoder) throws -> Rendered {
        let opened = try open(path)
        let native = try opened.frames.frame(index)
        let r = try PixelPipeline.render(native, dataSet: opened.file.dataSet, frameIndex: index, options: RenderOptions(window: window))
        var image = r.image
        if let fit, image.width > fit.width || image.height > fit.height { image = image.downscaled(toFit: fit.width, fit.height) }
        var used: (Double, Double)?
        if case .window(let c, let w, _)? = r.choice.voi { used = (c, w) }
        return Rendered(png: encoder.encode(image), window: used, width: image.width, height: image.height)
    }

    /// The thumbnail of a series: its middle instance's middle frame, fit in 128×128, cached.
    func thumbnail(series: StudyIndex.Series) throws -> Rendered {
        if let t = thumbnails.value(series.uid) { return t }
        guard !series.instances.isEmpty else { throw ImagingError(.invalidDescription, "the series has no instances") }
        let middle = series.instances[series.instances.count / 2]
        let t = try render(path: middle.path, frame: middle.frames / 2, window: .automatic, fit: (128, 128), encoder: .preview)
        thumbnails.set(series.uid, t)
        return t
    }
}
