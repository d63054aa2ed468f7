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
        var encoder = Encoder(options: options)
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
        var encoder = Encoder(options: options)
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
    struct Encoder {
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
            withUnsafeBytes(of: Encoder.hexKey(e.tag)) { writer.key(ascii: $0) }
            writer.beginObject()
            switch e.value {
            case .sequence(let sequence):
                // UN of undefined length holds implicit VR items (PS3.5 §6.2.2): a sequence.
                writer.key("vr")
                writer.string("SQ")
                writeItems(sequence, of: e.tag, in: ds)
            case .fragments:
                writer.key("vr")
                writer.string(e.vr.rawValue)
                if let uri = options.bulkDataURI?(e.tag, path) {
                    writer.key("BulkDataURI")
                    writer.string(uri)
                } else {
                    issue(e.tag, "encapsulated pixel data left out: no BulkDataURI was given for it")
                }
            case .bytes, .bulk:
                writer.key("vr")
                writer.string(e.vr.rawValue)
                writeValue(of: e, in: ds)
            }
            writer.endObject()
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
            case .PN:
                writePersonNames(ds.strings(of: e), tag: e.tag)
            case .DS, .IS:
                writeNumberStrings(ds.strings(of: e), e)
            default:
                writeStrings(ds.strings(of: e))
            }
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

        /// True when there is nothing to write: no values, or a single empty one (PS3.18 F.2.5).
        static func isEmpty(_ values: [String]) -> Bool {
            values.isEmpty || (values.count == 1 && values[0].isEmpty)
        }

        mutating func writeStrings(_ values: [String]) {
            guard !Encoder.isEmpty(values) else { return }
            writer.key("Value")
            writer.beginArray()
            for v in values {
                if v.isEmpty { writer.null() } else { writer.string(v) }
            }
            writer.endArray()
        }

        /// DS and IS values as JSON numbers with the digits as written (PS3.18 F.2.3); values
        /// that are not numbers stay strings, which the standard allows for these VRs.
        mutating func writeNumberStrings(_ values: [String], _ e: DataElement) {
            guard !Encoder.isEmpty(values) else { return }
            writer.key("Value")
            writer.beginArray()
            for v in values {
                if v.isEmpty {
                    writer.null()
                } else if let text = e.vr == .IS ? DICOMJSON.jsonInteger(v) : DICOMJSON.jsonDecimal(v) {
                    writer.number(text: text)
                } else {
                    writer.string(v)
                    issue(e.tag, "\(e.vr) value \"\(v)\" is not a number; written as a string")
                }
            }
            writer.endArray()
        }

        /// PN values as objects of their non-empty component groups, each group as written.
        mutating func writePersonNames(_ values: [String], tag: Tag) {
            let groups: [[Substring]?] = values.map { value in
                let g = PersonName.componentGroups(of: value)
                return g.allSatisfy(\.isEmpty) ? nil : g
            }
            if groups.isEmpty || (groups.count == 1 && groups[0] == nil) { return }
            writer.key("Value")
            writer.beginArray()
            for g in groups {
                guard let g else {
                    writer.null()
                    continue
                }
                writer.beginObject()
                for (name, text) in zip(["Alphabetic", "Ideographic", "Phonetic"], g) where !text.isEmpty {
                    writer.key(name)
                    writer.string(text)
                }
                writer.endObject()
                if g.count == 3 && g[2].contains("=") {
                    issue(tag, "person name with more than three component groups; the rest kept in Phonetic")
                }
            }
            writer.endArray()
        }

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
