import Foundation
import DICOMCore

/// A rectangle of pixels, in columns and rows from the top left corner.
public struct PixelRectangle: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Parses "X,Y,W,H" (non-negative integers, W and H at least 1).
    public init?(parsing text: String) {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3],
              x >= 0, y >= 0, w >= 1, h >= 1 else { return nil }
        self.init(x: x, y: y, width: w, height: h)
    }
}

/// Blanks rectangles of native pixel data (burned-in text at known places, e.g. an ultrasound
/// device's header bar): every sample inside them, in every frame, becomes 0. Compressed pixel
/// data is refused (it would have to be decoded and encoded again); so are 1-bit and float data.
public enum PixelBlanking {
    public static func blank(_ dataSet: inout DataSet, rectangles: [PixelRectangle]) throws(PixelBlankingError) {
        guard let element = dataSet[.pixelData] else { throw .noPixelData }
        if case .fragments = element.value { throw .compressed }
        guard let rows = dataSet.int(.rows), let columns = dataSet.int(.columns), rows > 0, columns > 0 else {
            throw .invalid("Rows and Columns are missing")
        }
        let samples = dataSet.int(.samplesPerPixel) ?? 1
        let bits = dataSet.int(.bitsAllocated) ?? 0
        guard bits == 8 || bits == 16 || bits == 32 else { throw .invalid("Bits Allocated \(bits) cannot be blanked (8, 16 or 32)") }
        let planar = dataSet.int(.planarConfiguration) ?? 0
        let frames = max(1, dataSet.int(.numberOfFrames) ?? 1)
        let bytesPerSample = bits / 8
        let frameBytes = rows * columns * samples * bytesPerSample
        var bytes = element.value.bytes
        guard bytes.count >= frameBytes * frames else {
            throw .invalid("Pixel Data holds \(bytes.count) bytes, \(frameBytes * frames) expected")
        }
        bytes.withUnsafeMutableBufferPointer { p in
            for frame in 0..<frames {
                let base = frame * frameBytes
                for r in rectangles {
                    let x0 = min(r.x, columns), x1 = min(r.x + r.width, columns)
                    let y0 = min(r.y, rows), y1 = min(r.y + r.height, rows)
                    guard x1 > x0, y1 > y0 else { continue }
                    for y in y0..<y1 {
                        if planar == 1 && samples > 1 {
                            for s in 0..<samples {
                                let start = base + (s * rows * columns + y * columns + x0) * bytesPerSample
                                for i in start..<(start + (x1 - x0) * bytesPerSample) { p[i] = 0 }
                            }
                        } else {
                            let start = base + ((y * columns + x0) * samples) * bytesPerSample
                            for i in start..<(start + (x1 - x0) * samples * bytesPerSample) { p[i] = 0 }
                        }
                    }
                }
            }
        }
        dataSet.insert(DataElement(.pixelData, element.vr, .bytes(bytes)))
    }
}

public enum PixelBlankingError: Error, Sendable, Equatable, CustomStringConvertible {
    case noPixelData
    case compressed
    case invalid(String)

    public var description: String {
        switch self {
        case .noPixelData: "no Pixel Data to blank"
        case .compressed: "the pixel data is compressed and cannot be blanked here"
        case .invalid(let why): why
        }
    }
}

extension PixelBlanking {
    /// After blanking: Burned In Annotation NO, and the Clean Pixel Data Option (113101) named in
    /// De-identification Method and its code sequence.
    public static func markCleaned(_ dataSet: inout DataSet) {
        dataSet.setString(.burnedInAnnotation, "NO", vr: .CS)
        var method = dataSet.strings(.deidentificationMethod)
        if !method.contains(MethodCode.cleanPixelData.meaning) { method.append(MethodCode.cleanPixelData.meaning) }
        dataSet.setStrings(.deidentificationMethod, method, vr: .LO)
        var items = dataSet.items(.deidentificationMethodCodeSequence)
        if !items.contains(where: { $0.string(.codeValue) == MethodCode.cleanPixelData.value }) {
            var item = DataSet()
            item.setString(.codeValue, MethodCode.cleanPixelData.value, vr: .SH)
            item.setString(.codingSchemeDesignator, "DCM", vr: .SH)
            item.setString(.codeMeaning, MethodCode.cleanPixelData.meaning, vr: .LO)
            items.append(item)
            dataSet.setItems(.deidentificationMethodCodeSequence, items)
        }
    }
}
