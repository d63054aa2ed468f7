#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// TCP over POSIX sockets: connect with a timeout, TCP_NODELAY, gathered writes (`sendmsg` with
/// an iovec per part, so a PDU header and its data leave in one call), reads bounded by `poll`.
public final class SocketTransport: Transport, @unchecked Sendable {
    public private(set) var fd: Int32
    public let peerDescription: String

    public init(connectedSocket fd: Int32, peer: String) {
        self.fd = fd
        self.peerDescription = peer
        Self.configure(fd)
    }

    deinit { close() }

    static func configure(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// Connects to `host:port` (numeric or a name), trying each address until one answers within `timeout` seconds.
    public static func connect(host: String, port: UInt16, timeout: Double) throws -> SocketTransport {
        let peer = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw DICOMNetworkError(.unavailable, "\(peer): cannot resolve host (\(String(cString: gai_strerror(rc))))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var timedOut = false
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            ai = a.pointee.ai_next
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if fd < 0 { lastError = errnoText(); continue }
            let flags = fcntl(fd, F_GETFL, 0)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var r = systemConnect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen)
            if r != 0 && errno == EINPROGRESS {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let p = poll(&pfd, 1, Int32(max(0, timeout) * 1000))
                if p == 0 {
                    timedOut = true
                    lastError = "no answer within \(timeout) s"
                    _ = closeFD(fd)
                    continue
                }
                var err: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                r = err == 0 ? 0 : -1
                if err != 0 { errno = err }
            }
            if r != 0 {
                lastError = errnoText()
                _ = closeFD(fd)
                continue
            }
            _ = fcntl(fd, F_SETFL, flags)
            return SocketTransport(connectedSocket: fd, peer: peer)
        }
        throw DICOMNetworkError(timedOut ? .timeout : .unavailable, "\(peer): cannot connect: \(lastError)")
    }

    public func write(_ parts: [UnsafeRawBufferPointer]) throws {
        guard fd >= 0 else { throw DICOMNetworkError(.unavailable, "\(peerDescription): connection closed") }
        var iov = parts.filter { $0.count > 0 }.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
        var index = 0
        while index < iov.count {
            let sent = iov[index...].withUnsafeMutableBufferPointer { vec -> Int in
                var msg = msghdr()
                msg.msg_iov = vec.baseAddress
                msg.msg_iovlen = numericCast(min(vec.count, 1024))
                #if canImport(Glibc)
                return sendmsg(fd, &msg, Int32(MSG_NOSIGNAL))
                #else
                return sendmsg(fd, &msg, 0)
                #endif
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw DICOMNetworkError(.unavailable, "\(peerDescription): write failed: \(errnoText())")
            }
            var left = sent
            while left > 0, index < iov.count {
                if left >= iov[index].iov_len {
                    left -= iov[index].iov_len
                    index += 1
                } else {
                    iov[index].iov_base = iov[index].iov_base! + left
                    iov[index].iov_len -= left
                    left = 0
                }
            }
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Double?) throws -> Int {
        guard fd >= 0 else { throw DICOMNetworkError(.unavailable, "\(peerDescription): connection closed") }
        while true {
            if let timeout {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let p = poll(&pfd, 1, Int32(max(0, timeout) * 1000))
                if p == 0 { throw DICOMNetworkError(.timeout, "\(peerDescription): no data within \(timeout) s") }
                if p < 0 {
                    if errno == EINTR { continue }
                    throw DICOMNetworkError(.unavailable, "\(peerDescription): poll failed: \(errnoText())")
                }
            }
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            #if canImport(Glibc)
            // Acknowledge at once: a peer with Nagle on (DCMTK as Debian builds it) otherwise holds the
            // rest of each response until this side's delayed ACK, some 40 ms per message.
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), Int32(TCP_QUICKACK), &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { return 0 }
                throw DICOMNetworkError(.unavailable, "\(peerDescription): read failed: \(errnoText())")
            }
            return n
        }
    }

    public func close() {
        if fd >= 0 {
            _ = closeFD(fd)
            fd = -1
        }
    }
}

/// A listening TCP socket for the SCP side.
public final class SocketListener: @unchecked Sendable {
    public private(set) var fd: Int32
    /// The port bound (useful after binding port 0).
    public let port: UInt16

    /// Binds `host` (an IPv4 address, e.g. 127.0.0.1) and `port` (0: any free port).
    public init(host: String = "127.0.0.1", port: UInt16 = 0, backlog: Int32 = 64) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw DICOMNetworkError(.unavailable, "socket: \(errnoText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            _ = closeFD(fd)
            throw DICOMNetworkError(.unavailable, "\(host) is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let e = errnoText()
            _ = closeFD(fd)
            throw DICOMNetworkError(.unavailable, "cannot listen on \(host):\(port): \(e)")
        }
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.fd = fd
        self.port = UInt16(bigEndian: actual.sin_port)
    }

    deinit { close() }

    /// The next inbound connection, or nil when nothing came within `timeout` seconds.
    public func accept(timeout: Double?) throws -> SocketTransport? {
        while true {
            guard fd >= 0 else { throw DICOMNetworkError(.unavailable, "listener closed") }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let p = poll(&pfd, 1, timeout.map { Int32($0 * 1000) } ?? -1)
            if p == 0 { return nil }
            if p < 0 {
                if errno == EINTR { continue }
                throw DICOMNetworkError(.unavailable, "poll: \(errnoText())")
            }
            var addr = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let c = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemAccept(fd, $0, &len) } }
            if c < 0 {
                if errno == EINTR || errno == EAGAIN || errno == ECONNABORTED { continue }
                throw DICOMNetworkError(.unavailable, "accept: \(errnoText())")
            }
            var text = [CChar](repeating: 0, count: 64)
            inet_ntop(AF_INET, &addr.sin_addr, &text, 64)
            let host = text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            return SocketTransport(connectedSocket: c, peer: "\(host):\(UInt16(bigEndian: addr.sin_port))")
        }
    }

    public func close() {
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            _ = closeFD(fd)
            fd = -1
        }
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }

@inline(__always) func closeFD(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}

@inline(__always) func systemConnect(_ fd: Int32, _ addr: UnsafePointer<sockaddr>!, _ len: socklen_t) -> Int32 {
    #if canImport(Glibc)
    return Glibc.connect(fd, addr, len)
    #else
    return Darwin.connect(fd, addr, len)
    #endif
}

@inline(__always) func systemAccept(_ fd: Int32, _ addr: UnsafeMutablePointer<sockaddr>!, _ len: UnsafeMutablePointer<socklen_t>!) -> Int32 {
    #if canImport(Glibc)
    return Glibc.accept(fd, addr, len)
    #else
    return Darwin.accept(fd, addr, len)
    #endif
}
