/// Builders for the composite services' requests and responses (PS3.7 §9.3).
extension CommandSet {
    static func request(_ field: CommandField, messageID: UInt16, sopClass: String, hasDataSet: Bool) -> CommandSet {
        var c = CommandSet()
        c.set(.commandField, field.rawValue)
        c.set(.messageID, messageID)
        c.set(.affectedSOPClassUID, sopClass)
        c.set(.commandDataSetType, hasDataSet ? 0x0000 : noDataSet)
        return c
    }

    public static func cEchoRQ(messageID: UInt16, sopClass: String = verificationSOPClassUID) -> CommandSet {
        request(.cEchoRQ, messageID: messageID, sopClass: sopClass, hasDataSet: false)
    }

    public static func cStoreRQ(messageID: UInt16, sopClass: String, sopInstance: String, priority: DIMSEPriority = .medium,
                                moveOriginator: (aeTitle: String, messageID: UInt16)? = nil) -> CommandSet {
        var c = request(.cStoreRQ, messageID: messageID, sopClass: sopClass, hasDataSet: true)
        c.set(.priority, priority.rawValue)
        c.set(.affectedSOPInstanceUID, sopInstance)
        if let moveOriginator {
            c.set(.moveOriginatorApplicationEntityTitle, moveOriginator.aeTitle)
            c.set(.moveOriginatorMessageID, moveOriginator.messageID)
        }
        return c
    }

    public static func cFindRQ(messageID: UInt16, sopClass: String, priority: DIMSEPriority = .medium) -> CommandSet {
        var c = request(.cFindRQ, messageID: messageID, sopClass: sopClass, hasDataSet: true)
        c.set(.priority, priority.rawValue)
        return c
    }

    public static func cGetRQ(messageID: UInt16, sopClass: String, priority: DIMSEPriority = .medium) -> CommandSet {
        var c = request(.cGetRQ, messageID: messageID, sopClass: sopClass, hasDataSet: true)
        c.set(.priority, priority.rawValue)
        return c
    }

    public static func cMoveRQ(messageID: UInt16, sopClass: String, destination: String, priority: DIMSEPriority = .medium) -> CommandSet {
        var c = request(.cMoveRQ, messageID: messageID, sopClass: sopClass, hasDataSet: true)
        c.set(.priority, priority.rawValue)
        c.set(.moveDestination, destination)
        return c
    }

    public static func cCancelRQ(messageIDBeingRespondedTo: UInt16) -> CommandSet {
        var c = CommandSet()
        c.set(.commandField, CommandField.cCancelRQ.rawValue)
        c.set(.messageIDBeingRespondedTo, messageIDBeingRespondedTo)
        c.set(.commandDataSetType, noDataSet)
        return c
    }

    /// A response to `request` with `status`; comment and offending elements only where given.
    public static func response(to request: CommandSet, status: DIMSEStatus, hasDataSet: Bool = false,
                                errorComment: String? = nil) -> CommandSet {
        var c = CommandSet()
        let field = request.commandField.flatMap { CommandField(rawValue: $0.rawValue | 0x8000) } ?? .cEchoRSP
        c.set(.commandField, field.rawValue)
        c.set(.messageIDBeingRespondedTo, request.messageID ?? 0)
        if let sopClass = request.affectedSOPClassUID { c.set(.affectedSOPClassUID, sopClass) }
        if let instance = request.affectedSOPInstanceUID { c.set(.affectedSOPInstanceUID, instance) }
        c.set(.commandDataSetType, hasDataSet ? 0x0000 : noDataSet)
        c.set(.status, status.code)
        if let errorComment { c.set(.errorComment, String(errorComment.prefix(64))) }
        return c
    }

    /// Sub-operation counts of C-GET and C-MOVE responses.
    public var subOperations: SubOperationCounts? {
        guard uint16(.numberOfCompletedSuboperations) != nil || uint16(.numberOfRemainingSuboperations) != nil else { return nil }
        return SubOperationCounts(remaining: uint16(.numberOfRemainingSuboperations), completed: uint16(.numberOfCompletedSuboperations) ?? 0,
                                  failed: uint16(.numberOfFailedSuboperations) ?? 0, warning: uint16(.numberOfWarningSuboperations) ?? 0)
    }
}

/// Counts carried by C-GET and C-MOVE responses.
public struct SubOperationCounts: Sendable, Equatable {
    public var remaining: UInt16?
    public var completed: UInt16
    public var failed: UInt16
    public var warning: UInt16
}

/// The Verification SOP Class (C-ECHO).
public let verificationSOPClassUID = "1.2.840.10008.1.1"
