// Benchmark driver for `scripts/bench decode`: reads DICOM files, decodes every frame with
// DICOMImaging's decoders, and writes the native pixels to OUT (as dcmdjpeg writes its output),
// so that one call per file is the same work as one dcmdjpeg call per file.
//   bench-decode OUT FILE...      prints nothing; exit status 1 on the first failure
// Built by scripts/bench against the release build's objects (not a package product).
import Foundation
import DICOMCore
import DICOMCoding
import DICOMImaging

let args = CommandLine.arguments
guard args.count >= 3 else {
    FileHandle.standardError.write(Data("usage: bench-decode OUT FILE...\n".utf8))
    exit(64)
}
let out = args[1]
do {
    for path in args[2...] {
        let file = try DICOMReader.read(contentsOf: path)
        let frames = try PixelDataFrames(dataSet: file.dataSet, transferSyntax: file.transferSyntax)
        var bytes: [UInt8] = []
        for i in 0..<frames.count { bytes += try frames.frame(i).bytes }
        _ = FileManager.default.createFile(atPath: out, contents: Data(bytes))
    }
} catch {
    FileHandle.standardError.write(Data("bench-decode: \(error)\n".utf8))
    exit(1)
}
