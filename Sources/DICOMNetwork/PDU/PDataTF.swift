/// P-DATA-TF (PS3.8 §9.3.5): one or more presentation data values.
public struct PDataTF: Sendable, Equatable {
    public var values: [PresentationDataValue]
    public init(_ values: [PresentationDataValue]) { self.values = values }
}

/// One PDV item: a fragment of a command or data set, with its message control header (PS3.8 Annex E.2).
public struct PresentationDataValue: Sendable, Equatable {
    public var presentationContextID: UInt8
    public var isCommand: Bool
    public var isLast: Bool
    public var fragment: [UInt8]

    public init(presentationContextID: UInt8, isCommand: Bool, isLast: Bool, fragment: [UInt8]) {
        self.presentationContextID = presentationContextID
        self.isCommand = isCommand
        self.isLast = isLast
        self.fragment = fragment
    }

    /// The message control header byte: bit 0 command, bit 1 last fragment.
    public var controlHeader: UInt8 { (isCommand ? 1 : 0) | (isLast ? 2 : 0) }
}
