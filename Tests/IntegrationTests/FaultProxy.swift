import Foundation
import DICOMNetwork

/// A TCP proxy on 127.0.0.1 between a client and a real peer that injects one fault: after
/// `after` bytes have gone from the client to the peer (or from the peer to the client), it
/// either cuts both connections (`.cut`: the peer died, the cable was pulled) or stops forwarding
/// while keeping them open (`.stall`: the peer hangs). Connections made after the fault pass
/// through untouched unless `every` is set, so a client that reconnects can be tested too.
final class FaultProxy: @unchecked Sendable {
    enum Fault { case cut, stall }
    enum Direction { case toPeer, toClient }

    let listener: SocketListener
    let upstreamPort: UInt16
    let fault: Fault
    let direction: Direction
    let after: Int
    let every: Bool
    private let lock = NSLock()
    private var fired = false
    private var stopped = false
    private var generation = 0
    private var open: [SocketTransport] = []

    var port: UInt16 { listener.port }
    var hasFired: Bool { lock.withLock { fired } }

    init(to upstreamPort: UInt16, fault: Fault, direction: Direction = .toPeer, after: Int, every: Bool = false) throws {
        self.listener = try SocketListener(host: "127.0.0.1", port: 0)
        self.upstreamPort = upstreamPort
        self.fault = fault
        self.direction = direction
        self.after = after
        self.every = every
        Thread { [self] in acceptLoop() }.start()
    }

    /// Closes the connections made so far (a stalled peer gives up) and keeps accepting new ones,
    /// which pass through once the fault has fired.
    func dropConnections() {
        let sockets: [SocketTransport] = lock.withLock { generation += 1; let o = open; open = []; return o }
        for s in sockets { s.close() }
    }

    func stop() {
        let sockets: [SocketTransport] = lock.withLock { stopped = true; return open }
        for s in sockets { s.close() }
        listener.close()
    }

    private func acceptLoop() {
        while !lock.withLock({ stopped }) {
            guard let client = try? listener.accept(timeout: 0.2) else { continue }
            guard let peer = try? SocketTransport.connect(host: "127.0.0.1", port: upstreamPort, timeout: 5) else { client.close(); continue }
            let armed: Bool = lock.withLock { open += [client, peer]; return every || !fired }
            let budget = Budget(armed ? after : Int.max)
            Thread { [self] in pump(from: client, to: peer, counting: direction == .toPeer ? budget : nil) }.start()
            Thread { [self] in pump(from: peer, to: client, counting: direction == .toClient ? budget : nil) }.start()
        }
    }

    final class Budget: @unchecked Sendable {
        let lock = NSLock()
        var left: Int
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
                    if budget.left <= n { forward = budget.left; trip = true; budget.left = 0 } else { budget.left -= n }
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
