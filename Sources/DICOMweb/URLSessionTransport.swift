import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `HTTPTransport` over URLSession (libcurl under FoundationNetworking on Linux; HTTPS with the
/// system's trust store). Bodies from files are uploaded with `uploadTask(fromFile:)`, which
/// streams them from disk; responses are handed to the handler chunk by chunk from the
/// delegate, never collected, or, with `spoolToDisk`, landed in a temporary file by a download
/// task and handed over from it (bounded memory whatever the handler's speed). Redirects are not followed (credentials must not travel to another
/// host): a 3xx is returned as it is. No cookies, no cache.
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    /// Seconds without any data before a request fails (URLSession's request timeout).
    public let idleTimeout: TimeInterval
    /// Seconds for a whole request, body and response (URLSession's resource timeout).
    public let totalTimeout: TimeInterval
    private let session: URLSession
    private let delegate: Delegate

    public init(idleTimeout: TimeInterval = 60, totalTimeout: TimeInterval = 24 * 3600) {
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = idleTimeout
        config.timeoutIntervalForResource = totalTimeout
        config.httpCookieAcceptPolicy = .never
        config.httpShouldSetCookies = false
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        delegate = Delegate()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: config, delegate: delegate, delegateQueue: queue)
    }

    deinit { session.invalidateAndCancel() }

    public func perform(_ request: HTTPRequest, handler: HTTPResponseHandler) throws -> HTTPResponseHead {
        var r = URLRequest(url: request.url)
        r.httpMethod = request.method
        r.timeoutInterval = idleTimeout
        for h in request.headers { r.setValue(h.value, forHTTPHeaderField: h.name) }
        let task: URLSessionTask
        switch request.body {
        case .none where request.spoolToDisk:
            task = session.downloadTask(with: r)
        case .none:
            task = session.dataTask(with: r)
        case .bytes(let b):
            task = session.uploadTask(with: r, from: Data(b))
        case .file(let path):
            // Not `httpBodyStream`: FoundationNetworking then sends `Transfer-Encoding: chunked`
            // beside our Content-Length (seen with 6.x: both headers, chunked framing), an invalid
            // request that servers read differently. An upload from a file sends Content-Length only.
            task = session.uploadTask(with: r, fromFile: URL(fileURLWithPath: path))
        }
        let state = TaskState(handler: handler)
        delegate.register(task, state)
        defer { delegate.unregister(task) }
        task.resume()
        state.done.wait()
        let url = request.url.absoluteString
        if let e = state.handlerError { throw e }
        if let e = state.transportError, !state.challenged { throw Self.map(e, url: url) }
        if state.challenged, !state.headDelivered, let head = state.head { try handler.received(head: head) }
        guard let head = state.head else {
            throw DICOMwebError(.malformedResponse, "\(url): no HTTP response", url: url)
        }
        return head
    }

    static func map(_ error: Error, url: String) -> DICOMwebError {
        let ns = error as NSError
        if let u = error as? URLError {
            switch u.code {
            case .timedOut: return DICOMwebError(.timeout, "\(url): timed out", url: url)
            case .cancelled: return DICOMwebError(.unavailable, "\(url): cancelled", url: url)
            case .unsupportedURL, .badURL: return DICOMwebError(.refused, "\(url): \(u.localizedDescription)", url: url)
            default: return DICOMwebError(.unavailable, "\(url): \(u.localizedDescription) (URLError \(u.code.rawValue))", url: url)
            }
        }
        return DICOMwebError(.unavailable, "\(url): \(ns.localizedDescription)", url: url)
    }

    final class TaskState: @unchecked Sendable {
        let handler: HTTPResponseHandler
        var head: HTTPResponseHead?
        var handlerError: Error?
        var transportError: Error?
        /// The response was an authentication challenge, answered by cancelling.
        var challenged = false
        var headDelivered = false
        let done = DispatchSemaphore(value: 0)
        init(handler: HTTPResponseHandler) { self.handler = handler }
    }

    final class Delegate: NSObject, URLSessionDataDelegate, URLSessionDownloadDelegate, @unchecked Sendable {
        private let lock = NSLock()
        private var states: [Int: TaskState] = [:]

        func register(_ task: URLSessionTask, _ s: TaskState) { lock.lock(); states[task.taskIdentifier] = s; lock.unlock() }
        func unregister(_ task: URLSessionTask) { lock.lock(); states[task.taskIdentifier] = nil; lock.unlock() }
        private func state(_ task: URLSessionTask) -> TaskState? { lock.lock(); defer { lock.unlock() }; return states[task.taskIdentifier] }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            guard let s = state(dataTask), let http = response as? HTTPURLResponse else { completionHandler(.cancel); return }
            // An interim response (100 Continue) is passed up by FoundationNetworking: not the answer.
            if http.statusCode < 200 { completionHandler(.allow); return }
            let head = HTTPResponseHead(http)
            s.head = head
            s.headDelivered = true
            do {
                try s.handler.received(head: head)
                completionHandler(.allow)
            } catch {
                s.handlerError = error
                completionHandler(.cancel)
            }
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            guard let s = state(dataTask), s.handlerError == nil else { return }
            do {
                try data.withUnsafeBytes { try s.handler.received(body: $0) }
            } catch {
                s.handlerError = error
                dataTask.cancel()
            }
        }

        /// A spooled response is complete on disk: hand it over in 1 MiB reads (the file is
        /// removed by URLSession when this returns).
        func urlSession(_ session: URLSession, downloadTask: URLSessionDownloadTask, didFinishDownloadingTo location: URL) {
            guard let s = state(downloadTask), let http = downloadTask.response as? HTTPURLResponse else { return }
            let head = HTTPResponseHead(http)
            s.head = head
            s.headDelivered = true
            do {
                try s.handler.received(head: head)
                let fd = Glibc.open(location.path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw DICOMwebError(.io, "cannot open the downloaded response \(location.path)") }
                defer { _ = Glibc.close(fd) }
                var buffer = [UInt8](repeating: 0, count: 1 << 20)
                while true {
                    let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { throw DICOMwebError(.io, "cannot read the downloaded response \(location.path)") }
                    if n == 0 { break }
                    try buffer.withUnsafeBytes { try s.handler.received(body: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                }
            } catch {
                s.handlerError = error
            }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
            completionHandler(nil)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                        completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
            // FoundationNetworking's default handling of a 401 challenge never completes the
            // task (seen with swift-corelibs-foundation 6.x): answer the challenge ourselves by
            // handing the 401 (or 407) to the caller and cancelling, so that the client sees an
            // HTTP status it can report, as it does for any other error status.
            guard let s = state(task) else { completionHandler(.cancelAuthenticationChallenge, nil); return }
            var head = HTTPResponseHead(status: challenge.protectionSpace.isProxy() ? 407 : 401)
            if let r = challenge.failureResponse as? HTTPURLResponse {
                head = HTTPResponseHead(r)
            }
            if s.head == nil { s.head = head }
            s.challenged = true
            completionHandler(.cancelAuthenticationChallenge, nil)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            guard let s = state(task) else { return }
            if let error, s.handlerError == nil { s.transportError = error }
            s.done.signal()
        }
    }
}

extension HTTPResponseHead {
    init(_ http: HTTPURLResponse) {
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k)] = String(describing: v) }
        self.init(status: http.statusCode, headers: headers)
    }
}
