import Foundation
import DICOMCore
import DICOMCoding

extension DICOMwebClient {
    /// QIDO-RS: one page of matches (204 No Content is an empty page).
    public func search(_ query: QIDOQuery) throws -> [DataSet] {
        let url = self.url(query.path, query: query.queryItems)
        let (head, body) = try fetch(request("GET", url, accept: "application/dicom+json"))
        if head.status == 204 || body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [] }
        do {
            return try DICOMJSON.decodeList(body)
        } catch {
            throw DICOMwebError(.malformedResponse, "\(url.absoluteString): QIDO response is not DICOM JSON: \(error)", url: url.absoluteString)
        }
    }

    /// QIDO-RS over every page: `limit = pageSize`, `offset` advanced until a page comes back
    /// short, or `maximum` matches are in hand. `onPage` sees each page as it comes.
    public func searchAll(_ query: QIDOQuery, pageSize: Int = 100, maximum: Int = .max,
                          onPage: (([DataSet]) -> Void)? = nil) throws -> [DataSet] {
        var all: [DataSet] = []
        var q = query
        q.limit = max(1, pageSize)
        var offset = query.offset ?? 0
        while all.count < maximum {
            q.offset = offset
            let page = try search(q)
            onPage?(page)
            all += page.prefix(maximum - all.count)
            if page.count < q.limit! { break }
            offset += page.count
        }
        return all
    }
}
