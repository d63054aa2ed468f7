import DICOMCore
import DICOMCoding

/// Several C-STORE operations in flight on one association, within the asynchronous operations
/// window the acceptor granted (PS3.7 D.3.3.3, `operationsWindow`): requests go out without
/// waiting, and responses are matched by Message ID Being Responded To, in whatever order they come.
///
/// The caller keeps at most `operationsWindow` requests outstanding. Files are streamed from their
/// mapping as each request is sent, so nothing of a file is held once its request is out.
extension Association {
    /// Sends the C-STORE request for `file` (command, then the data set from the mapped file) and
    /// returns its Message ID without waiting for the response. Throws `.notAccepted` when no
    /// accepted context has the file's SOP class and transfer syntax (nothing is sent then).
    public func sendStore(file: DICOMFileSource, priority: DIMSEPriority = .medium) throws -> UInt16 {
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
        return rq.messageID ?? 0
    }

    /// Sends the C-STORE request for a data set already encoded in `transferSyntax`; returns its Message ID.
    public func sendStore(dataSet bytes: [UInt8], sopClass: String, sopInstance: String, transferSyntax: String,
                          priority: DIMSEPriority = .medium) throws -> UInt16 {
        guard let pc = context(for: sopClass, transferSyntax: transferSyntax) else {
            throw DICOMNetworkError(.notAccepted, "no accepted presentation context for \(sopClass) in \(TransferSyntax(uid: transferSyntax).name)")
        }
        let rq = CommandSet.cStoreRQ(messageID: nextMessageID(), sopClass: sopClass, sopInstance: sopInstance, priority: priority)
        try sendCommand(rq, contextID: pc.id)
        try bytes.withUnsafeBytes { try sendMessagePart($0, contextID: pc.id, isCommand: false) }
        return rq.messageID ?? 0
    }

    /// Whether the peer has started sending something (bytes of its next PDU are here), so that
    /// `receiveResponse` will not wait for it to begin. Never waits. Throws when the peer closed the
    /// connection (`.unavailable`, after the state machine has seen it).
    public func responseIsWaiting() throws -> Bool {
        if decoder.bufferedCount > 0 { return true }
        let n: Int
        do {
            n = try readBuffer.withUnsafeMutableBytes { try transport.read(into: $0, timeout: 0) }
        } catch let error as DICOMNetworkError where error.kind == .timeout {
            return false
        }
        if n == 0 {
            let was = machine.state
            _ = try? raise(.transportClosed)
            transport.close()
            throw DICOMNetworkError(.unavailable, "\(transport.peerDescription): the peer closed the connection (in \(was))")
        }
        readBuffer.withUnsafeBytes { decoder.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        return true
    }

    /// The next response of kind `field` to one of the `outstanding` Message IDs, in whatever order
    /// the peer answers (waiting up to the DIMSE timeout between PDUs). A response to anything else,
    /// or another message, is a protocol error: the association is aborted.
    public func receiveResponse(among outstanding: Set<UInt16>, expecting field: CommandField) throws -> (messageID: UInt16, response: DIMSEResponse) {
        guard let (command, _, data) = try receiveMessage(timeout: timeouts.dimse) else {
            throw DICOMNetworkError(.unavailable, "\(transport.peerDescription): the peer released the association while \(field) was awaited")
        }
        guard command.commandField == field, let id = command.messageIDBeingRespondedTo, outstanding.contains(id) else {
            abort()
            let awaited = outstanding.sorted().map(String.init).joined(separator: ", ")
            throw DICOMNetworkError(.protocolError, "\(transport.peerDescription): expected \(field) to message \(awaited), received \(command.commandField.map { "\($0)" } ?? "?") to \(command.messageIDBeingRespondedTo ?? 0)")
        }
        return (id, DIMSEResponse(command: command, dataSet: data))
    }
}
