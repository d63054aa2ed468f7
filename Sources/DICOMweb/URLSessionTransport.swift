import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `HTTPTransport` over URLSession (libcurl under FoundationNetworking on Linux; HTTPS with the
/// system's trust store). Streamed bodies (STOW) are read synchronously as libcurl asks; bodies from files are uploaded with `uploadTask(fromFile:)`, which
/// streams them from disk; responses are handed to the handler chunk by chunk from the
/// delegate, never collected, or, with `spoolToDisk`, written as it arrives to a spool file (in
/// the temporary folder, unlinked as soon as it is made: nothing is left behind however the
/// request or the process ends) and handed over from it once the response is complete (bounded
/// memory whatever the handler's speed). A response that breaks off is handed over as far as it
/// came, then its error thrown, so the handler keeps what was complete. Redirects are not
/// followed (credentials must not travel to another host): a 3xx is returned as it is. No
/// cookies, no cache.
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
        var spool: Int32 = -1
        defer { if spool >= 0 { _ = Glibc.close(spool) } }
        switch request.body {
        case .none where request.spoolToDisk:
            spool = try Self.spoolFile()
            task = session.dataTask(with: r)
        case .none:
            task = session.dataTask(with: r)
        case .bytes(let b):
            task = session.uploadTask(with: r, from: Data(b))
        case .file(let path):
            // Not `httpBodyStream`: FoundationNetworking then sends `Transfer-Encoding: chunked`
            // beside our Content-Length (seen with 6.x: both headers, chunked framing), an invalid
            // request that servers read differently. An upload from a file sends Content-Length only.
            task = session.uploadTask(with: r, fromFile: URL(fileURLWithPath: path))
        case .stream(let body):
            // Read synchronously by FoundationNetworking as libcurl asks; chunked framing. The
            // task's own delegate answers `needNewBodyStream` when libcurl sends it again.
            r.httpBodyStream = body.newStream()
            task = session.dataTask(with: r)
            task.delegate = delegate
        }
        let state = TaskState(handler: handler, spool: spool)
        if case .stream(let body) = request.body { state.body = body }
        delegate.register(task, state)
        defer { delegate.unregister(task) }
        task.resume()
        state.done.wait()
        let url = request.url.absoluteString
        if let e = state.handlerError { throw e }
        if let e = state.transportError, !state.challenged {
            // What came before the break: the handler keeps the parts that were complete.
            if spool >= 0, let head = state.head, (200..<300).contains(head.status) { try? Self.replay(spool, head, to: handler) }
            throw Self.map(e, url: url)
        }
        if state.challenged, !state.headDelivered, let head = state.head { try handler.received(head: head) }
        guard let head = state.head else {
            throw DICOMwebError(.malformedResponse, "\(url): no HTTP response", url: url)
        }
        if spool >= 0, !state.challenged { try Self.replay(spool, head, to: handler) }
        return head
    }

    /// A spool file in the temporary folder, already unlinked: only its descriptor holds it.
    static func spoolFile() throws -> Int32 {
        var folder = NSTemporaryDirectory()
        while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
        var template = Array((folder + "/cmr-spool-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw DICOMwebError(.io, "cannot create a spool file in \(folder): \(String(cString: strerror(errno)))")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    /// Hands a spooled response over: the head, then the body in 1 MiB reads from the start.
    static func replay(_ fd: Int32, _ head: HTTPResponseHead, to handler: HTTPResponseHandler) throws {
        try handler.received(head: head)
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw DICOMwebError(.io, "cannot rewind the spool file: \(String(cString: strerror(errno)))") }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw DICOMwebError(.io, "cannot read the spool file: \(String(cString: strerror(errno)))") }
            if n == 0 { return }
            try buffer.withUnsafeBytes { try handler.received(body: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
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
        /// A streamed request body, to start again when libcurl resends the request.
        var body: StreamedBody?
        /// The spool file's descriptor (-1: the response goes straight to the handler).
        let spool: Int32
        let done = DispatchSemaphore(value: 0)
        init(handler: HTTPResponseHandler, spool: Int32 = -1) {
            self.handler = handler
            self.spool = spool
        }
    }

    final class Delegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
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
            if s.spool >= 0 { completionHandler(.allow); return }   // handed over from the spool at the end
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
            if s.spool >= 0 {
                let ok = data.withUnsafeBytes { b -> Bool in
                    var done = 0
                    while done < b.count {
                        let n = Glibc.write(s.spool, b.baseAddress! + done, b.count - done)
                        if n < 0 && errno == EINTR { continue }
                        if n <= 0 { return false }
                        done += n
                    }
                    return true
                }
                if !ok {
                    s.handlerError = DICOMwebError(.io, "cannot write the spool file in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
                    dataTask.cancel()
                }
                return
            }
            do {
                try data.withUnsafeBytes { try s.handler.received(body: $0) }
            } catch {
                s.handlerError = error
                dataTask.cancel()
            }
        }

        /// libcurl sends the request again (a kept-alive connection was dead): the body from its start.
        func urlSession(_ session: URLSession, task: URLSessionTask, needNewBodyStream completionHandler: @escaping (InputStream?) -> Void) {
            completionHandler(state(task)?.body?.newStream())
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
