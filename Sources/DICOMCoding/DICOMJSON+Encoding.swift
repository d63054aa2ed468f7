import DICOMCore

extension DICOMJSON {
    /// The data set as a DICOM JSON Model object (PS3.18 F.2), UTF-8 text.
    public static func encode(_ dataSet: DataSet, options: EncodeOptions = EncodeOptions()) -> [UInt8] {
        var issues: [Issue] = []
        return encode(dataSet, options: options, issues: &issues)
    }

    /// The data set as a DICOM JSON Model object; what could not be written exactly is appended
    /// to `issues` (values that are not numbers written as strings, NaN and infinities,
    /// encapsulated pixel data left out, …).
    public static func encode(_ dataSet: DataSet, options: EncodeOptions = EncodeOptions(),
                              issues: inout [Issue]) -> [UInt8] {
        var encoder = Writer(options: options)
        encoder.writer.beginObject()
        encoder.writeMembers(of: dataSet, meta: nil)
        encoder.writer.endObject()
        issues += encoder.issues
        return encoder.writer.bytes
    }

    /// A file's data set as a DICOM JSON Model object, preceded by its file meta information
    /// when `options.includeMeta` is set.
    public static func encode(_ file: DICOMFile, options: EncodeOptions = EncodeOptions(),
                              issues: inout [Issue]) -> [UInt8] {
        var encoder = Writer(options: options)
        encoder.writer.beginObject()
        encoder.writeMembers(of: file.dataSet, meta: options.includeMeta ? file.meta : nil)
        encoder.writer.endObject()
        issues += encoder.issues
        return encoder.writer.bytes
    }

    public static func encode(_ file: DICOMFile, options: EncodeOptions = EncodeOptions()) -> [UInt8] {
        var issues: [Issue] = []
        return encode(file, options: options, issues: &issues)
    }

    /// Writes data sets into a `JSONWriter`, keeping the path to the data set being written.
    struct Writer {
        var writer: JSONWriter
        let options: EncodeOptions
        var issues: [Issue] = []
        var path = Path()

        init(options: EncodeOptions) {
            self.options = options
            writer = JSONWriter(pretty: options.pretty)
        }

        /// The members of one data set object (the braces are the caller's). Group lengths are
        /// left out (PS3.18 F.2.2); group 0002 comes from `meta` when given, else from `ds` when
        /// meta is to be included.
        mutating func writeMembers(of ds: DataSet, meta: DataSet?) {
            if let meta {
                for e in meta where e.tag.isMeta && !e.tag.isGroupLength {
                    writeElement(e, in: meta)
                }
            }
            for e in ds {
                let tag = e.tag
                if tag.isGroupLength || tag.isDelimiter { continue }
                if tag.isMeta && (meta != nil || !options.includeMeta) { continue }
                writeElement(e, in: ds)
            }
        }

        mutating func issue(_ tag: Tag, _ message: String) {
            issues.append(Issue(path: path, tag: tag, message))
        }

        mutating func writeElement(_ e: DataElement, in ds: DataSet) {
            withUnsafeBytes(of: Writer.hexKey(e.tag)) { writer.key(ascii: $0) }
            writer.beginObject()
            writer.key("vr")
            switch e.value {
            case .sequence(let sequence):
                // UN of undefined length holds implicit VR items (PS3.5 §6.2.2): a sequence.
                writeVR(.SQ)
                writeItems(sequence, of: e.tag, in: ds)
            case .fragments(let encapsulated):
                writeVR(e.vr)
                // PS3.18 F.2.7: encapsulated pixel data inline is the octet stream of its items
                // (Basic Offset Table item, then one item per fragment), as pydicom writes it.
                let stream = Writer.itemStream(encapsulated)
                stream.withUnsafeBytes { writeBinary($0, tag: e.tag) }
            case .bytes, .bulk:
                writeVR(e.vr)
                writeValue(of: e, in: ds)
            }
            writer.endObject()
        }

