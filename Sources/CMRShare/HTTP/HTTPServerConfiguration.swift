/// Settings of an `HTTPServer`; the defaults suit a server behind a reverse proxy on the same host.
public struct HTTPServerConfiguration: Sendable {
    /// A numeric IPv4 or IPv6 address.
    public var host = "127.0.0.1"
    /// 0: any free port (read `HTTPServer.port` after `start`).
    public var port: UInt16 = 8080
    /// Binding an address other than loopback must be asked for: the server speaks plain HTTP and
    /// is meant to sit behind a TLS proxy on the same machine.
    public var allowNonLoopback = false
    /// Seconds a kept-alive connection may wait for its next request.
    public var idleTimeout: Double = 15
    /// Seconds from a connection's opening, or a request's first byte, to its complete header
    /// block and body; later: 408 and close (slow clients holding connections open).
    public var headerTimeout: Double = 10
    /// Seconds a response write may wait for the client to read.
    public var writeTimeout: Double = 30
    /// Connections open at once; one more is answered 503 and closed.
    public var maxConnections = 256
    public var limits = HTTPRequestParser.Limits()
    /// How long `stop` waits for requests in flight.
    public var stopGrace: Double = 5
    /// Take the client address from the last `X-Forwarded-For` entry, only for connections from a
    /// loopback address (the reverse proxy on this host).
    public var trustProxy = false
    /// Bytes read from a file per write of a file body.
    public var fileChunk = 256 * 1024

    public init() {}
}

/// Why the server could not start.
public struct HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
