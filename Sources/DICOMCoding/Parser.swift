import DICOMCore

/// The element-level parser behind `DICOMReader`: a cursor over bytes of one encoding.
///
/// It never traps on bad input: every length is checked against the bytes left, and each
/// problem becomes a `ReadIssue`. After an error-severity issue, `stopped` is set and parsing
/// unwinds, keeping what was read.
struct Parser {
    let storage: ByteStorage
    let base: UnsafeRawBufferPointer
    var pos: Int
    let end: Int
    var explicit: Bool
    var bigEndian: Bool
    let options: ReadOptions
    var issues: [ReadIssue] = []
    var stopped = false

    init(storage: ByteStorage, base: UnsafeRawBufferPointer, start: Int, end: Int,
         explicit: Bool, bigEndian: Bool, options: ReadOptions) {
        self.storage = storage
        self.base = base
        self.pos = start
        self.end = end
        self.explicit = explicit
        self.bigEndian = bigEndian
        self.options = options
    }

    // MARK: Primitive reads (callers check bounds)

    @inline(__always) func u16(_ at: Int) -> UInt16 {
        let v = base.loadUnaligned(fromByteOffset: at, as: UInt16.self)
        return bigEndian ? UInt16(bigEndian: v) : UInt16(littleEndian: v)
    }

    @inline(__always) func u32(_ at: Int) -> UInt32 {
        let v = base.loadUnaligned(fromByteOffset: at, as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v)
    }

    mutating func fail(_ offset: Int, _ tag: Tag?, _ message: String) {
        issues.append(ReadIssue(.error, offset: offset, tag: tag, message))
        stopped = true
    }

    mutating func warn(_ offset: Int, _ tag: Tag?, _ message: String) {
        if issues.count < 1000 { issues.append(ReadIssue(.warning, offset: offset, tag: tag, message)) }
    }

    // MARK: Element headers

    struct Header {
        var tag: Tag
        var vr: VR
        /// nil: undefined length.
        var length: Int?
        var offset: Int
        /// True when the VR came from the data (explicit), false when from the dictionary.
        var explicitVR: Bool
    }

    /// Reads one element header at `pos`, or nil (with an issue) when it cannot.
    mutating func readHeader() -> Header? {
        let start = pos
        guard end - pos >= 8 else {
            if end - pos > 0 {
                fail(pos, nil, "truncated: \(end - pos) bytes left where an element header needs 8")
            }
            return nil
        }
        let tag = Tag(u16(pos), u16(pos + 2))
        if tag.group == 0xFFFE {
            // Items and delimiters have no VR in any encoding.
            let len = u32(pos + 4)
            pos += 8
            return Header(tag: tag, vr: .UN, length: len == 0xFFFF_FFFF ? nil : Int(len), offset: start, explicitVR: false)
        }
        if explicit {
            let code = UInt16(base[pos + 4]) << 8 | UInt16(base[pos + 5])
            if let vr = VR(code: code) {
                if vr.hasLongLength {
                    guard end - pos >= 12 else {
                        fail(pos, tag, "truncated: element header needs 12 bytes, \(end - pos) left")
                        return nil
                    }
                    let len = u32(pos + 8)
                    pos += 12
                    return Header(tag: tag, vr: vr, length: len == 0xFFFF_FFFF ? nil : Int(len), offset: start, explicitVR: true)
                }
                let len = Int(u16(pos + 6))
                pos += 8
                return Header(tag: tag, vr: vr, length: len, offset: start, explicitVR: true)
            }
            if isUpper(base[pos + 4]) && isUpper(base[pos + 5]) {
                // A VR this reader does not know: newer VRs all have the long form.
                warn(pos, tag, "unknown VR '\(String(decoding: [base[pos + 4], base[pos + 5]], as: UTF8.self))', read as UN")
                guard end - pos >= 12 else {
                    fail(pos, tag, "truncated: element header needs 12 bytes, \(end - pos) left")
                    return nil
                }
                let len = u32(pos + 8)
                pos += 12
                return Header(tag: tag, vr: .UN, length: len == 0xFFFF_FFFF ? nil : Int(len), offset: start, explicitVR: true)
            }
            // Not a VR: this element is implicit VR although the data set is explicit.
            warn(pos, tag, "no VR in explicit VR data; element read as implicit VR")
        }
        let len = u32(pos + 4)
        pos += 8
        return Header(tag: tag, vr: implicitVR(tag), length: len == 0xFFFF_FFFF ? nil : Int(len), offset: start, explicitVR: false)
    }

