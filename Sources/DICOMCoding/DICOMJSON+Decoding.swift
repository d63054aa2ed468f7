import Foundation
import DICOMCore

extension DICOMJSON {
    /// A data set from a DICOM JSON Model object. Elements referenced by BulkDataURI get empty
    /// values; use `decode(_:bulkData:issues:)` to learn their URIs.
    public static func decode(_ json: [UInt8]) throws -> DataSet {
        var bulkData: [BulkDataReference] = []
        var issues: [Issue] = []
        return try decode(json, bulkData: &bulkData, issues: &issues)
    }

    public static func decode(_ json: Data) throws -> DataSet {
        try decode(Array(json))
    }

    /// A data set from a DICOM JSON Model object, encoded as PS3.5 says: strings in the data
    /// set's Specific Character Set and padded to even length, binary numbers little-endian,
    /// InlineBinary decoded. Elements given by BulkDataURI get an empty value and are listed in
    /// `bulkData`; what was changed to fit (long DS values shortened, text the declared
    /// character set cannot hold, …) is appended to `issues`.
    ///
    /// Text that the declared Specific Character Set cannot encode makes the whole data set
    /// UTF-8: (0008,0005) becomes `ISO_IR 192` (an issue says so).
    public static func decode(_ json: [UInt8], bulkData: inout [BulkDataReference],
                              issues: inout [Issue]) throws -> DataSet {
        let root = try json.withUnsafeBytes { try Scanner.parse($0) }
        guard case .object(let members) = root else {
            throw DICOMJSONError.model(location: "", "the document is \(root.typeName), not an object")
        }
        return try decodeTopLevel(members, bulkData: &bulkData, issues: &issues)
    }

    /// Data sets from a JSON array of DICOM JSON Model objects (as QIDO-RS and WADO-RS metadata
    /// return them); a single object gives one data set.
    public static func decodeList(_ json: [UInt8], bulkData: inout [BulkDataReference],
                                  issues: inout [Issue]) throws -> [DataSet] {
        let root = try json.withUnsafeBytes { try Scanner.parse($0) }
        switch root {
        case .object(let members):
            return [try decodeTopLevel(members, bulkData: &bulkData, issues: &issues)]
        case .array(let values):
            var out: [DataSet] = []
            for (i, v) in values.enumerated() {
                guard case .object(let members) = v else {
                    throw DICOMJSONError.model(location: "[\(i)]", "array element is \(v.typeName), not an object")
                }
                out.append(try decodeTopLevel(members, bulkData: &bulkData, issues: &issues))
            }
            return out
        default:
            throw DICOMJSONError.model(location: "", "the document is \(root.typeName), not an object or array")
        }
    }

    public static func decodeList(_ json: [UInt8]) throws -> [DataSet] {
        var bulkData: [BulkDataReference] = []
        var issues: [Issue] = []
        return try decodeList(json, bulkData: &bulkData, issues: &issues)
    }

    static func decodeTopLevel(_ members: [(key: String, value: JSONValue)], bulkData: inout [BulkDataReference],
                               issues: inout [Issue]) throws -> DataSet {
        var reader = Reader(forceUTF8: false)
        do {
            let ds = try reader.dataSet(members, inherited: .default, topLevel: true)
            bulkData += reader.bulkData
            issues += reader.issues
            return ds
        } catch Reader.CharacterSetFailure.cannotEncode(let path, let tag) {
            reader = Reader(forceUTF8: true)
            let ds = try reader.dataSet(members, inherited: .default, topLevel: true)
            issues.append(Issue(path: path, tag: tag,
                                "text cannot be encoded in the declared Specific Character Set; the data set is written in UTF-8 with (0008,0005) ISO_IR 192"))
            bulkData += reader.bulkData
            issues += reader.issues
            return ds
        }
    }

    /// Builds data sets from parsed JSON, keeping the path for messages.
    struct Reader {
        enum CharacterSetFailure: Error {
            case cannotEncode(Path, Tag)
        }

