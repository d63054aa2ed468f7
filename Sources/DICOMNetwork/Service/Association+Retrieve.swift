import DICOMCore
import DICOMCoding

/// C-GET and C-MOVE, the retrieve services of the Query/Retrieve SOP classes (PS3.4 C.4.2, C.4.3).
extension Association {
    /// C-GET: asks the peer to send the matches of `identifier` back on this association. Each
    /// C-STORE sub-operation is written into `directory` as it arrives (atomically, not held in
    /// memory) and answered; `onInstance` hears of each, with the status returned to the peer.
    /// The association must have accepted the storage SOP classes with the SCP role (propose them
    /// with `RoleSelection(scuRole: false, scpRole: true)`). Returns the final C-GET-RSP, whose
    /// `command.subOperations` the caller checks against what C-FIND found. With `durable` false
    /// the files are not synced one by one (each C-STORE is answered sooner): the caller then makes
    /// them durable in batches (`GroupCommit`) before moving them anywhere a reader would look.
    public func get(_ identifier: DataSet, informationModel: String, into directory: String, durable: Bool = true,
                    priority: DIMSEPriority = .medium,
                    onInstance: (ReceivedInstance, DIMSEStatus) -> Void = { _, _ in },
                    onPending: (DIMSEResponse) -> Void = { _ in }) throws -> DIMSEResponse {
        let (rq, _) = try sendQuery(.cGetRQ(messageID: nextMessageID(), sopClass: informationModel, priority: priority), identifier)
        let calling = request.calledAETitle
        while true {
            var instance = InstanceWriter(directory: directory, callingAETitle: calling)
            instance.durable = durable
            let received: (CommandSet, UInt8, [UInt8]?)?
            do {
                received = try receiveMessage(timeout: timeouts.dimse) { [self] command, contextID, fragment, isLast in
                    guard command.commandField == .cStoreRQ else { return }
                    instance.add(fragment, isLast: isLast, command: command, transferSyntax: transferSyntax(of: contextID))
                }
            } catch {
                instance.abandon()
                throw error
            }
            guard let (command, contextID, data) = received else {
                throw DICOMNetworkError(.unavailable, "\(transport.peerDescription): the peer released the association during C-GET")
            }
            switch command.commandField {
            case .cStoreRQ?:
                let status: DIMSEStatus = instance.failure == nil ? .success : .refusedOutOfResources
                try sendCommand(.response(to: command, status: status, errorComment: instance.failure), contextID: contextID)
                onInstance(ReceivedInstance(path: instance.path, sopClassUID: command.affectedSOPClassUID ?? "",
                                            sopInstanceUID: command.affectedSOPInstanceUID ?? "",
                                            transferSyntaxUID: transferSyntax(of: contextID), callingAETitle: calling,
                                            failure: instance.failure), status)
            case .cGetRSP? where command.messageIDBeingRespondedTo == rq.messageID:
                let response = DIMSEResponse(command: command, dataSet: data)
                if response.status.isPending { onPending(response); continue }
                return response
            default:
                abort()
                throw DICOMNetworkError(.protocolError, "\(transport.peerDescription): unexpected \(command.commandField.map { "\($0)" } ?? "command") during C-GET")
            }
        }
    }

    /// C-MOVE: asks the peer to send the matches of `identifier` to the AE `destination` (which the
    /// peer must know by address). Pending responses go to `onPending`; returns the final response.
    public func move(_ identifier: DataSet, informationModel: String, destination: String, priority: DIMSEPriority = .medium,
                     onPending: (DIMSEResponse) -> Void = { _ in }) throws -> DIMSEResponse {
        let (rq, _) = try sendQuery(.cMoveRQ(messageID: nextMessageID(), sopClass: informationModel, destination: destination, priority: priority), identifier)
        while true {
            let response = try awaitResponse(to: rq, expecting: .cMoveRSP)
            if response.status.isPending { onPending(response); continue }
            return response
        }
    }

    /// Sends a C-FIND/C-GET/C-MOVE request with its identifier, in the accepted context's syntax.
    func sendQuery(_ rq: CommandSet, _ identifier: DataSet) throws -> (CommandSet, AcceptedPresentationContext) {
        let model = rq.affectedSOPClassUID ?? ""
        guard let pc = context(for: model) else {
            throw DICOMNetworkError(.notAccepted, "\(transport.peerDescription): \(model) was not accepted")
        }
        var sink = MemorySink()
        try DICOMWriter.writeDataSet(identifier, transferSyntax: TransferSyntax(uid: pc.transferSyntax), to: &sink)
        try sendCommand(rq, contextID: pc.id)
        try sink.bytes.withUnsafeBytes { try sendMessagePart($0, contextID: pc.id, isCommand: false) }
        return (rq, pc)
    }
}
