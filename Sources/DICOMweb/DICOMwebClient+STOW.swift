import Foundation
import DICOMCoding
#if canImport(Glibc)
import Glibc
#endif

extension DICOMwebClient {
    /// STOW-RS: stores one batch of Part 10 files with one `POST {base}/studies` (or
    /// `/studies/{study}`).
    ///
    /// The multipart body is produced while it is sent (`MultipartFileStream`: each file from
    /// its mapping or read in place, chunked transfer encoding), so memory stays at the
    /// transport's buffers and nothing is written to disk whatever the batch size;
    /// `Expect: 100-continue` is not sent. A file that contains the boundary ends the request
    /// before its bytes go, and the batch is sent again with another boundary (random, 128 bits:
    /// not by chance). A file that cannot be opened is `.unreadable` and the others go without it.
    ///
    /// Returns per-instance results even for an HTTP error status when the response says what
    /// was stored. Throws only when no HTTP response arrived (unavailable, timeout) or a file
    /// could not be read while it was sent.
    public func store(_ batch: [STOWInstance], study: String? = nil, scratchFolder: String = NSTemporaryDirectory()) throws -> STOWResult {
        let path = study.map { "studies/" + $0 } ?? "studies"
        let url = self.url(path)
        for _ in 0..<3 {
            let body = MultipartFileStream(files: batch.map { ($0.path, $0.storage) }, boundary: MultipartWriter<MemorySink>.randomBoundary())
            let unreadable = Dictionary(body.failedToOpen.map { ($0.path, $0.reason) }, uniquingKeysWith: { a, _ in a })
            let sent = batch.filter { unreadable[$0.path] == nil }
            if sent.isEmpty {
                return STOWResult.match(batch, response: nil, status: nil, error: nil, unreadable: unreadable)
            }
            let req = request("POST", url, accept: "application/dicom+json", body: .stream(StreamedBody(body)),
                              headers: [("Content-Type", body.contentType)])
            let c = BodyCollector(limit: options.maximumJSONResponse, url: url.absoluteString)
            let head: HTTPResponseHead
            do {
                head = try transport.perform(req, handler: c)
            } catch {
                switch body.failure {
                case .boundaryInData?: continue
                case .read(let p, let reason)?: throw DICOMwebError(.io, "\(p): cannot be read while it was sent: \(reason)", url: url.absoluteString)
                case nil: throw error
                }
            }
            if case .boundaryInData? = body.failure { continue }
            if case .read(let p, let reason)? = body.failure {
                throw DICOMwebError(.io, "\(p): cannot be read while it was sent: \(reason)", url: url.absoluteString)
            }
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
            return STOWResult.match(batch, response: response, status: head.status, error: error, unreadable: unreadable)
        }
        throw DICOMwebError(.io, "could not choose a multipart boundary absent from the files")
    }
}
