import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server on POSIX sockets and Dispatch, for `cmr share serve` behind a TLS proxy.
///
/// Threads: one event thread owns the listening socket and every connection waiting for a
/// request; it `poll`s them all (and a wake-up pipe), reads what arrives into each connection's
/// `HTTPRequestParser`, and enforces the timeouts. A complete request moves its connection to a
/// concurrent Dispatch queue, where the handler runs and the response is written (blocking, with
/// `poll` bounding each wait); the connection then comes back to the event thread for its next
/// request. So an idle or slow client costs a file descriptor, never a thread, and handlers run
/// on as many threads as Dispatch gives to CPU work.
///
/// Limits: parser limits (`HTTPServerConfiguration.limits`), a header timeout (slow clients: 408
/// and close), an idle timeout for kept-alive connections, a write timeout, and at most
/// `maxConnections` open (one more is answered 503). Error responses are followed by a lingering
/// close (shut down writing, discard input for up to 2 s), so the client reads the status rather
/// than a reset.
///
/// Every response carries `Cache-Control: no-store`, `X-Content-Type-Options: nosniff`,
/// `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`, and a `Content-Security-Policy`
/// (`default-src 'none'` unless the handler set its own).
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    public let configuration: HTTPServerConfiguration
    let handler: Handler
    /// The port bound, once started.
    public private(set) var port: UInt16 = 0
    /// `host:port` (`[v6]:port`) bound, once started.
    public var listenAddress: String { SocketAddress.text(host: configuration.host, port: port) }

    private let lock = NSLock()
    private var listenFD: Int32 = -1
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var stopping = false
    private var started = false
    private var loopFinished = false
    /// Event thread only: accepting is paused until then after running out of descriptors.
    private var acceptPausedUntil: UInt64 = 0
    private var open = 0
    private var returned: [Connection] = []
    private let inFlight = DispatchGroup()
    private let loopDone = DispatchSemaphore(value: 0)
    private let workers = DispatchQueue(label: "cmr.http.workers", attributes: .concurrent)

    public init(configuration: HTTPServerConfiguration = HTTPServerConfiguration(), handler: @escaping Handler) {
        self.configuration = configuration
        self.handler = handler
    }

    deinit { stop() }

    /// Connections open now (waiting, being served or closing).
    public var openConnections: Int { lock.withLock { open } }

    /// Binds, listens and starts the event thread. Throws for an address that is not numeric, not
    /// loopback without `allowNonLoopback`, or cannot be bound.
    public func start() throws(HTTPServerError) {
        let c = configuration
        if !c.allowNonLoopback && !SocketAddress.isLoopback(c.host) {
            throw HTTPServerError("\(c.host) is not a loopback address; the server speaks plain HTTP and belongs behind a TLS proxy on this host (allow it explicitly to bind another address)")
        }
        var failure = ""
        let fd: Int32? = SocketAddress.withSockaddr(host: c.host, port: c.port) { family, addr, len in
            #if canImport(Glibc)
            let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            #else
            let fd = socket(family, SOCK_STREAM, 0)
            #endif
            guard fd >= 0 else { failure = "socket: \(Self.errnoText())"; return -1 }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            guard bind(fd, addr, len) == 0, listen(fd, 511) == 0 else {
                failure = "cannot listen on \(SocketAddress.text(host: c.host, port: c.port)): \(Self.errnoText())"
                Self.closeFD(fd)
                return -1
            }
            Self.setNonBlocking(fd)
            return fd
        }
        guard let fd else { throw HTTPServerError("\(c.host) is not a numeric IPv4 or IPv6 address") }
        guard fd >= 0 else { throw HTTPServerError(failure) }
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        port = SocketAddress.describe(&storage).port
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            Self.closeFD(fd)
            throw HTTPServerError("pipe: \(Self.errnoText())")
        }
        for p in pipeFDs {
            Self.setNonBlocking(p)
            _ = fcntl(p, F_SETFD, FD_CLOEXEC)
        }
        lock.withLock {
            listenFD = fd
            wakeRead = pipeFDs[0]
            wakeWrite = pipeFDs[1]
            started = true
        }
        // A thread of its own: it blocks in poll for the server's whole life.
        let thread = Thread { [self] in
            eventLoop()
            loopDone.signal()
        }
        thread.name = "cmr.http.events"
        thread.start()
    }

    /// Stops accepting, closes waiting connections, waits up to `stopGrace` seconds for requests
    /// in flight (their connections close after the response), and releases every descriptor.
    public func stop() {
        let wasRunning: Bool = lock.withLock {
            defer { stopping = true }
            return started && !stopping
        }
        guard wasRunning else { return }
        wake()
        loopDone.wait()
    }

    // MARK: Event thread

    final class Connection: @unchecked Sendable {
        let fd: Int32
        let peerHost: String
        let peer: String
        var parser: HTTPRequestParser
        var deadline: UInt64
        /// Closing: writing shut down, input discarded until end of file or the deadline.
        var lingering = false
        var midRequest = false

        init(fd: Int32, peerHost: String, peer: String, limits: HTTPRequestParser.Limits, deadline: UInt64) {
            self.fd = fd
            self.peerHost = peerHost
            self.peer = peer
            self.parser = HTTPRequestParser(limits: limits)
            self.deadline = deadline
        }
    }

    private func eventLoop() {
        let c = configuration
        var waiting: [Int32: Connection] = [:]
        var pfds: [pollfd] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let (isStopping, back) = lock.withLock { () -> (Bool, [Connection]) in
                defer { returned.removeAll() }
                return (stopping, returned)
            }
            var now = Self.now()
            for conn in back {
                if isStopping && !conn.lingering { closeConnection(conn); continue }
                waiting[conn.fd] = conn
            }
            if isStopping { break }
            pfds.removeAll(keepingCapacity: true)
            pfds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            // Out of descriptors: the listener stays readable, so leave it alone for a moment.
            let accepting = acceptPausedUntil <= now
            pfds.append(pollfd(fd: accepting ? listenFD : -1, events: Int16(POLLIN), revents: 0))
            var nearest = accepting ? UInt64.max : acceptPausedUntil
            for (fd, conn) in waiting {
                pfds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
                nearest = min(nearest, conn.deadline)
            }
            let timeout = nearest == .max ? -1 : Int32(min(60_000, (nearest &- min(nearest, now)) / 1_000_000 + 1))
            let ready = poll(&pfds, nfds_t(pfds.count), timeout)
            if ready < 0 && errno != EINTR { break }
            now = Self.now()
            if pfds[0].revents != 0 { drainWake() }
            if pfds[1].revents != 0 { acceptAll(into: &waiting, now: now) }
            for p in pfds.dropFirst(2) where p.revents != 0 {
                guard let conn = waiting[p.fd] else { continue }
                let n = recv(conn.fd, &buffer, buffer.count, 0)
                if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
                if n <= 0 {
                    waiting[p.fd] = nil
                    closeConnection(conn)
                    continue
                }
                if conn.lingering { continue }
                conn.parser.append(buffer[0..<n])
                received(conn, now: now, waiting: &waiting)
            }
            for (fd, conn) in waiting where conn.deadline <= now {
                waiting[fd] = nil
                if !conn.lingering && conn.parser.isMidRequest {
                    dispatchError(conn, HTTPParseError(408, "the request did not arrive within \(Self.seconds(c.headerTimeout)) s"))
                } else {
                    closeConnection(conn)
                }
            }
        }
        // Stopping: no new connections; close the waiting ones, let requests in flight finish.
        lock.withLock {
            Self.closeFD(listenFD)
            listenFD = -1
        }
        for conn in waiting.values { closeConnection(conn) }
        _ = inFlight.wait(timeout: .now() + c.stopGrace)
        let late = lock.withLock { () -> [Connection] in
            loopFinished = true
            defer { returned.removeAll() }
            return returned
        }
        for conn in late { closeConnection(conn) }
        lock.withLock {
            Self.closeFD(wakeRead)
            Self.closeFD(wakeWrite)
            wakeRead = -1
            wakeWrite = -1
        }
    }

    /// Bytes arrived on a waiting connection: a complete request goes to a worker.
    private func received(_ conn: Connection, now: UInt64, waiting: inout [Int32: Connection]) {
        if !conn.midRequest && conn.parser.isMidRequest {
            conn.midRequest = true
            conn.deadline = now + Self.nanoseconds(configuration.headerTimeout)
        }
        do throws(HTTPParseError) {
            guard let request = try conn.parser.next() else { return }
            waiting[conn.fd] = nil
            dispatchRequest(conn, request)
        } catch {
            waiting[conn.fd] = nil
            dispatchError(conn, error)
        }
    }

    private func acceptAll(into waiting: inout [Int32: Connection], now: UInt64) {
        while true {
            var storage = sockaddr_storage()
            var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Self.systemAccept(listenFD, $0, &len) } }
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                // EAGAIN: none left; EMFILE, ENFILE, ENOBUFS: pause accepting for 100 ms.
                if errno != EAGAIN && errno != EWOULDBLOCK { acceptPausedUntil = now + 100_000_000 }
                return
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            Self.setNonBlocking(fd)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            #if canImport(Darwin)
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            let (host, port) = SocketAddress.describe(&storage)
            let full: Bool = lock.withLock {
                open += 1
                return open > configuration.maxConnections
            }
            let conn = Connection(fd: fd, peerHost: host, peer: SocketAddress.text(host: host, port: port),
                                  limits: configuration.limits, deadline: now + Self.nanoseconds(configuration.headerTimeout))
            if full {
                dispatchError(conn, HTTPParseError(503, "too many connections; try again"))
            } else {
                waiting[fd] = conn
            }
        }
    }

    // MARK: Workers

    private func dispatchRequest(_ conn: Connection, _ first: HTTPRequest) {
        inFlight.enter()
        workers.async { [self] in
            defer { inFlight.leave() }
            var request = first
            while true {
                request.remoteAddress = remoteAddress(conn, request)
                let response = handler(request)
                let isStopping = lock.withLock { stopping }
                let keepAlive = request.keepAlive && !isStopping
                guard write(response, to: conn, keepAlive: keepAlive, head: request.method == "HEAD"), keepAlive else {
                    closeConnection(conn)
                    return
                }
                do throws(HTTPParseError) {
                    guard let next = try conn.parser.next() else { break }
                    request = next
                } catch {
                    _ = write(Self.errorResponse(error), to: conn, keepAlive: false, head: false)
                    linger(conn)
                    return
                }
            }
            conn.midRequest = false
            let now = Self.now()
            if conn.parser.isMidRequest {
                conn.midRequest = true
                conn.deadline = now + Self.nanoseconds(configuration.headerTimeout)
            } else {
                conn.deadline = now + Self.nanoseconds(configuration.idleTimeout)
            }
            giveBack(conn)
        }
    }

    private func dispatchError(_ conn: Connection, _ error: HTTPParseError) {
        inFlight.enter()
        workers.async { [self] in
            defer { inFlight.leave() }
            var response = Self.errorResponse(error)
            if error.status == 503 { response.headers.set("Retry-After", "1") }
            _ = write(response, to: conn, keepAlive: false, head: false)
            linger(conn)
        }
    }

    static func errorResponse(_ error: HTTPParseError) -> HTTPResponse {
        .text(error.status, "\(error.status) \(HTTPResponse.reason(error.status)): \(error.message)\n")
    }

    /// Shuts down writing and hands the connection to the event thread to discard input until the
    /// client closes (or 2 s), so a response is not lost to a reset.
    private func linger(_ conn: Connection) {
        shutdown(conn.fd, Int32(SHUT_WR))
        conn.lingering = true
        conn.deadline = Self.now() + 2_000_000_000
        giveBack(conn)
    }

    private func giveBack(_ conn: Connection) {
        let late: Bool = lock.withLock {
            if loopFinished { return true }
            returned.append(conn)
            return false
        }
        if late { closeConnection(conn) } else { wake() }
    }

    private func closeConnection(_ conn: Connection) {
        Self.closeFD(conn.fd)
        lock.withLock { open -= 1 }
    }

    func remoteAddress(_ conn: Connection, _ request: HTTPRequest) -> String {
        guard configuration.trustProxy, SocketAddress.isLoopback(conn.peerHost),
              let forwarded = request.headers.values("X-Forwarded-For").last,
              let last = forwarded.split(separator: ",").last?.trimmingSpaces, !last.isEmpty else { return conn.peer }
        return String(last)
    }

    // MARK: Writing

    /// The status line and header fields of `response` as sent.
    func head(_ response: HTTPResponse, contentLength: Int, keepAlive: Bool) -> [UInt8] {
        var h = "HTTP/1.1 \(response.status) \(HTTPResponse.reason(response.status))\r\n"
        h += "Date: \(Self.httpDate())\r\n"
        if response.status != 204 && response.status != 304 { h += "Content-Length: \(contentLength)\r\n" }
        h += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        for (name, value) in Self.securityHeaders where !(name == "Content-Security-Policy" && response.headers.contains(name)) {
            h += "\(name): \(value)\r\n"
        }
        for f in response.headers where !Self.serverOwned.contains(f.name.lowercased()) {
            h += "\(f.name): \(f.value)\r\n"
        }
        h += "\r\n"
        return Array(h.utf8)
    }

    /// Header fields on every response.
    public static let securityHeaders: [(String, String)] = [
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ]

    /// Fields the server writes itself; a handler's copies are dropped.
    static let serverOwned: Set<String> = ["content-length", "connection", "date", "cache-control", "transfer-encoding",
                                           "x-content-type-options", "referrer-policy", "x-frame-options"]

    /// Writes the response; false when the client went away or did not read in time.
    private func write(_ response: HTTPResponse, to conn: Connection, keepAlive: Bool, head isHead: Bool) -> Bool {
        switch response.body {
        case .bytes(let body):
            let h = head(response, contentLength: body.count, keepAlive: keepAlive)
            return h.withUnsafeBytes { hb in
                body.withUnsafeBytes { bb in send(conn.fd, isHead ? [hb] : [hb, bb]) }
            }
        case .file(let path):
            let fd = Self.openFile(path)
            var st = stat()
            guard fd >= 0, fstat(fd, &st) == 0 else {
                if fd >= 0 { Self.closeFD(fd) }
                let missing = HTTPResponse.bytes(404, contentType: "application/json", Array(#"{"error":"not-found"}"#.utf8))
                return write(missing, to: conn, keepAlive: keepAlive, head: isHead)
            }
            defer { Self.closeFD(fd) }
            let size = Int(st.st_size)
            let h = head(response, contentLength: size, keepAlive: keepAlive)
            guard h.withUnsafeBytes({ send(conn.fd, [$0]) }) else { return false }
            if isHead { return true }
            var chunk = [UInt8](repeating: 0, count: max(4096, configuration.fileChunk))
            var offset = 0
            while offset < size {
                let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, min($0.count, size - offset), off_t(offset)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }   // the file shrank: the length sent cannot be kept
                guard chunk.withUnsafeBytes({ send(conn.fd, [UnsafeRawBufferPointer(rebasing: $0[0..<n])]) }) else { return false }
                offset += n
            }
            return true
        }
    }

    /// Gathered, non-blocking writes (`sendmsg`, `MSG_NOSIGNAL`), waiting with `poll` up to the
    /// write timeout whenever the socket buffer is full.
    private func send(_ fd: Int32, _ parts: [UnsafeRawBufferPointer]) -> Bool {
        let total = parts.reduce(0) { $0 + $1.count }
        var done = 0
        let deadline = Self.now() + Self.nanoseconds(configuration.writeTimeout)
        while done < total {
            // The parts from byte `done` on.
            var skip = done
            var iov: [iovec] = []
            for part in parts where part.count > 0 {
                if skip >= part.count { skip -= part.count; continue }
                iov.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: part.baseAddress! + skip), iov_len: part.count - skip))
                skip = 0
            }
            var msg = msghdr()
            let sent = iov.withUnsafeMutableBufferPointer { vec -> Int in
                msg.msg_iov = vec.baseAddress
                msg.msg_iovlen = numericCast(vec.count)
                #if canImport(Glibc)
                return sendmsg(fd, &msg, Int32(MSG_NOSIGNAL))
                #else
                return sendmsg(fd, &msg, 0)
                #endif
            }
            if sent >= 0 {
                done += sent
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                let now = Self.now()
                guard now < deadline else { return false }
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, Int32((deadline - now) / 1_000_000 + 1))
            } else if errno != EINTR {
                return false
            }
        }
        return true
    }

    // MARK: System calls

    private func wake() {
        let fd = lock.withLock { wakeWrite }
        guard fd >= 0 else { return }
        var b: UInt8 = 1
        #if canImport(Glibc)
        _ = Glibc.write(fd, &b, 1)
        #else
        _ = Darwin.write(fd, &b, 1)
        #endif
    }

    private func drainWake() {
        var b = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &b, b.count) > 0 {}
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    static func nanoseconds(_ seconds: Double) -> UInt64 { UInt64(max(0, seconds) * 1e9) }
    static func seconds(_ s: Double) -> String { s == s.rounded() ? String(Int(s)) : String(s) }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    static func closeFD(_ fd: Int32) {
        guard fd >= 0 else { return }
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }

    static func openFile(_ path: String) -> Int32 {
        #if canImport(Glibc)
        Glibc.open(path, O_RDONLY | O_CLOEXEC)
        #else
        Darwin.open(path, O_RDONLY | O_CLOEXEC)
        #endif
    }

    static func systemAccept(_ fd: Int32, _ addr: UnsafeMutablePointer<sockaddr>, _ len: UnsafeMutablePointer<socklen_t>) -> Int32 {
        #if canImport(Glibc)
        Glibc.accept(fd, addr, len)
        #else
        Darwin.accept(fd, addr, len)
        #endif
    }

    /// RFC 9110 IMF-fixdate of now.
    static func httpDate() -> String {
        var t = time(nil)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        var text = [CChar](repeating: 0, count: 40)
        strftime(&text, text.count, "%a, %d %b %Y %H:%M:%S GMT", &tmv)
        return cText(text)
    }
}