        mutating func writeVR(_ vr: VR) {
            let code = vr.code.bigEndian // the two letters in text order
            withUnsafeBytes(of: code) { writer.string(ascii: $0) }
        }

        /// `GGGGEEEE` as 8 ASCII bytes packed in a UInt64 (memory order is text order).
        static func hexKey(_ tag: Tag) -> UInt64 {
            var key: UInt64 = 0
            withUnsafeMutableBytes(of: &key) { out in
                for i in 0..<8 {
                    let nibble = UInt8(truncatingIfNeeded: tag.rawValue >> (28 - 4 * UInt32(i))) & 0xF
                    out[i] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
                }
            }
            return key
        }

        // MARK: Sequences

        mutating func writeItems(_ sequence: SequenceValue, of tag: Tag, in parent: DataSet) {
            guard !sequence.items.isEmpty else { return }
            writer.key("Value")
            writer.beginArray()
            for (index, item) in sequence.items.enumerated() {
                var ds = item.dataSet
                // An item without its own Specific Character Set uses its parent's (PS3.5 §7.5.3).
                if !ds.contains(.specificCharacterSet) && ds.characterSet != parent.characterSet {
                    ds.characterSet = parent.characterSet
                }
                path.steps.append(Path.Step(sequence: tag, item: index))
                writer.beginObject()
                writeMembers(of: ds, meta: nil)
                writer.endObject()
                path.steps.removeLast()
            }
            writer.endArray()
        }

        // MARK: Values

        mutating func writeValue(of e: DataElement, in ds: DataSet) {
            switch e.vr {
            case .OB, .OD, .OF, .OL, .OV, .OW, .UN:
                e.value.withUnsafeBytes { writeBinary($0, tag: e.tag) }
            case .US, .SS, .UL, .SL, .SV, .UV:
                e.value.withUnsafeBytes { writeIntegers($0, e) }
            case .FL, .FD:
                e.value.withUnsafeBytes { writeFloats($0, e) }
            case .AT:
                e.value.withUnsafeBytes { writeTags($0, e) }
            case .SQ:
                if (e.valueLength ?? 0) > 0 {
                    issue(e.tag, "SQ value that is no sequence of items left out")
                }
            default:
                var text = e.value.withUnsafeBytes { ds.characterSet.decode($0, vr: e.vr) }
                text.withUTF8 { utf8 in
                    let values = Writer.stringValues(utf8, vr: e.vr)
                    switch e.vr {
                    case .PN: writePersonNames(utf8, values, tag: e.tag)
                    case .DS, .IS: writeNumberStrings(utf8, values, e)
                    default: writeStrings(utf8, values)
                    }
                }
            }
        }

