// Benchmark driver for `scripts/bench decode`: reads DICOM files, decodes frames with
// DICOMImaging's decoders, and writes the native pixels to OUT (as dcmdjpeg writes its output),
// so that one call per file is the same work as one dcmdjpeg call per file.
//   bench-decode [--frame N] OUT FILE...   every frame, or frame N (0-based) only
// Prints nothing; exit status 1 on the first failure. Built by scripts/bench against the
// release build's objects (not a package product).
import Foundation
import DICOMCore
import DICOMCoding
import DICOMImaging

var args = Array(CommandLine.arguments.dropFirst())
var only: Int?
if args.first == "--frame", args.count >= 2, let n = Int(args[1]) {
    only = n
    args.removeFirst(2)
}
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: bench-decode [--frame N] OUT FILE...\n".utf8))
    exit(64)
}
let out = args[0]
do {
    for path in args.dropFirst() {
        let file = try DICOMReader.read(contentsOf: path)
        let frames = try PixelDataFrames(dataSet: file.dataSet, transferSyntax: file.transferSyntax)
        var bytes: [UInt8] = []
        for i in only.map({ [$0] }) ?? Array(0..<frames.count) { bytes += try frames.frame(i).bytes }
        _ = FileManager.default.createFile(atPath: out, contents: Data(bytes))
    }
} catch {
    FileHandle.standardError.write(Data("bench-decode: \(error)\n".utf8))
    exit(1)
}
