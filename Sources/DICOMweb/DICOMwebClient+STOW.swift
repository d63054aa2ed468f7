import Foundation
import DICOMCoding
#if canImport(Glibc)
import Glibc
#endif

extension DICOMwebClient {
    /// STOW-RS: stores one batch of Part 10 files with one `POST {base}/studies` (or
    /// `/studies/{study}`).
    ///
    /// Memory: the multipart body is written to a temporary file in `scratchFolder`, copying
    /// each file in 1 MiB chunks, then uploaded from that file (URLSession streams file bodies
    /// from disk), so memory stays at a few MiB whatever the batch size; the disk holds one
    /// batch's bytes more for the time of the request. The body has a known length, so no
    /// chunked encoding, and `Expect: 100-continue` is switched off.
    ///
    /// Returns per-instance results even for an HTTP error status when the response says what
    /// was stored. Throws only when no HTTP response arrived (unavailable, timeout) or a file
    /// cannot be read.
    public func store(_ batch: [STOWInstance], study: String? = nil, scratchFolder: String = NSTemporaryDirectory()) throws -> STOWResult {
        let path = study.map { "studies/" + $0 } ?? "studies"
        let url = self.url(path)
        let bodyPath = try writeSTOWBody(batch, scratchFolder: scratchFolder)
        defer { unlink(bodyPath.path) }
        let req = request("POST", url, accept: "application/dicom+json", body: .file(bodyPath.path),
                          headers: [("Content-Type", bodyPath.contentType), ("Expect", "")])
        let c = BodyCollector(limit: options.maximumJSONResponse, url: url.absoluteString)
        let head = try transport.perform(req, handler: c)
        let ok = (200..<300).contains(head.status)
        let error = ok ? nil : DICOMwebClient.statusError(head, url: url.absoluteString, body: c.body)
        var response: STOWResponse?
        if !c.body.isEmpty {
            do {
                response = try STOWResponse.parse(c.body, contentType: head.header("Content-Type"))
            } catch let e as DICOMwebError where ok {
                throw DICOMwebError(.malformedResponse, "\(url.absoluteString): \(e.message)", url: url.absoluteString)
            } catch {
                response = nil  // an error page instead of a STOW response: nothing acknowledged
            }
        }
        return STOWResult.match(batch, response: response, status: head.status, error: error)
    }

    /// Writes the multipart/related body of a batch to a temporary file; returns its path and
    /// the request's Content-Type.
    func writeSTOWBody(_ batch: [STOWInstance], scratchFolder: String) throws -> (path: String, contentType: String) {
        for _ in 0..<3 {
            let file = try AtomicFileWriter(path: scratchFolder + "/cmr-stow-body", overwrite: true, mode: 0o600)
            var w = MultipartWriter(sink: file)
            do {
                for i in batch {
                    try w.writePart(headers: [.init("Content-Type", "application/dicom")], file: i.path)
                }
                var sink = try w.close()
                let tmp = try sink.finishUnsynced()
                return (tmp, w.contentType())
            } catch let e as MultipartError where e.kind == .boundaryInData {
                var sink = w.sink
                sink.abort()
                continue
            } catch {
                var sink = w.sink
                sink.abort()
                throw error
            }
        }
        throw DICOMwebError(.io, "could not choose a multipart boundary absent from the files")
    }
}
