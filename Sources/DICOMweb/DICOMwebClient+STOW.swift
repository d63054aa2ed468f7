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
    /// was stored. Throws only when no HTTP response arrived (unavailable, timeout), or a
    /// `FileError` naming the file that could not be read while it was sent (the request was
    /// aborted: nothing of the batch was stored).
    public func store(_ batch: [STOWInstance], study: String? = nil) throws -> STOWResult {
        let path = study.map { "studies/" + $0 } ?? "studies"
        let url = self.url(path)
        for _ in 0..<3 {
            let boundary = MultipartWriter<MemorySink>.randomBoundary()
            let first = MultipartFileStream(files: batch.map { ($0.path, $0.storage) }, boundary: boundary)
            let unreadable = Dictionary(first.failedToOpen.map { ($0.path, $0.reason) }, uniquingKeysWith: { a, _ in a })
            let sent = batch.filter { unreadable[$0.path] == nil }
            if sent.isEmpty {
                return STOWResult.match(batch, response: nil, status: nil, error: nil, unreadable: unreadable)
            }
            // The first stream, then a new one each time the transport sends the body again.
            let streams = StreamSupply(first)
            let streamed = StreamedBody { streams.next { MultipartFileStream(files: sent.map { ($0.path, $0.storage) }, boundary: boundary) } }
            let req = request("POST", url, accept: "application/dicom+json", body: .stream(streamed),
                              headers: [("Content-Type", first.contentType)])
            let c = BodyCollector(limit: options.maximumJSONResponse, url: url.absoluteString)
            let head: HTTPResponseHead
            do {
                head = try transport.perform(req, handler: c)
            } catch {
                switch (streamed.streams.last as? MultipartFileStream)?.failure {
                case .boundaryInData?: continue
                case .read(let p, let reason)?: throw FileError(.io, path: p, reason: "cannot be read while it was sent: \(reason)")
                case nil: throw error
                }
            }
            let failure = (streamed.streams.last as? MultipartFileStream)?.failure
            if case .boundaryInData? = failure { continue }
            if case .read(let p, let reason)? = failure {
                throw FileError(.io, path: p, reason: "cannot be read while it was sent: \(reason)")
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

/// Hands out a stream made in advance once, then new ones.
private final class StreamSupply: @unchecked Sendable {
    private let lock = NSLock()
    private var first: MultipartFileStream?
    init(_ first: MultipartFileStream) { self.first = first }
    func next(_ make: () -> MultipartFileStream) -> MultipartFileStream {
        if let f = lock.withLock({ () -> MultipartFileStream? in defer { first = nil }; return first }) { return f }
        return make()
    }
}
