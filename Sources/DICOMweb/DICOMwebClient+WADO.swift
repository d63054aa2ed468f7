import Foundation
import DICOMCore
import DICOMCoding
#if canImport(Glibc)
import Glibc
#endif

extension DICOMwebClient {
    /// The Accept header for instances: `multipart/related; type="application/dicom"`, with
    /// `transfer-syntax=*` (the archive's stored encoding, byte for byte) unless one is asked for.
    public static func acceptDICOM(transferSyntax: String? = "*") -> String {
        var params: [(name: String, value: String)] = [("type", "application/dicom")]
        if let ts = transferSyntax { params.append(("transfer-syntax", ts)) }
        return MediaType("multipart", "related", parameters: params).description
    }

    /// WADO-RS: retrieves a study, series or instance (or frames) into `folder`, each part of the
    /// multipart response written to its own file (see `PartFileReceiver`): memory stays
    /// bounded by the parser's few KiB and the writer's buffer, whatever the size.
    /// With `spool` (the default) the response lands in a temporary file first and is split from
    /// there, because FoundationNetworking hands received data to the delegate through an
    /// unbounded queue (measured: 200 MiB resident for a 300 MiB study when parsing straight
    /// from the delegate); without it, parts are written as the data arrives.
    /// `onPart` is called after each file is in place (for progress and journals). With `durable`
    /// false, parts are not synced (neither is the folder): for a caller that makes many files
    /// durable at once (`GroupCommit`, one `syncfs` for a batch) before it relies on them.
    @discardableResult
    public func retrieve(_ target: WADOTarget, into folder: String, accept: String? = nil, spool: Bool = true, durable: Bool = true,
                         onPart: ((RetrievedPart) -> Void)? = nil) throws -> [RetrievedPart] {
        let url = self.url(target.path)
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw DICOMwebError(.io, "cannot create \(folder): \(error.localizedDescription)")
            }
        } else if !isDir.boolValue {
            throw DICOMwebError(.io, "\(folder) is not a folder")
        }
        let defaultAccept: String
        if case .frames = target { defaultAccept = "multipart/related; type=\"application/octet-stream\"" } else { defaultAccept = DICOMwebClient.acceptDICOM() }
        var frames: (instance: String, numbers: [Int])?
        if case .frames(_, _, let instance, let numbers) = target { frames = (instance, numbers) }
        var receiver = PartFileReceiver(folder: folder, frames: frames, onPart: onPart)
        receiver.durable = durable
        let handler = MultipartResponseHandler(receiver: receiver, url: url.absoluteString)
        let head: HTTPResponseHead
        do {
            var req = request("GET", url, accept: accept ?? defaultAccept)
            req.spoolToDisk = spool
            head = try transport.perform(req, handler: handler)
        } catch {
            handler.receiver.abort()
            throw error
        }
        guard (200..<300).contains(head.status) else {
            throw DICOMwebClient.statusError(head, url: url.absoluteString, body: handler.errorBody)
        }
        if head.status == 204 { return [] }
        do {
            try handler.parser?.finish()
        } catch let e as MultipartError {
            handler.receiver.abort()
            throw DICOMwebError(.malformedResponse, "\(url.absoluteString): \(e.description) after \(handler.receiver.parts.count) complete parts", url: url.absoluteString)
        }
        if durable {
            let d = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if d >= 0 { fsync(d); _ = Glibc.close(d) }
        }
        return handler.receiver.parts
    }

    /// WADO-RS metadata of a study, series or instance as data sets (DICOM JSON; bulk data
    /// elements come as BulkDataURIs and are left empty).
    public func metadata(_ target: WADOTarget) throws -> [DataSet] {
        let url = self.url(target.path + "/metadata")
        let (_, body) = try fetch(request("GET", url, accept: "application/dicom+json"))
        if body.isEmpty { return [] }
        do {
            return try DICOMJSON.decodeList(body)
        } catch {
            throw DICOMwebError(.malformedResponse, "\(url.absoluteString): metadata is not DICOM JSON: \(error)", url: url.absoluteString)
        }
    }
}
