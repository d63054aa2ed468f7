import DICOMCore

/// Encodes data sets in one of the uncompressed encodings (implicit or explicit VR, either
/// byte order). Small parts are gathered in a buffer; bulk values go straight from their
/// source to the sink, so pixel data is never copied whole.
struct DataSetEncoder {
    let explicit: Bool
    let bigEndian: Bool
    let lengths: WriteOptions.LengthPolicy
    private var buffer: [UInt8] = []
    private static let flushSize = 1 << 16

    init(explicit: Bool, bigEndian: Bool, lengths: WriteOptions.LengthPolicy) {
        self.explicit = explicit
        self.bigEndian = bigEndian
        self.lengths = lengths
        buffer.reserveCapacity(Self.flushSize)
    }

    mutating func write(_ ds: DataSet, to sink: inout some ByteSink) throws {
        try encode(ds, to: &sink)
        try flush(to: &sink)
    }

    /// Bytes `ds` takes when encoded (computed, not written).
    mutating func encodedLength(of ds: DataSet) -> Int {
        var total = 0
        for e in ds { total += encodedLength(of: e) }
        return total
    }

    // MARK: Sizes

    func padded(_ n: Int) -> Int { n + (n & 1) }

    func headerLength(_ vr: VR, valueLength: Int?) -> Int {
        guard explicit else { return 8 }
        return (vr.hasLongLength || valueLength.map { $0 > 0xFFFF } ?? true || wireVR(vr, valueLength) == .UN) ? 12 : 8
    }

    /// The VR written: short-length VRs whose value is too long for 16 bits become UN (as DCMTK does).
    func wireVR(_ vr: VR, _ valueLength: Int?) -> VR {
        if let n = valueLength, !vr.hasLongLength, n > 0xFFFF { return .UN }
        return vr
    }

    mutating func encodedLength(of e: DataElement) -> Int {
        switch e.value {
        case .bytes(let b):
            return headerLength(e.vr, valueLength: padded(b.count)) + padded(b.count)
        case .bulk(let b):
            return headerLength(e.vr, valueLength: padded(b.count)) + padded(b.count)
        case .sequence(let s):
            let content = sequenceContentLength(s, forUN: e.vr == .UN)
            let undefined = isUndefined(s.undefinedLength)
            return (explicit ? 12 : 8) + content + (undefined ? 8 : 0)
        case .fragments(let f):
            var n = (explicit ? 12 : 8) + 8 + f.basicOffsetTable.count * 4
            for frag in f.fragments { n += 8 + padded(frag.count) }
            return n + 8
        }
    }

    func isUndefined(_ asRead: Bool) -> Bool {
        switch lengths {
        case .asRead: return asRead
        case .undefined: return true
        case .defined: return false
        }
    }

    mutating func sequenceContentLength(_ s: SequenceValue, forUN: Bool) -> Int {
        var inner = forUN && explicit ? DataSetEncoder(explicit: false, bigEndian: false, lengths: lengths) : self
        var n = 0
        for item in s.items {
            n += 8 + inner.encodedLength(of: item.dataSet) + (isUndefined(item.undefinedLength) ? 8 : 0)
        }
        return n
    }

    // MARK: Writing

