/// One depth-first pass of `DataSetValidator` over a data set: the dictionary checks (VR, VM),
/// private creators, binary value lengths and the descent into items. String values are checked in
/// `ValidationWalk+Strings.swift`.
struct ValidationWalk {
    typealias Bytes = UnsafeRawBufferPointer

    private(set) var problems: [ValidationProblem] = []
    /// The sequences (and item indexes) above the data set being visited.
    private var frames: [(tag: Tag, item: Int)] = []

    mutating func visit(_ dataSet: DataSet, characterSet: SpecificCharacterSet) {
        for element in dataSet.elements {
            visit(element, in: dataSet, characterSet: characterSet)
        }
    }

    private mutating func visit(_ element: DataElement, in dataSet: DataSet, characterSet: SpecificCharacterSet) {
        let tag = element.tag
        let vr = element.vr
        var findings = ElementFindings()

        // The dictionary knows private creators but no other private element.
        let entry = tag.isPrivate && !tag.isPrivateCreator ? nil : DataDictionary.entry(for: tag.rawValue)

        if tag.isPrivate && !tag.isPrivateCreator && !tag.isGroupLength {
            checkPrivateCreator(of: tag, in: dataSet, findings: &findings)
        }
        if let entry, entry.vr != .UN, vr != .UN, vr != entry.vr, !entry.alternativeVRs.contains(vr) {
            let expected = entry.alternativeVRs.isEmpty ? entry.vr.rawValue : entry.alternativeVRs.map(\.rawValue).joined(separator: " or ")
            findings.add(.vrMismatch, .error, "VR \(vr) differs from the dictionary's \(expected)")
        }
        if tag == .specificCharacterSet {
            checkTerms(of: dataSet.characterSet, findings: &findings)
        }

        var sequence: SequenceValue?
        if vr != .UN {
            switch element.value {
            case .sequence(let s):
                sequence = s
            case .fragments:
                break
            case .bytes, .bulk:
                guard vr != .SQ else { break }
                let count: Int
                if vr.isString {
                    count = element.value.withUnsafeBytes { raw in
                        Self.checkString(raw, vr: vr, characterSet: characterSet, findings: &findings)
                    }
                } else {
                    count = Self.checkBinary(length: element.valueLength ?? 0, vr: vr, findings: &findings)
                }
                if let entry, count > 0, !entry.vm.allows(count) {
                    var values = "\(count) value\(count == 1 ? "" : "s")"
                    if vr.isString {
                        values += element.value.withUnsafeBytes { raw in
                            var end = raw.count
                            while end > 0 && (raw[end - 1] == 0 || raw[end - 1] == 0x20) { end -= 1 }
                            return " (" + Self.quote(raw[..<end]) + ")"
                        }
                    }
                    findings.add(.vm, .error, "\(values) where the dictionary's VM is \(entry.vm)")
                }
            }
        }
        flush(findings, tag: tag)

        if let sequence {
            for (index, item) in sequence.items.enumerated() {
                let itemSet = item.dataSet
                frames.append((tag, index))
                visit(itemSet, characterSet: itemSet.contains(.specificCharacterSet) ? itemSet.characterSet : characterSet)
                frames.removeLast()
            }
        }
    }

    // MARK: Private creators

    /// A private data element (gggg,xxee) needs a private creator (gggg,00xx) in the same data set
    /// with a value; (gggg,0001)–(gggg,000F) and (gggg,0100)–(gggg,0FFF) lie in no block at all.
    private func checkPrivateCreator(of tag: Tag, in dataSet: DataSet, findings: inout ElementFindings) {
        guard let creatorTag = tag.privateCreatorTag else {
            findings.add(.privateCreatorMissing, .error,
                         "private element outside every private block: no private creator can reserve \(tag)")
            return
        }
        guard let creator = dataSet[creatorTag] else {
            findings.add(.privateCreatorMissing, .error,
                         "no private creator \(creatorTag) reserves the block of this private element")
            return
        }
        let empty = creator.value.withUnsafeBytes { raw in raw.allSatisfy { $0 == 0x20 || $0 == 0 } }
        if empty {
            findings.add(.privateCreatorMissing, .error,
                         "private creator \(creatorTag) of this element's block is empty")
        }
    }

