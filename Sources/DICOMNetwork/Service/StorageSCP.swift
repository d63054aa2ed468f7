import Foundation
#if canImport(Glibc)
import Glibc
#endif
import DICOMCore
import DICOMCoding

/// A storage SCP (and Verification SCP): receives C-STORE data sets straight from the PDUs into
/// files, atomically (temporary file, fsync, rename), named `<SOP Instance UID>.dcm` in `directory`.
public final class StorageSCP: @unchecked Sendable {
    public typealias Received = ReceivedInstance

    public let directory: String
    public var policy: AcceptancePolicy
    /// Called on the association's thread for each instance stored, right after its success
    /// response was sent (the file is whole and durable by then): a caller can move it on at once.
    public var onReceived: (@Sendable (Received) -> Void)?
    private let lock = NSLock()
    private var _received: [Received] = []
    private var listener: SocketListener?
    private var stopped = false
    private let group = DispatchGroup()

    /// Every abstract syntax is accepted (it is a storage SCP for whatever comes) in these syntaxes.
    public static let defaultTransferSyntaxes = [TransferSyntax.explicitVRLittleEndianUID, TransferSyntax.implicitVRLittleEndianUID,
                                                 TransferSyntax.deflatedExplicitVRLittleEndianUID, TransferSyntax.explicitVRBigEndianUID]

    /// The asynchronous operations window granted to a requestor that proposes one: its requests
    /// queue in TCP and are served one after the other, in order, so the sender need not wait for
    /// each response before sending the next (docs/dimse.md).
    public static let defaultOperationsWindow: UInt16 = 16

    public init(directory: String, aeTitle: String? = nil, transferSyntaxes: [String] = StorageSCP.defaultTransferSyntaxes,
                timeouts: NetworkTimeouts = NetworkTimeouts()) {
        self.directory = directory
        self.policy = AcceptancePolicy(aeTitle: aeTitle, abstractSyntaxes: [verificationSOPClassUID: [TransferSyntax.implicitVRLittleEndianUID, TransferSyntax.explicitVRLittleEndianUID]],
                                       otherAbstractSyntaxes: transferSyntaxes, timeouts: timeouts)
        policy.operationsWindow = Self.defaultOperationsWindow
    }

    public var received: [Received] { lock.withLock { _received } }

    /// Serves one association on `transport` until the peer releases it; throws when it aborts or breaks the protocol.
    ///
    /// Without a window each instance is made durable (`fsync`) and answered before the next
    /// request is read. With a window of N, requests that are already waiting are read too, up to
    /// N, their files left unsynced; then one sync makes the batch durable and each is answered, in
    /// order: the sender's requests in flight cost one sync instead of one each.
    public func serve(_ transport: Transport) throws {
        let association = try Association.accept(over: transport, policy: policy)
        let calling = association.request.callingAETitle
        let window = max(1, Int(association.acceptance.userInformation.asynchronousOperationsWindow?.maximumInvoked ?? 1))
        var held: [(command: CommandSet, contextID: UInt8, instance: InstanceWriter)] = []
        defer { for h in held { if let t = h.instance.temporary { unlink(t) } } }   // never answered
        while true {
            var instance = InstanceWriter(directory: directory, callingAETitle: calling)
            instance.deferred = window > 1
            let message: (CommandSet, UInt8, [UInt8]?)?
            do {
                message = try association.receiveMessage(timeout: policy.timeouts.dimse) { command, contextID, fragment, isLast in
                    guard command.commandField == .cStoreRQ else { return }
                    instance.add(fragment, isLast: isLast, command: command, transferSyntax: association.transferSyntax(of: contextID))
                }
            } catch {
                instance.abandon()
                throw error
            }
            guard let (command, contextID, _) = message else { return }   // released
            if command.commandField == .cStoreRQ {
                held.append((command, contextID, instance))
                if held.count < window, try association.responseIsWaiting() { continue }
                try answer(&held, association)
                continue
            }
            try answer(&held, association)
            if command.commandField == .cEchoRQ {
                try association.sendCommand(.response(to: command, status: .success), contextID: contextID)
            } else {
                try association.sendCommand(.response(to: command, status: .unrecognizedOperation,
                                                      errorComment: "not supported by this storage SCP"), contextID: contextID)
            }
        }
    }

    /// Makes the held instances durable (one `fsync` for one file, else one sync of the file
    /// system), moves each to its name, syncs the folder, then answers each in order.
    private func answer(_ held: inout [(command: CommandSet, contextID: UInt8, instance: InstanceWriter)], _ association: Association) throws {
        let batch = held
        guard !batch.isEmpty else { return }
        let temporaries = batch.compactMap(\.instance.temporary)
        var syncFailure: String?
        if temporaries.count == 1 {
            let fd = open(temporaries[0], O_RDONLY | O_CLOEXEC)
            if fd < 0 || fsync(fd) != 0 { syncFailure = "\(temporaries[0]): cannot sync: \(String(cString: strerror(errno)))" }
            if fd >= 0 { close(fd) }
        } else if temporaries.count > 1 {
            do { try GroupCommit.syncFileSystem(holding: directory) } catch { syncFailure = "\(error)" }
        }
        var failures: [String?] = []
        for h in batch {
            guard let temporary = h.instance.temporary else { failures.append(h.instance.failure); continue }
            if let syncFailure {
                unlink(temporary)
                failures.append(syncFailure)
                continue
            }
            do {
                try AtomicFileWriter.publish(temporary: temporary, to: h.instance.path, overwrite: true)
                failures.append(nil)
            } catch {
                failures.append("\(error)")
            }
        }
        if let first = batch.first(where: { $0.instance.temporary != nil }) { AtomicFileWriter.syncDirectory(of: first.instance.path) }
        held = []
        for (h, failure) in zip(batch, failures) {
            if let failure {
                try association.sendCommand(.response(to: h.command, status: .refusedOutOfResources, errorComment: failure), contextID: h.contextID)
                continue
            }
            let received = Received(path: h.instance.path, sopClassUID: h.command.affectedSOPClassUID ?? "",
                                    sopInstanceUID: h.command.affectedSOPInstanceUID ?? "", transferSyntaxUID: association.transferSyntax(of: h.contextID),
                                    callingAETitle: association.request.callingAETitle)
            lock.withLock { _received.append(received) }
            try association.sendCommand(.response(to: h.command, status: .success), contextID: h.contextID)
            onReceived?(received)
        }
    }

    /// Accepts connections on `listener` in the background, one thread per association, until `stop()`.
    /// `onError` hears about associations that ended badly.
    public func start(_ listener: SocketListener, onError: (@Sendable (Error) -> Void)? = nil) {
        self.listener = listener
        let thread = Thread { [self] in
            while !lock.withLock({ stopped }) {
                guard let connection = try? listener.accept(timeout: 0.2) else { continue }
                group.enter()
                let worker = Thread { [self] in
                    defer { group.leave() }
                    do { try serve(connection) } catch { onError?(error) }
                }
                worker.start()
            }
        }
        thread.start()
    }

    /// Stops accepting and waits for the associations in progress.
    public func stop() {
        lock.withLock { stopped = true }
        group.wait()
        listener?.close()
    }
}