        /// The items of encapsulated pixel data as they are encoded (little-endian), without the
        /// Sequence Delimitation Item.
        static func itemStream(_ f: EncapsulatedPixelData) -> [UInt8] {
            var out: [UInt8] = []
            func item(_ length: Int) {
                out += [0xFE, 0xFF, 0x00, 0xE0]
                withUnsafeBytes(of: UInt32(length).littleEndian) { out.append(contentsOf: $0) }
            }
            item(f.basicOffsetTable.count * 4)
            for v in f.basicOffsetTable { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
            for fragment in f.fragments {
                item(fragment.count + fragment.count % 2)
                fragment.withUnsafeBytes { out.append(contentsOf: $0) }
                if fragment.count % 2 == 1 { out.append(0) }
            }
            return out
        }

        mutating func writeBinary(_ raw: UnsafeRawBufferPointer, tag: Tag) {
            let threshold = options.bulkDataThreshold
            if raw.count > threshold, let uri = options.bulkDataURI?(tag, path) {
                writer.key("BulkDataURI")
                writer.string(uri)
            } else if raw.count > 0 {
                writer.key("InlineBinary")
                writer.base64String(raw)
            }
        }

        // MARK: Strings

        /// Byte ranges of the values in the decoded UTF-8 text of a string element: split at
        /// backslashes for VRs with several values, trimmed as `DataSet.strings(of:)` trims (leading
        /// and trailing spaces; trailing only for ST, LT, UT and UR; trailing NULs too).
        static func stringValues(_ text: UnsafeBufferPointer<UInt8>, vr: VR) -> [Range<Int>] {
            if text.isEmpty { return [] }
            let space = UInt8(ascii: " ")
            let keepsLeadingSpaces = vr == .UI || vr == .ST || vr == .LT || vr == .UT || vr == .UR
            func trimmed(_ r: Range<Int>) -> Range<Int> {
                var lo = r.lowerBound, hi = r.upperBound
                if !keepsLeadingSpaces { while lo < hi && text[lo] == space { lo += 1 } }
                while hi > lo && (text[hi - 1] == space || text[hi - 1] == 0) { hi -= 1 }
                return lo..<hi
            }
            var values: [Range<Int>] = []
            var start = 0
            if vr.allowsMultipleStringValues {
                // 0x5C in UTF-8 is always the backslash itself.
                for i in 0..<text.count where text[i] == UInt8(ascii: "\\") {
                    values.append(trimmed(start..<i))
                    start = i + 1
                }
            }
            values.append(trimmed(start..<text.count))
            return values
        }

        /// True when there is nothing to write: no values, or a single empty one (PS3.18 F.2.5).
        static func isEmpty(_ values: [Range<Int>]) -> Bool {
            values.isEmpty || (values.count == 1 && values[0].isEmpty)
        }

        mutating func writeStrings(_ text: UnsafeBufferPointer<UInt8>, _ values: [Range<Int>]) {
            guard !Writer.isEmpty(values) else { return }
            writer.key("Value")
            writer.beginArray()
            for r in values {
                if r.isEmpty { writer.null() } else { writer.string(utf8: UnsafeBufferPointer(rebasing: text[r])) }
            }
            writer.endArray()
        }

        /// DS and IS values as JSON numbers with the digits as written (PS3.18 F.2.3); values
        /// that are not numbers stay strings, which the standard allows for these VRs.
        mutating func writeNumberStrings(_ text: UnsafeBufferPointer<UInt8>, _ values: [Range<Int>], _ e: DataElement) {
            guard !Writer.isEmpty(values) else { return }
            writer.key("Value")
            writer.beginArray()
            for r in values {
                let value = UnsafeBufferPointer(rebasing: text[r])
                if r.isEmpty {
                    writer.null()
                } else if let number = e.vr == .IS ? DICOMJSON.jsonInteger(value) : DICOMJSON.jsonDecimal(value) {
                    writer.number(text: number)
                } else {
                    writer.string(utf8: value)
                    issue(e.tag, "\(e.vr) value \"\(String(decoding: value, as: UTF8.self))\" is not a number; written as a string")
                }
            }
            writer.endArray()
        }

        static let groupNames: [StaticString] = ["Alphabetic", "Ideographic", "Phonetic"]

        /// PN values as objects of their non-empty component groups, each group as written
        /// (`PersonName.componentGroups(of:)`: at most three, the third keeping any further `=`).
        mutating func writePersonNames(_ text: UnsafeBufferPointer<UInt8>, _ values: [Range<Int>], tag: Tag) {
            func groups(_ r: Range<Int>) -> [Range<Int>] {
                var out: [Range<Int>] = []
                var start = r.lowerBound
                for i in r where text[i] == UInt8(ascii: "=") && out.count < 2 {
                    out.append(start..<i)
                    start = i + 1
                }
                out.append(start..<r.upperBound)
                return out
            }
            let names = values.map { r -> [Range<Int>]? in
                let g = groups(r)
                return g.allSatisfy(\.isEmpty) ? nil : g
            }
            if names.isEmpty || (names.count == 1 && names[0] == nil) { return }
            writer.key("Value")
            writer.beginArray()
            for name in names {
                guard let name else {
                    writer.null()
                    continue
                }
                writer.beginObject()
                for (i, r) in name.enumerated() where !r.isEmpty {
                    writer.key(Writer.groupNames[i])
                    writer.string(utf8: UnsafeBufferPointer(rebasing: text[r]))
                }
                writer.endObject()
                if name.count == 3 && text[name[2]].contains(UInt8(ascii: "=")) {
                    issue(tag, "person name with more than three component groups; the rest kept in Phonetic")
                }
            }
            writer.endArray()
        }

        // MARK: Binary numbers

        mutating func checkLength(_ raw: UnsafeRawBufferPointer, _ size: Int, _ e: DataElement) -> Int {
            let rest = raw.count % size
            if rest != 0 {
                issue(e.tag, "\(e.vr) value of \(raw.count) bytes is not a multiple of \(size); last \(rest) bytes left out")
            }
            return raw.count / size
        }

        mutating func writeIntegers(_ raw: UnsafeRawBufferPointer, _ e: DataElement) {
            let size = e.vr.fixedValueSize ?? 1
            let n = checkLength(raw, size, e)
            guard n > 0 else { return }
            writer.key("Value")
            writer.beginArray()
            for i in 0..<n {
                let o = i * size
                switch e.vr {
                case .US: writer.number(raw.loadLE(UInt16.self, at: o))
                case .SS: writer.number(Int16(bitPattern: raw.loadLE(UInt16.self, at: o)))
                case .UL: writer.number(raw.loadLE(UInt32.self, at: o))
                case .SL: writer.number(Int32(bitPattern: raw.loadLE(UInt32.self, at: o)))
                case .SV: writer.number(Int64(bitPattern: raw.loadLE(UInt64.self, at: o)))
                default: writer.number(raw.loadLE(UInt64.self, at: o))
                }
            }
            writer.endArray()
        }

        /// FL as the shortest text that reads back as the same Float (not of the widened Double),
        /// FD as the shortest for the Double. NaN and infinities are no JSON numbers: they are
        /// written as the strings "NaN", "Infinity" and "-Infinity".
        mutating func writeFloats(_ raw: UnsafeRawBufferPointer, _ e: DataElement) {
            let size = e.vr == .FL ? 4 : 8
            let n = checkLength(raw, size, e)
            guard n > 0 else { return }
            writer.key("Value")
            writer.beginArray()
            for i in 0..<n {
                let text: String
                let finite: Bool
                if size == 4 {
                    let f = Float(bitPattern: raw.loadLE(UInt32.self, at: i * 4))
                    finite = f.isFinite
                    text = finite ? f.description : DICOMJSON.nonFiniteText(Double(f))
                } else {
                    let d = Double(bitPattern: raw.loadLE(UInt64.self, at: i * 8))
                    finite = d.isFinite
                    text = finite ? d.description : DICOMJSON.nonFiniteText(d)
                }
                if finite {
                    writer.number(text: text)
                } else {
                    writer.string(text)
                    issue(e.tag, "\(e.vr) value \(text) is no JSON number; written as the string \"\(text)\"")
                }
            }
            writer.endArray()
        }

        mutating func writeTags(_ raw: UnsafeRawBufferPointer, _ e: DataElement) {
            let n = checkLength(raw, 4, e)
            guard n > 0 else { return }
            writer.key("Value")
            writer.beginArray()
            for i in 0..<n {
                let tag = Tag(raw.loadLE(UInt16.self, at: i * 4), raw.loadLE(UInt16.self, at: i * 4 + 2))
                writer.string(tag.jsonKey)
            }
            writer.endArray()
        }
    }

    static func nonFiniteText(_ d: Double) -> String {
        d.isNaN ? "NaN" : (d < 0 ? "-Infinity" : "Infinity")
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always) fileprivate func loadLE<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
