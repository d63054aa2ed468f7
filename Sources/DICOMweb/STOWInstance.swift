import DICOMCore
import DICOMCoding
#if canImport(Glibc)
import Glibc
#endif

/// A Part 10 file to store, with what the STOW response is matched by.
public struct STOWInstance: Sendable, Equatable {
    public var path: String
    public var sopClassUID: String
    public var sopInstanceUID: String
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var size: Int
    /// The file's bytes as the sender scanned (and hashed) them, when it holds them mapped: sent
    /// from there, so what is stored is what was scanned even if the path changed since. Without
    /// it the file is opened by path when the request is made.
    public var storage: ByteStorage?

    public init(path: String, sopClassUID: String, sopInstanceUID: String, studyInstanceUID: String,
                seriesInstanceUID: String = "", size: Int, storage: ByteStorage? = nil) {
        self.storage = storage
        self.path = path
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.size = size
    }

    public static func == (a: STOWInstance, b: STOWInstance) -> Bool {
        a.path == b.path && a.sopClassUID == b.sopClassUID && a.sopInstanceUID == b.sopInstanceUID
            && a.studyInstanceUID == b.studyInstanceUID && a.seriesInstanceUID == b.seriesInstanceUID
            && a.size == b.size && a.storage === b.storage
    }

    /// Reads the file's UIDs (the data set up to, not including, Pixel Data; the file is mapped,
    /// so only its first pages are touched). Throws when it is not Part 10 with a SOP Instance UID.
    public init(path: String) throws {
        let f = try DICOMReader.read(contentsOf: path, options: ReadOptions(stopBeforeTag: Tag(0x7FE0_0010)))
        guard f.hasMetaHeader else { throw FileError(.io, path: path, reason: "not a DICOM Part 10 file (no file meta information): STOW-RS sends Part 10 files") }
        let iuid = f.dataSet.string(.sopInstanceUID) ?? f.meta.string(.mediaStorageSOPInstanceUID)
        guard let iuid, !iuid.isEmpty else { throw FileError(.io, path: path, reason: "no SOP Instance UID") }
        var st = stat()
        guard stat(path, &st) == 0 else { throw FileError.fromErrno(errno, path: path, doing: "cannot stat") }
        self.init(path: path, sopClassUID: f.dataSet.string(.sopClassUID) ?? "", sopInstanceUID: iuid,
                  studyInstanceUID: f.dataSet.string(.studyInstanceUID) ?? "",
                  seriesInstanceUID: f.dataSet.string(.seriesInstanceUID) ?? "", size: Int(st.st_size))
    }

    /// Splits instances, in order, into batches of at most `maxCount` files and `maxBytes` bytes
    /// (a file larger than `maxBytes` goes alone in its batch).
    public static func batches(_ instances: [STOWInstance], maxCount: Int, maxBytes: Int) -> [[STOWInstance]] {
        var out: [[STOWInstance]] = []
        var current: [STOWInstance] = []
        var bytes = 0
        for i in instances {
            if !current.isEmpty && (current.count >= max(1, maxCount) || bytes + i.size > maxBytes) {
                out.append(current)
                current = []
                bytes = 0
            }
            current.append(i)
            bytes += i.size
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