    @inline(__always) func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }

    /// The VR of an implicit VR element, from the dictionary.
    func implicitVR(_ tag: Tag) -> VR {
        if tag.isPrivateCreator { return .LO }
        if tag.element == 0 { return .UL }
        if tag.isPrivate { return .UN }
        guard let entry = DataDictionary.entry(for: tag.rawValue) else { return .UN }
        if tag == .pixelData { return .OW }
        if entry.vr == .US && entry.alternativeVRs.contains(.SS) { return .US }
        return entry.vr
    }

    // MARK: Data sets

    /// The meta group: explicit VR LE elements of group 0002 from `pos`.
    mutating func parseMeta() -> DataSet {
        var ds = DataSet()
        var groupEnd: Int? = nil
        while !stopped, end - pos >= 8 {
            // Past the stated end of a meta header for a big-endian data set, the bytes are the
            // data set's, whatever group they seem to hold in little-endian order.
            if let groupEnd, pos >= groupEnd,
               ds.string(.transferSyntaxUID) == TransferSyntax.explicitVRBigEndianUID { break }
            let group = UInt16(base[pos]) | UInt16(base[pos + 1]) << 8
            if group != 0x0002 { break }
            // Meta elements ascend; one that does not is the data set's first element (e.g. a
            // big-endian (0200,xxxx) reads as group 0002 in little-endian order).
            let element = UInt16(base[pos + 2]) | UInt16(base[pos + 3]) << 8
            if let last = ds.last, Tag(group, element) <= last.tag { break }
            let code = UInt16(base[pos + 4]) << 8 | UInt16(base[pos + 5])
            if VR(code: code) == nil && !explicitMetaWarningGiven {
                explicitMetaWarningGiven = true
                warn(pos, nil, "file meta information is not explicit VR little endian")
            }
            let savedExplicit = explicit
            explicit = VR(code: code) != nil
            guard let h = readHeader() else { break }
            explicit = savedExplicit
            guard let e = readElement(h, depth: 0) else { break }
            if e.tag == .fileMetaInformationGroupLength, let n = DataSet.ints(of: e).first {
                groupEnd = pos + n
            }
            ds.append(e)
        }
        if let groupEnd, groupEnd != pos {
            warn(pos, .fileMetaInformationGroupLength,
                 "File Meta Information Group Length says the meta header ends at \(groupEnd), it ends at \(pos)")
        }
        return ds
    }

    var explicitMetaWarningGiven = false

    /// The top-level data set, to the end of the bytes.
    mutating func parseTopLevel() -> DataSet {
        var ds = DataSet()
        parseElements(into: &ds, until: end, inItem: false, depth: 0, topLevel: true)
        return ds
    }

    /// Reads elements into `ds` until `limit`, or an Item Delimitation Item when `inItem`.
    /// Returns true when a delimitation item ended the data set.
    @discardableResult
    mutating func parseElements(into ds: inout DataSet, until limit: Int, inItem: Bool, depth: Int, topLevel: Bool = false) -> Bool {
        while !stopped && pos < limit {
            if topLevel, let stop = options.stopBeforeTag, limit - pos >= 4, Tag(u16(pos), u16(pos + 2)) >= stop {
                return false
            }
            // Trailing padding after the data set (zeros) is common; stop quietly on it.
            if topLevel, limit - pos < 8, base[pos..<limit].allSatisfy({ $0 == 0 }) {
                warn(pos, nil, "\(limit - pos) bytes of padding after the data set")
                pos = limit
                return false
            }
            guard let h = readHeader() else { return false }
            if h.tag == .itemDelimitationItem {
                if inItem { return true }
                warn(h.offset, h.tag, "Item Delimitation Item outside an item, ignored")
                continue
            }
            if h.tag == .sequenceDelimitationItem {
                if inItem {
                    // The item ended without its delimiter; let the sequence see this one.
                    warn(h.offset, h.tag, "item ended by a Sequence Delimitation Item (missing Item Delimitation Item)")
                    pos = h.offset
                    return true
                }
                warn(h.offset, h.tag, "Sequence Delimitation Item outside a sequence, ignored")
                continue
            }
            if h.tag == .item {
                fail(h.offset, h.tag, "item outside a sequence")
                return false
            }
            if h.tag.isDelimiter {
                // Group FFFE holds only items and delimiters: anything else means the lengths are lost.
                fail(h.offset, h.tag, "\(h.tag) is no data element (group FFFE holds only items and delimiters)")
                return false
            }
            if h.offset + 8 > limit || (h.length.map { pos + $0 > limit && limit != end } ?? false) {
                fail(h.offset, h.tag, "element runs past the end of its item (item ends at \(limit))")
                return false
            }
            if topLevel && h.tag.isMeta && depth == 0 {
                warn(h.offset, h.tag, "file meta element in the data set (group 0002 belongs to the meta header)")
            }
            currentCharacterSet = ds.characterSet
            guard let e = readElement(h, depth: depth) else { return false }
            if let last = ds.last, !(last.tag < e.tag) {
                if last.tag == e.tag {
                    warn(h.offset, h.tag, "duplicate element, the later value is kept")
                } else {
                    warn(h.offset, h.tag, "elements out of order (after \(last.tag))")
                }
            }
            ds.append(e)
        }
        if inItem && pos >= limit && limit == end && !stopped {
            fail(pos, nil, "truncated: item without Item Delimitation Item at end of data")
        }
        return false
    }

    /// Reads the value of the element whose header was just read.
    mutating func readElement(_ h: Header, depth: Int) -> DataElement? {
        var vr = h.vr
        guard let length = h.length else {
            // Undefined length: a sequence, encapsulated pixel data, or UN holding a sequence.
            if h.tag == .pixelData || (h.tag.group & 0xFF01 == 0x7F00 && h.tag.element == 0x0010) {
                guard let frags = parseFragments(h) else { return nil }
                return DataElement(h.tag, vr == .OW || vr == .OB ? vr : .OB, .fragments(frags))
            }
            if vr != .SQ && vr != .UN {
                warn(h.offset, h.tag, "undefined length on VR \(vr.rawValue); read as a sequence")
            }
            let savedExplicit = explicit, savedBig = bigEndian
            if vr == .UN && h.explicitVR {
                // PS3.5 §6.2.2: UN with undefined length holds implicit VR little endian items.
                explicit = false
                bigEndian = false
            }
            if vr == .UN, let dictVR = DataDictionary.entry(for: h.tag.rawValue)?.vr, dictVR == .SQ { vr = .SQ }
            let seq = parseSequence(h, definedLength: nil, depth: depth)
            explicit = savedExplicit
            bigEndian = savedBig
            guard let seq else { return nil }
            return DataElement(h.tag, vr == .UN && !h.explicitVR ? .SQ : vr, .sequence(seq))
        }
        if length & 1 == 1 {
            warn(h.offset, h.tag, "odd value length \(length)")
        }
        guard length <= end - pos else {
            let available = end - pos
            // Keep what is there (a cut sequence as the UN bytes it is), then stop.
            if vr == .SQ { vr = .UN }
            let value = takeValue(count: available, vr: vr, tag: h.tag)
            fail(h.offset, h.tag, "truncated: value length \(length) but only \(available) bytes left")
            return DataElement(h.tag, vr, value)
        }
        if vr == .SQ || (!h.explicitVR && vr == .UN && looksLikeImplicitSequence(length)) {
            let seq = parseSequence(h, definedLength: length, depth: depth)
            guard let seq else { return nil }
            return DataElement(h.tag, .SQ, .sequence(seq))
        }
        let value = takeValue(count: length, vr: vr, tag: h.tag)
        return DataElement(h.tag, vr, value)
    }

    /// For an implicit VR element of unknown VR with a defined length: does its value start
    /// with an item tag whose length fits? (Private sequences in implicit VR data.)
    func looksLikeImplicitSequence(_ length: Int) -> Bool {
        guard length >= 8, end - pos >= 8 else { return false }
        guard u16(pos) == 0xFFFE, u16(pos + 2) == 0xE000 else { return false }
        let itemLength = u32(pos + 4)
        return itemLength == 0xFFFF_FFFF || Int(itemLength) <= length - 8
    }

    /// Takes `count` value bytes at `pos`: a copy for small values, a reference for bulk ones.
    mutating func takeValue(count: Int, vr: VR, tag: Tag) -> Value {
        defer { pos += count }
        let swap = bigEndian ? vr.byteSwapUnit : 1
        let isBulkVR: Bool
        switch vr {
        case .OB, .OW, .OF, .OD, .OL, .OV, .UN: isBulkVR = true
        default: isBulkVR = false
        }
        if isBulkVR && (count >= options.bulkDataThreshold || tag == .pixelData) {
            return .bulk(BulkData(storage: storage, offset: pos, count: count, swapUnit: swap))
        }
        var bytes = Array(UnsafeRawBufferPointer(rebasing: base[pos..<(pos + count)]))
        if swap > 1 { ByteSwap.swapInPlace(&bytes, unit: swap) }
        return .bytes(bytes)
    }

    /// Reads the items of a sequence whose header was just read.
    mutating func parseSequence(_ h: Header, definedLength: Int?, depth: Int) -> SequenceValue? {
        if depth >= options.maximumDepth {
            fail(h.offset, h.tag, "sequences nested deeper than \(options.maximumDepth) levels")
            return nil
        }
        var seq = SequenceValue(items: [], undefinedLength: definedLength == nil)
        let limit = definedLength.map { pos + $0 } ?? end
        while !stopped && pos < limit {
            guard end - pos >= 8 else {
                fail(pos, h.tag, "truncated: \(end - pos) bytes left inside a sequence")
                return seq
            }
            let itemOffset = pos
            let tag = Tag(u16(pos), u16(pos + 2))
            let len = u32(pos + 4)
            pos += 8
            if tag == .sequenceDelimitationItem {
                if definedLength != nil { warn(itemOffset, h.tag, "Sequence Delimitation Item in a sequence of defined length") }
                return seq
            }
            guard tag == .item else {
                if definedLength == nil {
                    // Missing delimiter: the sequence ended; this element belongs to the parent.
                    warn(itemOffset, h.tag, "sequence ended without a Sequence Delimitation Item (found \(tag))")
                    pos = itemOffset
                    return seq
                }
                fail(itemOffset, h.tag, "expected an item in the sequence, found \(tag)")
                return seq
            }
            var item = DataSet(characterSet: currentCharacterSet)
            if len == 0xFFFF_FFFF {
                let delimited = parseElements(into: &item, until: limit, inItem: true, depth: depth + 1)
                if !delimited && !stopped && definedLength != nil {
                    warn(itemOffset, h.tag, "item of undefined length not delimited before its sequence ends")
                }
                seq.items.append(SequenceItem(item, undefinedLength: true))
            } else {
                var itemEnd = pos + Int(len)
                if itemEnd > limit || itemEnd > end {
                    // Mis-encoded lengths (seen in DICOMDIRs): read the item as far as its
                    // sequence and the data go, as DCMTK and pydicom do.
                    let clamped = min(limit, end)
                    warn(itemOffset, h.tag, "item length \(len) runs \(itemEnd - clamped) bytes past the end of its sequence; read to \(clamped)")
                    itemEnd = clamped
                }
                parseElements(into: &item, until: itemEnd, inItem: false, depth: depth + 1)
                if !stopped && pos != itemEnd {
                    warn(pos, h.tag, "item content ends at \(pos), its length says \(itemEnd)")
                    pos = itemEnd
                }
                seq.items.append(SequenceItem(item, undefinedLength: false))
            }
        }
        if definedLength == nil && !stopped {
            fail(pos, h.tag, "truncated: sequence without Sequence Delimitation Item at end of data")
        }
        return seq
    }

    /// Character set items inherit; set by the caller that parses the parent data set.
    var currentCharacterSet: SpecificCharacterSet = .default

    /// Encapsulated pixel data: items up to the Sequence Delimitation Item.
    mutating func parseFragments(_ h: Header) -> EncapsulatedPixelData? {
        var result = EncapsulatedPixelData()
        var first = true
        while !stopped {
            guard end - pos >= 8 else {
                fail(pos, h.tag, "truncated: encapsulated pixel data without Sequence Delimitation Item")
                return result
            }
            let itemOffset = pos
            let tag = Tag(u16(pos), u16(pos + 2))
            let len = Int(u32(pos + 4))
            pos += 8
            if tag == .sequenceDelimitationItem { return result }
            guard tag == .item else {
                fail(itemOffset, h.tag, "expected a fragment item in encapsulated pixel data, found \(tag)")
                return result
            }
            guard len != 0xFFFF_FFFF else {
                fail(itemOffset, h.tag, "fragment item of undefined length")
                return result
            }
            let available = min(len, end - pos)
            if first {
                first = false
                var table: [UInt32] = []
                table.reserveCapacity(available / 4)
                var q = pos
                while q + 4 <= pos + available { table.append(u32(q)); q += 4 }
                result.basicOffsetTable = table
            } else {
                result.fragments.append(.bulk(BulkData(storage: storage, offset: pos, count: available)))
            }
            pos += available
            if available < len {
                fail(itemOffset, h.tag, "truncated: fragment length \(len) but only \(available) bytes left")
                return result
            }
        }
        return result
    }
}
