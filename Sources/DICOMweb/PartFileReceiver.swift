import Foundation
import DICOMCore
import DICOMCoding
#if canImport(Glibc)
import Glibc
#endif

/// A file written from one part of a WADO-RS response.
public struct RetrievedPart: Sendable, Equatable {
    public var path: String
    public var size: Int
    public var contentType: String?
    public var contentLocation: String?
    /// For DICOM parts: the SOP Instance UID read from the file.
    public var sopInstanceUID: String?
    /// The file was already there (same name): the new copy was dropped.
    public var alreadyPresent: Bool
}

/// Writes each part of a multipart response to its own file in `folder`, as it arrives, through
/// `AtomicFileWriter` (a temporary file, then moved into place: never a half-written file under
/// the final name). DICOM parts are named `<SOP Instance UID>.dcm` once complete; frames
/// `<SOP Instance UID>.frame-<k>.<ext>`; other parts `part-<n>.<ext>`. A name already taken is
/// kept and the new copy dropped (`alreadyPresent`: a rerun of the same retrieve). Memory: AtomicFileWriter's 64 KiB buffer.
struct PartFileReceiver: MultipartReceiver {
    let folder: String
    var current: AtomicFileWriter?
    var headers = MultipartHeaders()
    var size = 0
    var parts: [RetrievedPart] = []
    var temporaries: [(tmp: String, index: Int)] = []
    var onPart: ((RetrievedPart) -> Void)?
    /// fsync each part before it is named (false: the caller makes them durable, e.g. in batches).
    var durable = true

    /// For a frames request: the instance and the frame numbers, in the order the parts come,
    /// so that frame parts are named `<instance>.frame-<k>.<ext>` (unique across requests).
    var frames: (instance: String, numbers: [Int])?

    init(folder: String, frames: (instance: String, numbers: [Int])? = nil, onPart: ((RetrievedPart) -> Void)?) {
        self.folder = folder
        self.frames = frames
        self.onPart = onPart
    }

    mutating func partBegan(_ h: MultipartHeaders) throws {
        headers = h
        size = 0
        current = try AtomicFileWriter(path: folder + "/.part-\(parts.count + 1)", overwrite: true)
    }

    mutating func partBytes(_ bytes: UnsafeRawBufferPointer) throws {
        size += bytes.count
        try current!.write(bytes)
    }

    mutating func partEnded() throws {
        guard var w = current else { return }
        current = nil
        let tmp = try w.finishUnsynced()
        if durable {
            let fd = Glibc.open(tmp, O_RDONLY | O_CLOEXEC)
            if fd >= 0 { fsync(fd); _ = Glibc.close(fd) }
        }
        let type = headers.contentType
        var uid: String?
        var name: String
        let n = parts.count + 1
        if type == nil || type?.essence == "application/dicom" {
            uid = (try? DICOMReader.read(contentsOf: tmp, options: ReadOptions(stopBeforeTag: Tag(0x7FE0_0010))))
                .flatMap { $0.dataSet.string(.sopInstanceUID) ?? $0.meta.string(.mediaStorageSOPInstanceUID) }
            if let u = uid, !u.isEmpty, u.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }) {
                name = u + ".dcm"
            } else {
                uid = nil
                name = "part-\(n).dcm"
            }
        } else {
            let ext: String
            switch type!.essence {
            case "application/octet-stream": ext = "raw"
            case "image/jpeg", "image/jls", "image/jp2", "image/jpx": ext = String(type!.subtype)
            default: ext = "bin"
            }
            if let f = frames, n <= f.numbers.count {
                name = f.instance + ".frame-\(f.numbers[n - 1]).\(ext)"
            } else {
                name = "part-\(n).\(ext)"
            }
        }
        let final = folder + "/" + name
        var present = false
        if access(final, F_OK) == 0 {
            // Same UID already retrieved (a rerun): keep the first copy.
            unlink(tmp)
            present = true
        } else {
            try AtomicFileWriter.publish(temporary: tmp, to: final, overwrite: false)
        }
        let p = RetrievedPart(path: final, size: size, contentType: headers["Content-Type"],
                              contentLocation: headers.contentLocation, sopInstanceUID: uid, alreadyPresent: present)
        parts.append(p)
        onPart?(p)
    }

    mutating func abort() {
        current?.abort()
        current = nil
    }
}

/// Feeds an HTTP response body into a multipart parser writing files.
final class MultipartResponseHandler: HTTPResponseHandler {
    var parser: MultipartParser?
    var receiver: PartFileReceiver
    var head: HTTPResponseHead?
    var errorBody: [UInt8] = []
    let url: String

    init(receiver: PartFileReceiver, url: String) {
        self.receiver = receiver
        self.url = url
    }

    func received(head: HTTPResponseHead) throws {
        self.head = head
        guard (200..<300).contains(head.status), head.status != 204 else { return }
        let ct = head.header("Content-Type") ?? ""
        do {
            parser = try MultipartParser(contentType: ct)
        } catch let e as MultipartError {
            throw DICOMwebError(.malformedResponse, "\(url): \(e.message)", url: url)
        }
    }

    func received(body: UnsafeRawBufferPointer) throws {
        guard parser != nil else {
            if errorBody.count < 4096 { errorBody.append(contentsOf: body.prefix(4096 - errorBody.count)) }
            return
        }
        do {
            try parser!.feed(body, into: &receiver)
        } catch let e as MultipartError {
            receiver.abort()
            throw DICOMwebError(.malformedResponse, "\(url): \(e.description)", url: url)
        } catch {
            receiver.abort()
            throw error
        }
    }
}