    // MARK: Specific Character Set

    private func checkTerms(of characterSet: SpecificCharacterSet, findings: inout ElementFindings) {
        for term in characterSet.unknownTerms {
            findings.add(.charsetTerm, .warning, "\"\(term)\" is not a defined term; it is ignored")
        }
        for (term, corrected) in characterSet.misspelledTerms.sorted(by: { $0.key < $1.key }) {
            findings.add(.charsetTerm, .warning, "\"\(term)\" is a misspelling of \"\(corrected)\"")
        }
        for term in characterSet.ignoredTerms {
            findings.add(.charsetTerm, .warning,
                         "\"\(term)\" is ignored: a repeat, or a term after one that allows no code extensions")
        }
    }

    // MARK: Binary values

    /// Checks that the length is even and a multiple of the VR's value size; returns the number of
    /// values (1 for the OB, OW, … byte streams), 0 when empty or when the length is wrong.
    static func checkBinary(length: Int, vr: VR, findings: inout ElementFindings) -> Int {
        let size: Int
        switch vr {
        case .OW: size = 2
        case .OF, .OL: size = 4
        case .OD, .OV: size = 8
        default: size = vr.fixedValueSize ?? 1
        }
        if size > 1 && length % size != 0 {
            findings.add(.length, .error,
                         "value length \(length) is not a multiple of \(size), the size of one \(vr) value")
            return 0
        }
        if length % 2 == 1 {
            findings.add(.length, .error, "value length \(length) is odd")
        }
        if length == 0 { return 0 }
        return vr.fixedValueSize == nil ? 1 : length / size
    }

    // MARK: Reporting

    private mutating func flush(_ findings: ElementFindings, tag: Tag) {
        guard !findings.items.isEmpty else { return }
        let path = path(to: tag)
        for item in findings.items {
            var message = item.message
            if item.more > 0 { message += " (and \(item.more) more value\(item.more == 1 ? "" : "s"))" }
            problems.append(ValidationProblem(tag: tag, path: path, severity: item.severity, code: item.code, message: message))
        }
    }

    /// `ReferencedImageSequence[0].ReferencedSOPInstanceUID`.
    private func path(to tag: Tag) -> String {
        var path = ""
        for frame in frames {
            path += Self.name(of: frame.tag) + "[\(frame.item)]."
        }
        return path + Self.name(of: tag)
    }

    /// The dictionary keyword, or `(gggg,eeee)` for private tags, group lengths and unknown tags.
    static func name(of tag: Tag) -> String {
        if !tag.isPrivate, let entry = DataDictionary.entry(for: tag.rawValue), !entry.isSynthesised {
            let keyword = entry.keyword
            if !keyword.isEmpty { return keyword }
        }
        return tag.description
    }
}

/// The problems found in one element until the walk ties them to a tag and path. Problems with
/// single values are kept once per code and severity: later values breaking the same rule are only
/// counted.
struct ElementFindings {
    struct Item {
        var code: ValidationProblem.Code
        var severity: ValidationProblem.Severity
        var message: String
        /// A problem of one value, which later values with the same code and severity add to.
        var perValue: Bool
        var more: Int
    }

    private(set) var items: [Item] = []

    /// Adds a problem of the whole element.
    mutating func add(_ code: ValidationProblem.Code, _ severity: ValidationProblem.Severity, _ message: String) {
        items.append(Item(code: code, severity: severity, message: message, perValue: false, more: 0))
    }

    /// Adds a problem of one value; `message` is built only for the first of its code and severity.
    mutating func addValue(_ code: ValidationProblem.Code, _ severity: ValidationProblem.Severity,
                           _ message: @autoclosure () -> String) {
        if let i = items.firstIndex(where: { $0.perValue && $0.code == code && $0.severity == severity }) {
            items[i].more += 1
            return
        }
        items.append(Item(code: code, severity: severity, message: message(), perValue: true, more: 0))
    }
}
