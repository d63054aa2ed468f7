#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numeric socket addresses: parsing for `bind`, and text for logs (`127.0.0.1:8080`, `[::1]:8080`).
enum SocketAddress {
    /// `host` (numeric IPv4 or IPv6) and `port` as a socket address for `body`.
    static func withSockaddr<T>(host: String, port: UInt16, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> T) -> T? {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            return generic(&v4, AF_INET, body)
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            return generic(&v6, AF_INET6, body)
        }
        return nil
    }

    /// `address` seen as a generic `sockaddr` of its size.
    private static func generic<A, T>(_ address: inout A, _ family: Int32, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(family, $0, socklen_t(MemoryLayout<A>.size)) }
        }
    }

    /// Whether `host` is a loopback address (127.0.0.0/8 or ::1, also IPv4-mapped).
    static func isLoopback(_ host: String) -> Bool {
        var h = host
        if h.hasPrefix("::ffff:") { h = String(h.dropFirst(7)) }
        var v4 = in_addr()
        if inet_pton(AF_INET, h, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        return h == "::1"
    }

    /// The host text and port of a `sockaddr_storage` filled by `accept` or `getsockname`.
    static func describe(_ storage: inout sockaddr_storage) -> (host: String, port: UInt16) {
        var text = [CChar](repeating: 0, count: 64)
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    var a = p.pointee.sin6_addr
                    inet_ntop(AF_INET6, &a, &text, 64)
                    return (cText(text), UInt16(bigEndian: p.pointee.sin6_port))
                }
            }
        }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                var a = p.pointee.sin_addr
                inet_ntop(AF_INET, &a, &text, 64)
                return (cText(text), UInt16(bigEndian: p.pointee.sin_port))
            }
        }
    }

    static func text(host: String, port: UInt16) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// The text of a NUL-terminated C buffer.
func cText(_ chars: [CChar]) -> String {
    String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