    mutating func flush(to sink: inout some ByteSink) throws {
        if !buffer.isEmpty {
            try buffer.withUnsafeBytes { try sink.write($0) }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    @inline(__always) mutating func put16(_ v: UInt16) {
        let x = bigEndian ? v.bigEndian : v.littleEndian
        buffer.append(UInt8(truncatingIfNeeded: x))
        buffer.append(UInt8(truncatingIfNeeded: x >> 8))
    }

    @inline(__always) mutating func put32(_ v: UInt32) {
        let x = bigEndian ? v.bigEndian : v.littleEndian
        buffer.append(UInt8(truncatingIfNeeded: x))
        buffer.append(UInt8(truncatingIfNeeded: x >> 8))
        buffer.append(UInt8(truncatingIfNeeded: x >> 16))
        buffer.append(UInt8(truncatingIfNeeded: x >> 24))
    }

    mutating func putTag(_ t: Tag) {
        put16(t.group)
        put16(t.element)
    }

    mutating func putHeader(_ tag: Tag, _ vr: VR, length: Int?) throws {
        if let n = length, n >= 0xFFFF_FFFF { throw DICOMWriteError.valueTooLong(tag, n) }
        let len32 = length.map { UInt32($0) } ?? 0xFFFF_FFFF
        putTag(tag)
        if explicit {
            let w = wireVR(vr, length)
            buffer.append(UInt8(w.code >> 8))
            buffer.append(UInt8(w.code & 0xFF))
            if w.hasLongLength || length == nil {
                put16(0)
                put32(len32)
            } else {
                put16(UInt16(len32))
            }
        } else {
            put32(len32)
        }
    }

    mutating func encode(_ ds: DataSet, to sink: inout some ByteSink) throws {
        var i = 0
        let elements = ds.elements
        while i < elements.count {
            let e = elements[i]
            if e.tag.isGroupLength && !e.tag.isMeta && e.vr == .UL && e.valueLength == 4 {
                // Recompute group lengths so they stay right after changes.
                var n = 0
                var j = i + 1
                while j < elements.count && elements[j].tag.group == e.tag.group {
                    n += encodedLength(of: elements[j])
                    j += 1
                }
                try putHeader(e.tag, .UL, length: 4)
                put32(UInt32(truncatingIfNeeded: n))
            } else {
                try encode(e, to: &sink)
            }
            if buffer.count >= Self.flushSize { try flush(to: &sink) }
            i += 1
        }
    }

    mutating func encode(_ e: DataElement, to sink: inout some ByteSink) throws {
        switch e.value {
        case .bytes(let b):
            let n = padded(b.count)
            try putHeader(e.tag, e.vr, length: n)
            putValue(b, vr: e.vr)
        case .bulk(let bulk):
            let n = padded(bulk.count)
            try putHeader(e.tag, e.vr, length: n)
            try flush(to: &sink)
            let swap = bigEndian ? e.vr.byteSwapUnit : 1
            try bulk.withUnsafeBytes { raw in
                if swap > 1 {
                    // Swap in chunks so memory stays flat.
                    let chunk = 1 << 20
                    var off = 0
                    while off < raw.count {
                        let m = min(chunk, raw.count - off)
                        var part = Array(UnsafeRawBufferPointer(rebasing: raw[off..<(off + m)]))
                        ByteSwap.swapInPlace(&part, unit: swap)
                        try sink.write(part)
                        off += m
                    }
                } else if bulk.storage.isFileMapping && raw.count >= 32 << 20 {
                    // Large values straight from a mapped file: in chunks, dropping each chunk's
                    // pages once written, so memory stays flat however big the value is.
                    let chunk = 16 << 20
                    var off = 0
                    while off < raw.count {
                        let m = min(chunk, raw.count - off)
                        try sink.write(UnsafeRawBufferPointer(rebasing: raw[off..<(off + m)]))
                        bulk.storage.releasePages((bulk.offset + off)..<(bulk.offset + off + m))
                        off += m
                    }
                } else {
                    try sink.write(raw)
                }
            }
            if bulk.count & 1 == 1 { buffer.append(0) }
        case .sequence(let s):
            let undefined = isUndefined(s.undefinedLength)
            let forUN = e.vr == .UN && explicit
            let length = undefined ? nil : sequenceContentLength(s, forUN: e.vr == .UN)
            try putHeader(e.tag, e.vr == .UN ? .UN : .SQ, length: length)
            if forUN {
                var inner = DataSetEncoder(explicit: false, bigEndian: false, lengths: lengths)
                try flush(to: &sink)
                try inner.encodeItems(s, to: &sink)
                try inner.flush(to: &sink)
            } else {
                try encodeItems(s, to: &sink)
            }
            if undefined {
                putTag(.sequenceDelimitationItem)
                put32(0)
            }
        case .fragments(let f):
            try putHeader(e.tag, e.vr == .OW ? .OW : .OB, length: nil)
            putTag(.item)
            put32(UInt32(f.basicOffsetTable.count * 4))
            for v in f.basicOffsetTable { put32(v) }
            for frag in f.fragments {
                putTag(.item)
                put32(UInt32(padded(frag.count)))
                try flush(to: &sink)
                try frag.withUnsafeBytes { try sink.write($0) }
                if frag.count & 1 == 1 { buffer.append(0) }
            }
            putTag(.sequenceDelimitationItem)
            put32(0)
        }
    }

    mutating func encodeItems(_ s: SequenceValue, to sink: inout some ByteSink) throws {
        for item in s.items {
            let undefined = isUndefined(item.undefinedLength)
            putTag(.item)
            put32(undefined ? 0xFFFF_FFFF : UInt32(truncatingIfNeeded: encodedLength(of: item.dataSet)))
            try encode(item.dataSet, to: &sink)
            if undefined {
                putTag(.itemDelimitationItem)
                put32(0)
            }
        }
    }

    mutating func putValue(_ b: [UInt8], vr: VR) {
        let swap = bigEndian ? vr.byteSwapUnit : 1
        if swap > 1 {
            var c = b
            ByteSwap.swapInPlace(&c, unit: swap)
            buffer.append(contentsOf: c)
        } else {
            buffer.append(contentsOf: b)
        }
        if b.count & 1 == 1 { buffer.append(vr.paddingByte) }
    }
}
