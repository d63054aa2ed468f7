// Benchmark driver for `scripts/bench render`: reads uncompressed DICOM files, renders frame 1 of
// each through PixelPipeline (the file's first window, as `dcm2pnm +Wi 1`), shrinks it to fit N×N
// with --size N (area average), encodes it with PNGEncoder.preview and writes FILE.png into the
// output folder. Built by scripts/bench with swiftc against the release build's module objects;
// not part of the package.
//   bench-render [--size N] OUTDIR FILE...
import DICOMCoding
import DICOMCore
import DICOMImaging
import Foundation

var args = CommandLine.arguments.dropFirst()
var size: Int?
if args.first == "--size", args.count > 1 {
    size = Int(args[args.startIndex + 1])
    args = args.dropFirst(2)
}
guard let outDir = args.first, args.count >= 2 else {
    FileHandle.standardError.write("usage: bench-render [--size N] OUTDIR FILE...\n".data(using: .utf8)!)
    exit(64)
}
var failures: Int32 = 0
for path in args.dropFirst() {
    do {
        let file = try DICOMReader.read(contentsOf: path)
        let frame = try PixelDataFrames(dataSet: file.dataSet, transferSyntax: file.transferSyntax).frame(0)
        var image = try PixelPipeline.render(frame, dataSet: file.dataSet, options: RenderOptions(window: .fileWindow(index: 0))).image
        if let size { image = image.downscaled(toFit: size, size) }
        let png = PNGEncoder.preview.encode(image)
        let name = FilePath.name(of: path)
        try Data(png).write(to: URL(fileURLWithPath: outDir + "/" + name + ".png"))
    } catch {
        FileHandle.standardError.write("bench-render: \(path): \(error)\n".data(using: .utf8)!)
        failures += 1
    }
}
exit(failures == 0 ? 0 : 1)
