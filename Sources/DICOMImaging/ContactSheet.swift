/// Tiles in a grid: each image shrunk to fit a fixed tile size, centred in its tile on a
/// background, tiles placed left to right and top to bottom with a gap between them; optionally a
/// caption under each tile.
public struct ContactSheet: Sendable, Equatable {
    public var tileWidth: Int
    public var tileHeight: Int
    /// Tiles per row (rows follow from the number of images).
    public var columns: Int
    /// Pixels between tiles and around the sheet.
    public var gap: Int
    /// Background grey level (0...255).
    public var background: UInt8

    public init(tileWidth: Int = 256, tileHeight: Int = 256, columns: Int = 4, gap: Int = 4, background: UInt8 = 0) {
        precondition(tileWidth > 0 && tileHeight > 0 && columns > 0 && gap >= 0)
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.columns = columns
        self.gap = gap
        self.background = background
    }

    /// The sheet: RGB when any image is colour, else 8-bit grey (16-bit images keep their top 8 bits).
    public func compose(_ images: [RenderedImage]) -> RenderedImage {
        compose(images, captions: [])
    }

    /// Font scale of captions: 2 for tiles at least 192 pixels wide, else 1.
    public var captionScale: Int { tileWidth >= 192 ? 2 : 1 }

    /// Height of the strip under each tile that holds its caption (0 without captions).
    public func captionHeight(_ captions: [String]) -> Int {
        captions.isEmpty ? 0 : BitmapFont.height * captionScale + 4
    }

    /// The sheet with `captions[i]` under tile i in white (`BitmapFont`, centred, cut to the tile's
    /// width); no captions: the same sheet as `compose(_:)`.
    public func compose(_ images: [RenderedImage], captions: [String]) -> RenderedImage {
        let colour = images.contains { $0.format == .rgb8 }
        let format: RenderedImage.Format = colour ? .rgb8 : .grey8
        let cols = max(1, min(columns, images.count))
        let rows = max(1, (images.count + cols - 1) / cols)
        let strip = captionHeight(captions)
        let cellHeight = tileHeight + strip
        let width = cols * tileWidth + (cols + 1) * gap
        let height = rows * cellHeight + (rows + 1) * gap
        var sheet = RenderedImage(width: width, height: height, format: format, fill: [UInt16(background)])
        let channels = format.channels
        for (index, caption) in captions.prefix(images.count).enumerated() {
            let text = BitmapFont.fitting(caption, maxWidth: tileWidth, scale: captionScale)
            let x = gap + (index % cols) * (tileWidth + gap) + (tileWidth - BitmapFont.width(of: text, scale: captionScale)) / 2
            let y = gap + (index / cols) * (cellHeight + gap) + tileHeight + 2
            BitmapFont.draw(text, into: &sheet, x: x, y: y, scale: captionScale)
        }
        for (index, image) in images.enumerated() {
            let tile = image.downscaled(toFit: tileWidth, tileHeight)
            let originX = gap + (index % cols) * (tileWidth + gap) + (tileWidth - tile.width) / 2
            let originY = gap + (index / cols) * (cellHeight + gap) + (tileHeight - tile.height) / 2
            for y in 0..<tile.height {
                for x in 0..<tile.width {
                    let target = ((originY + y) * width + originX + x) * channels
                    let source = y * tile.width + x
                    switch tile.format {
                    case .grey8:
                        for c in 0..<channels { sheet.bytes[target + c] = tile.bytes[source] }
                    case .grey16:
                        for c in 0..<channels { sheet.bytes[target + c] = tile.bytes[2 * source] }  // top 8 bits
                    case .rgb8:
                        for c in 0..<3 { sheet.bytes[target + c] = tile.bytes[3 * source + c] }
                    }
                }
            }
        }
        return sheet
    }
}
