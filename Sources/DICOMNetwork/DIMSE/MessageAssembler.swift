/// Reassembles DIMSE messages from PDVs (PS3.7 §6.3.1, PS3.8 Annex E): the command fragments
/// up to the last one, then, if the command says a data set follows, its fragments up to the last.
/// Data fragments are handed out as they come so a receiver can stream them to disk.
public struct MessageAssembler: Sendable {
    public enum Output: Sendable, Equatable {
        /// A whole command; `expectsDataSet` tells whether data fragments follow.
        case command(CommandSet, presentationContextID: UInt8, expectsDataSet: Bool)
        /// One fragment of the data set; `isLast` ends the message.
        case dataFragment([UInt8], isLast: Bool)
    }

    private var commandBytes: [UInt8] = []
    private var contextID: UInt8?
    private var awaitingData = false
    /// Longest command set accepted (commands are small; this bounds a hostile peer).
    public var maximumCommandLength = 1 << 16

    public init() {}

    /// True between messages.
    public var isIdle: Bool { contextID == nil && !awaitingData }

    public mutating func add(_ pdv: PresentationDataValue) throws -> Output? {
        if let contextID, pdv.presentationContextID != contextID {
            throw DICOMNetworkError(.protocolError, "PDV for presentation context \(pdv.presentationContextID) in the middle of a message on context \(contextID)")
        }
        if pdv.isCommand {
            guard !awaitingData else { throw DICOMNetworkError(.protocolError, "command fragment where a data set fragment was expected") }
            contextID = pdv.presentationContextID
            commandBytes += pdv.fragment
            guard commandBytes.count <= maximumCommandLength else {
                throw DICOMNetworkError(.protocolError, "command set longer than \(maximumCommandLength) bytes")
            }
            guard pdv.isLast else { return nil }
            let command = try CommandSet.decode(commandBytes)
            commandBytes = []
            let id = pdv.presentationContextID
            if command.hasDataSet {
                awaitingData = true
            } else {
                contextID = nil
            }
            return .command(command, presentationContextID: id, expectsDataSet: command.hasDataSet)
        }
        guard awaitingData else { throw DICOMNetworkError(.protocolError, "data set fragment before its command") }
        if pdv.isLast {
            awaitingData = false
            contextID = nil
        }
        return .dataFragment(pdv.fragment, isLast: pdv.isLast)
    }
}
