import Foundation
import DICOMNetwork

/// A TCP proxy on 127.0.0.1 between a client and a real peer that injects one fault: after
/// `after` bytes have gone from the client to the peer (or from the peer to the client), it
/// either cuts both connections (`.cut`: the peer died, the cable was pulled) or stops forwarding
/// while keeping them open (`.stall`: the peer hangs). Connections made after the fault pass
/// through untouched unless `every` is set, so a client that reconnects can be tested too.
/// With `acrossConnections`, `after` counts the bytes of every connection in that direction
/// together (one budget for the proxy's life), so a fault lands at a byte offset of the whole
/// exchange whether or not the client (an HTTP client with keep-alive) reuses its connection;
/// the fault then fires once (`every` does not apply). `thenEach` then cuts (or stalls) every
/// later connection after that many bytes, until `disarm()`: libcurl sends a request cut on a
/// kept-alive connection once more by itself, on a new one, and a test of a lost request must
/// lose that one too.
final class FaultProxy: @unchecked Sendable {
    enum Fault { case cut, stall }
    enum Direction { case toPeer, toClient }

    let listener: SocketListener
    let upstreamPort: UInt16
    let fault: Fault
    let direction: Direction
    let after: Int
    let every: Bool
    let acrossConnections: Bool
    private let lock = NSLock()
    private var fired = false
    private var stopped = false
    private var generation = 0
    private var open: [SocketTransport] = []
    private var accepted = 0
    private var shared: Budget?
    private var thenEach: Int?

    var port: UInt16 { listener.port }
    var hasFired: Bool { lock.withLock { fired } }
    /// Connections accepted so far.
    var connections: Int { lock.withLock { accepted } }

    init(to upstreamPort: UInt16, fault: Fault, direction: Direction = .toPeer, after: Int, every: Bool = false,
         acrossConnections: Bool = false, thenEach: Int? = nil) throws {
        self.thenEach = thenEach
        self.listener = try SocketListener(host: "127.0.0.1", port: 0)
        self.upstreamPort = upstreamPort
        self.fault = fault
        self.direction = direction
        self.after = after
        self.every = every
        self.acrossConnections = acrossConnections
        self.shared = acrossConnections ? Budget(after) : nil
        Thread { [self] in acceptLoop() }.start()
    }

    /// Closes the connections made so far (a stalled peer gives up) and keeps accepting new ones,
    /// which pass through once the fault has fired.
    func dropConnections() {
        let sockets: [SocketTransport] = lock.withLock { generation += 1; let o = open; open = []; return o }
        for s in sockets { s.close() }
    }

    /// Later connections pass untouched (`thenEach` no longer applies).
    func disarm() { lock.withLock { thenEach = nil } }

    func stop() {
        let sockets: [SocketTransport] = lock.withLock { stopped = true; return open }
        for s in sockets { s.close() }
        listener.close()
    }

    private func acceptLoop() {
        while !lock.withLock({ stopped }) {
            guard let client = try? listener.accept(timeout: 0.2) else { continue }
            guard let peer = try? SocketTransport.connect(host: "127.0.0.1", port: upstreamPort, timeout: 5) else { client.close(); continue }
            let (armed, later): (Bool, Int?) = lock.withLock { open += [client, peer]; accepted += 1; return (every || !fired, fired ? thenEach : nil) }
            let budget = later.map { Budget($0) } ?? (armed ? shared ?? Budget(after) : Budget(Int.max))
            Thread { [self] in pump(from: client, to: peer, counting: direction == .toPeer ? budget : nil) }.start()
            Thread { [self] in pump(from: peer, to: client, counting: direction == .toClient ? budget : nil) }.start()
        }
    }

    final class Budget: @unchecked Sendable {
        let lock = NSLock()
        var left: Int
        /// The fault fired on these bytes: count no more (a shared budget lets later bytes pass).
        var spent = false
        init(_ left: Int) { self.left = left }
    }

    private func pump(from: SocketTransport, to: SocketTransport, counting budget: Budget?) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n: Int
            do { n = try buffer.withUnsafeMutableBytes { try from.read(into: $0, timeout: 1) } } catch {
                if case let e as DICOMNetworkError = error, e.kind == .timeout { if lock.withLock({ stopped }) { break }; continue }
                break
            }
            if n == 0 { break }
            var forward = n
            var trip = false
            if let budget {
                budget.lock.withLock {
                    guard !budget.spent else { return }
                    if budget.left <= n {
                        forward = budget.left; trip = true; budget.left = 0; budget.spent = true
                    } else {
                        budget.left -= n
                    }
                }
            }
            if forward > 0 {
                do { try buffer.withUnsafeBytes { try to.write([UnsafeRawBufferPointer(rebasing: $0[0..<forward])]) } } catch { break }
            }
            if trip {
                lock.withLock { fired = true }
                switch fault {
                case .cut:
                    from.close(); to.close()
                    return
                case .stall:
                    // Hold both connections open and forward nothing more, until dropped or stopped.
                    let mine = lock.withLock { generation }
                    while lock.withLock({ !stopped && generation == mine }) { usleep(50_000) }
                    from.close(); to.close()
                    return
                }
            }
        }
        from.close()
        to.close()
    }
}