        /// Encode all text as UTF-8, replacing every Specific Character Set with ISO_IR 192.
        let forceUTF8: Bool
        var bulkData: [BulkDataReference] = []
        var issues: [Issue] = []
        var path = Path()

        init(forceUTF8: Bool) { self.forceUTF8 = forceUTF8 }

        func fail(_ tag: Tag?, _ message: String) -> DICOMJSONError {
            .model(location: tag.map { path.description(appending: $0) } ?? path.description, message)
        }

        mutating func issue(_ tag: Tag, _ message: String) {
            issues.append(Issue(path: path, tag: tag, message))
        }

        static let utf8Term = "ISO_IR 192"

        mutating func dataSet(_ members: [(key: String, value: JSONValue)], inherited: SpecificCharacterSet,
                              topLevel: Bool) throws -> DataSet {
            // The character set first: every other string of this data set is encoded with it.
            var characterSet = inherited
            let declared = members.last { $0.key.uppercased() == "00080005" }?.value
            let replaceDeclared = forceUTF8 && (declared != nil || topLevel)
            if replaceDeclared {
                characterSet = .utf8
            } else if let declared {
                characterSet = SpecificCharacterSet(terms: Reader.terms(of: declared))
            }

            var ds = DataSet(characterSet: characterSet)
            if replaceDeclared {
                ds.insert(DataElement(.specificCharacterSet, .CS, bytes: Array(Reader.utf8Term.utf8)))
            }
            for (key, value) in members {
                guard key.utf8.count == 8, let raw = UInt32(key, radix: 16) else {
                    throw fail(nil, "member name \"\(key)\" is not a tag (8 hexadecimal digits)")
                }
                let tag = Tag(raw)
                if tag == .specificCharacterSet && replaceDeclared { continue }
                if tag.isGroupLength {
                    issue(tag, "group length left out (PS3.18 F.2.2)")
                    continue
                }
                if ds.contains(tag) {
                    issue(tag, "attribute given twice; the last one kept")
                }
                ds.insert(try element(tag, value, characterSet: characterSet))
            }
            return ds
        }

        /// The string values of a (0008,0005) attribute object; none when it has no Value.
        static func terms(of attribute: JSONValue) -> [String] {
            guard case .object(let members) = attribute,
                  case .array(let values)? = members.last(where: { $0.key == "Value" })?.value else { return [] }
            return values.map { v in
                if case .string(let s) = v { return s }
                return ""
            }
        }

        mutating func element(_ tag: Tag, _ json: JSONValue, characterSet: SpecificCharacterSet) throws -> DataElement {
            guard case .object(let members) = json else {
                throw fail(tag, "attribute is \(json.typeName), not an object")
            }
            var vrText: String?
            var value: JSONValue?
            var inline: String?
            var uri: String?
            for (key, v) in members {
                switch key {
                case "vr":
                    guard case .string(let s) = v else { throw fail(tag, "\"vr\" is \(v.typeName), not a string") }
                    vrText = s
                case "Value":
                    value = v
                case "InlineBinary":
                    guard case .string(let s) = v else { throw fail(tag, "\"InlineBinary\" is \(v.typeName), not a string") }
                    inline = s
                case "BulkDataURI":
                    guard case .string(let s) = v else { throw fail(tag, "\"BulkDataURI\" is \(v.typeName), not a string") }
                    uri = s
                default:
                    issue(tag, "unknown member \"\(key)\" ignored")
                }
            }
            let vr: VR
            if let vrText {
                guard let v = VR(rawValue: vrText) else { throw fail(tag, "unknown VR \"\(vrText)\"") }
                vr = v
            } else {
                vr = tag.isPrivate ? .UN : (DataDictionary.entry(for: tag.rawValue)?.vr ?? .UN)
                issue(tag, "no \"vr\"; \(vr) assumed")
            }
            if [value != nil, inline != nil, uri != nil].filter({ $0 }).count > 1 {
                throw fail(tag, "more than one of \"Value\", \"InlineBinary\" and \"BulkDataURI\"")
            }

            if let uri {
                bulkData.append(BulkDataReference(path: path, tag: tag, vr: vr, uri: uri))
                return DataElement(tag, vr, vr == .SQ ? .sequence(SequenceValue()) : .bytes([]))
            }
            if let inline {
                guard var bytes = Base64.decode(inline) else { throw fail(tag, "\"InlineBinary\" is not base64") }
                if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
                return DataElement(tag, vr, .bytes(bytes))
            }
            guard let value else {
                return DataElement(tag, vr, vr == .SQ ? .sequence(SequenceValue()) : .bytes([]))
            }
            guard case .array(let values) = value else {
                throw fail(tag, "\"Value\" is \(value.typeName), not an array")
            }
            switch vr {
            case .SQ:
                return DataElement(tag, .SQ, .sequence(try items(values, of: tag, characterSet: characterSet)))
            case .OB, .OD, .OF, .OL, .OV, .OW, .UN:
                throw fail(tag, "\"Value\" is not allowed for VR \(vr); InlineBinary or BulkDataURI is")
            case .US, .SS, .UL, .SL, .SV, .UV:
                return DataElement(tag, vr, .bytes(try integers(values, vr: vr, tag: tag)))
            case .FL, .FD:
                return DataElement(tag, vr, .bytes(try floats(values, vr: vr, tag: tag)))
            case .AT:
                return DataElement(tag, vr, .bytes(try tags(values, tag: tag)))
            default:
                let texts = try strings(values, vr: vr, tag: tag)
                return DataElement(tag, vr, .bytes(try encode(texts, vr: vr, tag: tag, characterSet: characterSet)))
            }
        }

