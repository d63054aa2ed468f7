/// One data element: tag, VR and value (PS3.5 §7.1).
public struct DataElement: Sendable {
    public var tag: Tag
    public var vr: VR
    public var value: Value

    public init(_ tag: Tag, _ vr: VR, _ value: Value) {
        self.tag = tag
        self.vr = vr
        self.value = value
    }

    /// An element holding `bytes` as its (little-endian) value.
    public init(_ tag: Tag, _ vr: VR, bytes: [UInt8]) {
        self.init(tag, vr, .bytes(bytes))
    }

    /// Value length in bytes as it would be encoded without padding, or nil for sequences and
    /// encapsulated data (whose length depends on the encoding).
    public var valueLength: Int? {
        switch value {
        case .bytes(let b): return b.count
        case .bulk(let b): return b.count
        case .sequence, .fragments: return nil
        }
    }
}

/// The value of a data element.
///
/// Binary values are kept in little-endian byte order whatever the source encoding; the writer
/// converts on output. Strings are kept as their raw bytes and decoded with the data set's
/// Specific Character Set when asked, so an unchanged file writes back byte for byte.
public enum Value: Sendable {
    /// The raw value bytes (for strings: characters as encoded, with any padding).
    case bytes([UInt8])
    /// Bytes left in the source file, read on demand.
    case bulk(BulkData)
    /// A sequence of items (VR SQ, or UN with undefined length).
    case sequence(SequenceValue)
    /// Encapsulated (compressed) pixel data: Basic Offset Table and fragments.
    case fragments(EncapsulatedPixelData)

    /// Calls `body` with the value bytes; empty for sequences and encapsulated data.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .bytes(let b): return try b.withUnsafeBytes(body)
        case .bulk(let b): return try b.withUnsafeBytes(body)
        case .sequence, .fragments: return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    /// A copy of the value bytes (empty for sequences and encapsulated data).
    public var bytes: [UInt8] {
        switch self {
        case .bytes(let b): return b
        case .bulk(let b): return b.bytes
        case .sequence, .fragments: return []
        }
    }

    public var sequence: SequenceValue? {
        if case .sequence(let s) = self { return s }
        return nil
    }
}

/// Items of a sequence, and how they were encoded, so that a rewrite keeps the same form.
public struct SequenceValue: Sendable {
    public var items: [SequenceItem]
    /// The sequence was encoded with undefined length and a Sequence Delimitation Item.
    public var undefinedLength: Bool

    public init(items: [SequenceItem] = [], undefinedLength: Bool = true) {
        self.items = items
        self.undefinedLength = undefinedLength
    }

    public init(_ dataSets: [DataSet]) {
        self.init(items: dataSets.map { SequenceItem($0) })
    }
}

/// One item of a sequence.
public struct SequenceItem: Sendable {
    public var dataSet: DataSet
    /// The item was encoded with undefined length and an Item Delimitation Item.
    public var undefinedLength: Bool

    public init(_ dataSet: DataSet, undefinedLength: Bool = true) {
        self.dataSet = dataSet
        self.undefinedLength = undefinedLength
    }
}

/// Encapsulated pixel data (PS3.5 §A.4): the Basic Offset Table item, then one item per fragment.
public struct EncapsulatedPixelData: Sendable {
    /// The first item's value: frame offsets (UL, little-endian), or empty.
    public var basicOffsetTable: [UInt32]
    public var fragments: [Fragment]

    public init(basicOffsetTable: [UInt32] = [], fragments: [Fragment] = []) {
        self.basicOffsetTable = basicOffsetTable
        self.fragments = fragments
    }

    public enum Fragment: Sendable {
        case bytes([UInt8])
        case bulk(BulkData)

        public var count: Int {
            switch self {
            case .bytes(let b): return b.count
            case .bulk(let b): return b.count
            }
        }

        public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            switch self {
            case .bytes(let b): return try b.withUnsafeBytes(body)
            case .bulk(let b): return try b.withUnsafeBytes(body)
            }
        }
    }

    /// Sum of fragment lengths.
    public var totalFragmentBytes: Int { fragments.reduce(0) { $0 + $1.count } }
}
