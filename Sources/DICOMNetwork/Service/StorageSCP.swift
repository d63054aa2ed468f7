import Foundation
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

    public init(directory: String, aeTitle: String? = nil, transferSyntaxes: [String] = StorageSCP.defaultTransferSyntaxes,
                timeouts: NetworkTimeouts = NetworkTimeouts()) {
        self.directory = directory
        self.policy = AcceptancePolicy(aeTitle: aeTitle, abstractSyntaxes: [verificationSOPClassUID: [TransferSyntax.implicitVRLittleEndianUID, TransferSyntax.explicitVRLittleEndianUID]],
                                       otherAbstractSyntaxes: transferSyntaxes, timeouts: timeouts)
    }

    public var received: [Received] { lock.withLock { _received } }

    /// Serves one association on `transport` until the peer releases it; throws when it aborts or breaks the protocol.
    public func serve(_ transport: Transport) throws {
        let association = try Association.accept(over: transport, policy: policy)
        let calling = association.request.callingAETitle
        while true {
            var instance = InstanceWriter(directory: directory, callingAETitle: calling)
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
            switch command.commandField {
            case .cEchoRQ?:
                try association.sendCommand(.response(to: command, status: .success), contextID: contextID)
            case .cStoreRQ?:
                let path = instance.path
                if let failure = instance.failure {
                    try association.sendCommand(.response(to: command, status: .refusedOutOfResources, errorComment: failure), contextID: contextID)
                } else {
                    let syntax = association.transferSyntax(of: contextID)
                    let received = Received(path: path, sopClassUID: command.affectedSOPClassUID ?? "",
                                            sopInstanceUID: command.affectedSOPInstanceUID ?? "", transferSyntaxUID: syntax,
                                            callingAETitle: calling)
                    lock.withLock { _received.append(received) }
                    try association.sendCommand(.response(to: command, status: .success), contextID: contextID)
                    onReceived?(received)
                }
            default:
                try association.sendCommand(.response(to: command, status: .unrecognizedOperation,
                                                      errorComment: "not supported by this storage SCP"), contextID: contextID)
            }
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