        mutating func items(_ values: [JSONValue], of tag: Tag, characterSet: SpecificCharacterSet) throws -> SequenceValue {
            var items: [SequenceItem] = []
            for (index, v) in values.enumerated() {
                path.steps.append(Path.Step(sequence: tag, item: index))
                defer { path.steps.removeLast() }
                switch v {
                case .object(let members):
                    items.append(SequenceItem(try dataSet(members, inherited: characterSet, topLevel: false)))
                case .null:
                    items.append(SequenceItem(DataSet(characterSet: characterSet)))
                default:
                    throw fail(nil, "sequence item is \(v.typeName), not an object")
                }
            }
            return SequenceValue(items: items)
        }

        /// Joins values with backslashes and encodes them: in the character set for the VRs that
        /// use it, else as UTF-8 (the default repertoire is ASCII, a subset). Padded to even length.
        func encode(_ texts: [String], vr: VR, tag: Tag, characterSet: SpecificCharacterSet) throws -> [UInt8] {
            let text = texts.joined(separator: "\\")
            var bytes: [UInt8]
            if vr.usesSpecificCharacterSet && !text.utf8.allSatisfy({ $0 < 0x80 }) {
                guard let encoded = characterSet.encode(text, vr: vr) else {
                    throw CharacterSetFailure.cannotEncode(path, tag)
                }
                bytes = encoded
            } else {
                bytes = Array(text.utf8)
            }
            if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
            return bytes
        }

        // MARK: Values

        mutating func strings(_ values: [JSONValue], vr: VR, tag: Tag) throws -> [String] {
            var out: [String] = []
            out.reserveCapacity(values.count)
            for v in values {
                switch (v, vr) {
                case (.null, _):
                    out.append("")
                case (.object(let groups), .PN):
                    out.append(try personName(groups, tag: tag))
                case (.string(let s), _):
                    out.append(s)
                case (.number(let text), .DS):
                    let (ds, exact) = decimalString(fromJSONNumber: text)
                    if !exact { issue(tag, "DS value \(text) shortened to \(ds) (16 characters at most)") }
                    out.append(ds)
                case (.number(let text), .IS):
                    if let i = DICOMJSON.integer(fromJSON: text, in: Int64.min...Int64.max) {
                        out.append(String(i))
                    } else {
                        issue(tag, "IS value \(text) is not an integer; kept as written")
                        out.append(text)
                    }
                case (.number(let text), _):
                    issue(tag, "number \(text) for VR \(vr) kept as its text")
                    out.append(text)
                default:
                    throw fail(tag, "a value of VR \(vr) is \(v.typeName)")
                }
            }
            if vr != .PN, vr.isString, !vr.allowsMultipleStringValues, out.count > 1 {
                issue(tag, "\(out.count) values for single-valued VR \(vr); joined with backslashes")
            }
            return out
        }

