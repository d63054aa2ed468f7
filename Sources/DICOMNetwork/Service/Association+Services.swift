import DICOMCore
import DICOMCoding

/// The SCU side of the composite services.
extension Association {
    /// C-ECHO (Verification).
    public func echo() throws -> DIMSEResponse {
        guard let pc = context(for: verificationSOPClassUID) else {
            throw DICOMNetworkError(.notAccepted, "\(transport.peerDescription): the Verification SOP Class was not accepted")
        }
        let rq = CommandSet.cEchoRQ(messageID: nextMessageID())
        try sendCommand(rq, contextID: pc.id)
        return try awaitResponse(to: rq, expecting: .cEchoRSP)
    }

    /// C-STORE of a Part 10 file: its data set goes from the mapped file into PDUs as it is (no
    /// parsing, no copy of the whole), on the accepted context for its SOP class and transfer syntax.
    /// Throws `.notAccepted` when no such context exists (the caller may transcode and retry).
    public func store(file: DICOMFileSource, priority: DIMSEPriority = .medium) throws -> DIMSEResponse {
        guard let pc = context(for: file.sopClassUID, transferSyntax: file.transferSyntaxUID) else {
            throw DICOMNetworkError(.notAccepted, "\(file.path): no accepted presentation context for \(file.sopClassUID) in \(TransferSyntax(uid: file.transferSyntaxUID).name)")
        }
        let rq = CommandSet.cStoreRQ(messageID: nextMessageID(), sopClass: file.sopClassUID, sopInstance: file.sopInstanceUID, priority: priority)
        try sendCommand(rq, contextID: pc.id)
        let storage = file.storage
        let base = file.dataSetRange.lowerBound
        var released = 0
        try sendMessagePart(storage.buffer(file.dataSetRange), contextID: pc.id, isCommand: false) { sent in
            // Large files: drop the pages already sent, a megabyte at a time, so memory stays flat whatever the size.
            if sent.upperBound - released >= 1 << 20 {
                storage.releasePages((base + released)..<(base + sent.upperBound))
                released = sent.upperBound
            }
        }
        return try awaitResponse(to: rq, expecting: .cStoreRSP)
    }

    /// C-STORE of a data set already encoded in `transferSyntax` (e.g. after transcoding).
    public func store(dataSet bytes: [UInt8], sopClass: String, sopInstance: String, transferSyntax: String,
                      priority: DIMSEPriority = .medium) throws -> DIMSEResponse {
        guard let pc = context(for: sopClass, transferSyntax: transferSyntax) else {
            throw DICOMNetworkError(.notAccepted, "no accepted presentation context for \(sopClass) in \(TransferSyntax(uid: transferSyntax).name)")
        }
        let rq = CommandSet.cStoreRQ(messageID: nextMessageID(), sopClass: sopClass, sopInstance: sopInstance, priority: priority)
        try sendCommand(rq, contextID: pc.id)
        try bytes.withUnsafeBytes { try sendMessagePart($0, contextID: pc.id, isCommand: false) }
        return try awaitResponse(to: rq, expecting: .cStoreRSP)
    }

    /// C-FIND: sends `identifier` under `informationModel` (e.g. Study Root Query/Retrieve - FIND) and
    /// hands each pending response's identifier to `onMatch`; returns the final response.
    public func find(_ identifier: DataSet, informationModel: String, priority: DIMSEPriority = .medium,
                     onMatch: (DataSet, DIMSEResponse) throws -> Void) throws -> DIMSEResponse {
        let (rq, _) = try sendQuery(.cFindRQ(messageID: nextMessageID(), sopClass: informationModel, priority: priority), identifier)
        while true {
            let response = try awaitResponse(to: rq, expecting: .cFindRSP)
            guard response.status.isPending else { return response }
            if let bytes = response.dataSet, !bytes.isEmpty {
                let file = try DICOMReader.read(ByteStorage(bytes))
                try onMatch(file.dataSet, response)
            }
        }
    }

    /// C-CANCEL for an outstanding C-FIND, C-GET or C-MOVE.
    public func cancel(messageID: UInt16, contextID: UInt8) throws {
        try sendCommand(.cCancelRQ(messageIDBeingRespondedTo: messageID), contextID: contextID)
    }

    /// The response to `request`: any other message is a protocol error (this SCU runs one operation at a time).
    func awaitResponse(to request: CommandSet, expecting field: CommandField) throws -> DIMSEResponse {
        guard let (command, _, data) = try receiveMessage(timeout: timeouts.dimse) else {
            throw DICOMNetworkError(.unavailable, "\(transport.peerDescription): the peer released the association while \(field) was awaited")
        }
        guard command.commandField == field, command.messageIDBeingRespondedTo == request.messageID else {
            abort()
            throw DICOMNetworkError(.protocolError, "\(transport.peerDescription): expected \(field) to message \(request.messageID ?? 0), received \(command.commandField.map { "\($0)" } ?? "?") to \(command.messageIDBeingRespondedTo ?? 0)")
        }
        return DIMSEResponse(command: command, dataSet: data)
    }
}
