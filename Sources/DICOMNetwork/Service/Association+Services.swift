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
        let id = try sendStore(file: file, priority: priority)
        return try receiveResponse(among: [id], expecting: .cStoreRSP).response
    }

    /// C-STORE of a data set already encoded in `transferSyntax` (e.g. after transcoding).
    public func store(dataSet bytes: [UInt8], sopClass: String, sopInstance: String, transferSyntax: String,
                      priority: DIMSEPriority = .medium) throws -> DIMSEResponse {
        let id = try sendStore(dataSet: bytes, sopClass: sopClass, sopInstance: sopInstance, transferSyntax: transferSyntax, priority: priority)
        return try receiveResponse(among: [id], expecting: .cStoreRSP).response
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

    /// The response to `request`: any other message is a protocol error (one operation at a time).
    func awaitResponse(to request: CommandSet, expecting field: CommandField) throws -> DIMSEResponse {
        try receiveResponse(among: [request.messageID ?? 0], expecting: field).response
    }
}