        mutating func personName(_ members: [(key: String, value: JSONValue)], tag: Tag) throws -> String {
            var groups = ["", "", ""]
            for (key, value) in members {
                let index: Int
                switch key {
                case "Alphabetic": index = 0
                case "Ideographic": index = 1
                case "Phonetic": index = 2
                default:
                    issue(tag, "unknown person name member \"\(key)\" ignored")
                    continue
                }
                switch value {
                case .string(let s): groups[index] = s
                case .null: break
                default: throw fail(tag, "person name \"\(key)\" is \(value.typeName), not a string")
                }
            }
            return PersonName.joining(groups: groups)
        }

        func numberText(_ v: JSONValue, vr: VR, tag: Tag) throws -> String {
            switch v {
            case .number(let text), .string(let text): return text
            default: throw fail(tag, "a value of VR \(vr) is \(v.typeName), not a number")
            }
        }

        func integers(_ values: [JSONValue], vr: VR, tag: Tag) throws -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(values.count * (vr.fixedValueSize ?? 1))
            for v in values {
                let text = try numberText(v, vr: vr, tag: tag)
                func bad() -> DICOMJSONError { fail(tag, "\(text) is not a value of VR \(vr)") }
                switch vr {
                case .US:
                    guard let i = DICOMJSON.integer(fromJSON: text, in: 0...Int64(UInt16.max)) else { throw bad() }
                    appendLE(&out, UInt16(i))
                case .SS:
                    guard let i = DICOMJSON.integer(fromJSON: text, in: Int64(Int16.min)...Int64(Int16.max)) else { throw bad() }
                    appendLE(&out, UInt16(bitPattern: Int16(i)))
                case .UL:
                    guard let i = DICOMJSON.integer(fromJSON: text, in: 0...Int64(UInt32.max)) else { throw bad() }
                    appendLE(&out, UInt32(i))
                case .SL:
                    guard let i = DICOMJSON.integer(fromJSON: text, in: Int64(Int32.min)...Int64(Int32.max)) else { throw bad() }
                    appendLE(&out, UInt32(bitPattern: Int32(i)))
                case .SV:
                    guard let i = DICOMJSON.integer(fromJSON: text, in: Int64.min...Int64.max) else { throw bad() }
                    appendLE(&out, UInt64(bitPattern: i))
                default:
                    guard let u = DICOMJSON.unsigned(fromJSON: text) else { throw bad() }
                    appendLE(&out, u)
                }
            }
            return out
        }

        func floats(_ values: [JSONValue], vr: VR, tag: Tag) throws -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(values.count * (vr == .FL ? 4 : 8))
            for v in values {
                let text = try numberText(v, vr: vr, tag: tag)
                if vr == .FL {
                    guard let f = DICOMJSON.float(fromJSON: text) else { throw fail(tag, "\(text) is not a value of VR FL") }
                    appendLE(&out, f.bitPattern)
                } else {
                    guard let d = DICOMJSON.double(fromJSON: text) else { throw fail(tag, "\(text) is not a value of VR FD") }
                    appendLE(&out, d.bitPattern)
                }
            }
            return out
        }

        func tags(_ values: [JSONValue], tag: Tag) throws -> [UInt8] {
            var out: [UInt8] = []
            for v in values {
                guard case .string(let s) = v, s.utf8.count == 8, let raw = UInt32(s, radix: 16) else {
                    throw fail(tag, "an AT value is not a tag written as 8 hexadecimal digits")
                }
                appendLE(&out, UInt16(raw >> 16))
                appendLE(&out, UInt16(raw & 0xFFFF))
            }
            return out
        }

        func appendLE<T: FixedWidthInteger>(_ out: inout [UInt8], _ v: T) {
            withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
        }
    }
}
