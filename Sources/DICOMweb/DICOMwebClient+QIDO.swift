import Foundation
import DICOMCore
import DICOMCoding

extension DICOMwebClient {
    /// QIDO-RS: one page of matches (204 No Content is an empty page).
    public func search(_ query: QIDOQuery) throws -> [DataSet] {
        try searchPage(query).matches
    }

    /// One page, and whether the server said it capped the page (`Warning: 299`, PS3.18 §8.3.4.4:
    /// "the number of results exceeded the maximum supported by the server").
    public func searchPage(_ query: QIDOQuery) throws -> (matches: [DataSet], capped: Bool) {
        let url = self.url(query.path, query: query.queryItems)
        let (head, body) = try fetch(request("GET", url, accept: "application/dicom+json"))
        let capped = head.warningCodes.contains(299)
        if head.status == 204 || body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return ([], capped) }
        do {
            return (try DICOMJSON.decodeList(body), capped)
        } catch {
            throw DICOMwebError(.malformedResponse, "\(url.absoluteString): QIDO response is not DICOM JSON: \(error)", url: url.absoluteString)
        }
    }

    /// QIDO-RS over every page: `limit = pageSize`, `offset` advanced by what each page held,
    /// until a page comes back empty, or short without `Warning: 299` (a server that caps the
    /// limit below `pageSize` says so with that warning, and its short pages are not the end),
    /// or `maximum` matches are in hand. `onPage` sees each page as it comes.
    public func searchAll(_ query: QIDOQuery, pageSize: Int = 100, maximum: Int = .max,
                          onPage: (([DataSet]) -> Void)? = nil) throws -> [DataSet] {
        var all: [DataSet] = []
        var q = query
        q.limit = max(1, pageSize)
        var offset = query.offset ?? 0
        while all.count < maximum {
            q.offset = offset
            let (page, capped) = try searchPage(q)
            onPage?(page)
            all += page.prefix(maximum - all.count)
            if page.isEmpty || (page.count < q.limit! && !capped) { break }
            offset += page.count
        }
        return all
    }
}

extension HTTPResponseHead {
    /// The warn-codes of the `Warning` header (RFC 7234 §5.5: `299 host "text"`, comma-separated).
    public var warningCodes: [Int] {
        guard let raw = header("Warning") else { return [] }
        var codes: [Int] = []
        var inQuotes = false, atStart = true, digits = ""
        for ch in raw {
            if ch == "\"" { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if ch == "," { atStart = true; digits = ""; continue }
            if atStart {
                if ch.isNumber { digits.append(ch); continue }
                if ch == " " && digits.isEmpty { continue }
                if let c = Int(digits), digits.count == 3 { codes.append(c) }
                atStart = false
                digits = ""
            }
        }
        if atStart, digits.count == 3, let c = Int(digits) { codes.append(c) }
        return codes
    }
}
