import Foundation
@testable import DICOMweb

/// A server in memory: answers each request with a canned status, headers and body, handed to
/// the handler in chunks of `chunkSize` bytes; records the requests (and file bodies' bytes).
final class MockTransport: HTTPTransport, @unchecked Sendable {
    struct Answer {
        var status: Int
        var headers: [String: String] = [:]
        var body: [UInt8] = []
    }

    var answer: (HTTPRequest, [UInt8]) throws -> Answer
    var chunkSize = 7
    private(set) var requests: [HTTPRequest] = []
    private(set) var bodies: [[UInt8]] = []

    init(_ answer: @escaping (HTTPRequest, [UInt8]) throws -> Answer) { self.answer = answer }

    func perform(_ request: HTTPRequest, handler: HTTPResponseHandler) throws -> HTTPResponseHead {
        var sent: [UInt8] = []
        switch request.body {
        case .none: break
        case .bytes(let b): sent = b
        case .file(let p): sent = Array(FileManager.default.contents(atPath: p) ?? Data())
        case .stream(let b):
            guard let all = MultipartFileStream.readAll(b.newStream()) else { throw DICOMwebError(.unavailable, "the body stream failed") }
            sent = all
        }
        requests.append(request)
        bodies.append(sent)
        let a = try answer(request, sent)
        let head = HTTPResponseHead(status: a.status, headers: a.headers)
        try handler.received(head: head)
        var i = 0
        while i < a.body.count {
            let end = min(a.body.count, i + chunkSize)
            try a.body[i..<end].withUnsafeBytes { try handler.received(body: $0) }
            i = end
        }
        return head
    }
}
