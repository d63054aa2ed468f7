import DICOMCore
import DICOMDictionary

/// PS3.15 Annex E as a pure function: `apply(to:)` takes a data set and returns it de-identified
/// under the policy and key, with the list of changes and the values that must not survive.
///
/// Rules (docs/deidentify.md explains each):
/// - Table E.1-1 gives each listed attribute its action; an option in force that names the attribute
///   overrides the Basic Profile, K before C (options only ever retain more); a recipe override
///   beats both.
/// - Combined codes resolve so the attribute stays valid under whatever Type an IOD gives it, since
///   the IOD is not consulted: X/Z → Z; Z/D, X/D, X/Z/D → D; X/Z/U* → keep the sequence and replace
///   the UIDs inside (the rows of those UIDs say U). Except X/Z → X for Referenced Study Sequence:
///   the composite IODs give it Type 3 with one or more items, so an emptied one is invalid
///   (dciodvfy: "Bad Sequence number of Items 0") where a removed one is not.
/// - Attributes the table does not list: kept (the table is the standard's minimum, E.1.1 note 5),
///   except dates and times, which follow their VR as E.1.1 note 4 suggests (kept with Full Dates,
///   shifted with Modified Dates, else a dummy), private ones (removed, or kept when Retain
///   Safe Private is in force and Table E.3.10-1 lists them for their creator), group lengths, and
///   even-group attributes the data dictionary does not know (a newer edition may list them).
/// - Sequences are processed item by item at every depth with the same rules. A sequence whose
///   action is D (Content Sequence, Verifying Observer Sequence, ...) keeps its structure and codes
///   but every text, name, date and time inside that the table does not list becomes a dummy; one
///   whose action is C keeps them with identifying words redacted.
public struct Deidentifier: Sendable {
    public let policy: DeidentifyPolicy
    public let key: PseudonymKey

    public init(policy: DeidentifyPolicy, key: PseudonymKey) {
        self.policy = policy
        self.key = key
    }

    public func apply(to dataSet: DataSet) -> DeidentifyResult {
        let patient = PatientIdentity(
            issuer: dataSet.string(.issuerOfPatientID) ?? "",
            patientID: dataSet.string(.patientID) ?? "",
            fallbackStudyUID: dataSet.string(.studyInstanceUID))
        guard policy.mode != .identified else {
            return DeidentifyResult(dataSet: dataSet, changes: [], patient: patient, pseudonym: nil, dateShiftDays: nil, leakPatterns: [])
        }
        let run = Run(policy: policy, key: key, patient: patient, root: dataSet)
        var output = run.process(dataSet, path: "", content: .normal)
        run.addMethodAttributes(to: &output)
        return DeidentifyResult(
            dataSet: output, changes: run.changes, patient: patient, pseudonym: run.pseudonym,
            dateShiftDays: policy.shiftsDates ? run.shiftDays : nil, leakPatterns: run.finalPatterns())
    }
}

/// How to treat text inside a sequence whose own action was D or C.
enum ContentMode {
    case normal
    /// Inside a D sequence: unlisted text, names, dates and times become dummies.
    case dummy
    /// Inside a C sequence: unlisted text is cleaned.
    case clean
}

/// The state of one `apply`: changes, patterns, allowed values.
final class Run {
    let policy: DeidentifyPolicy
    let key: PseudonymKey
    let pseudonym: String
    let shiftDays: Int
    let redaction: TextRedaction
    let identityTokens: Set<[UInt8]>
    var changes: [AppliedChange] = []
    /// Values from the input that identify (candidate leak patterns), with where they came from.
    var patterns: [[UInt8]: String] = [:]
    /// Values the output may legitimately contain: kept by an option of the profile, or made by cmr.
    var allowed: Set<[UInt8]> = []
    /// Values kept only because the table does not list them (or a recipe keeps them): they excuse
    /// coincidences with removed values, but never an identifying token of the patient, staff or
    /// site inside them (a name in untabulated free text is a leak the self-check must report).
    var keptByRule: Set<[UInt8]> = []

    init(policy: DeidentifyPolicy, key: PseudonymKey, patient: PatientIdentity, root: DataSet) {
        self.policy = policy
        self.key = key
        self.pseudonym = key.patientPseudonym(of: patient)
        self.shiftDays = key.dateShiftDays(of: patient)
        var tokens: [[UInt8]: String] = [:]
        IdentityTokens.collect(from: root, into: &tokens)
        self.identityTokens = Set(tokens.keys)
        self.redaction = TextRedaction(tokens: identityTokens)
        // Identifying words are searched for as whole words; those too short to tell from chance
        // (two letters: "CT" in a name like CQ500-CT-310; short numbers) are redacted in cleaned
        // text but not searched for.
        for (token, source) in tokens where Self.isDistinctiveWord(token) { addPattern(token, source: source) }
    }

    // MARK: Walking

    func process(_ input: DataSet, path: String, content: ContentMode) -> DataSet {
        var out: [DataElement] = []
        out.reserveCapacity(input.count)
        var keptBlocks: Set<UInt32> = []
        var creators: [DataElement] = []
        // An overlay whose data goes goes whole: Overlay Rows, Columns, Type... without the bitmap
        // would be an invalid plane.
        let removedOverlays = removedOverlayGroups(in: input)
        for original in input {
            let element = Self.withDictionaryVR(original)
            let tag = element.tag
            let here = path + tag.description
            if removedOverlays.contains(tag.group) && tag.element != 0x3000 {
                record(here, "X", "rule")
                continue
            }
            if tag.isGroupLength || tag.isMeta || tag.isDelimiter {
                continue
            }
            if tag.isPrivate || tag.group < 0x0008 && tag.group & 1 == 1 {
                if tag.isPrivateCreator { creators.append(element); continue }
                if let kept = processPrivate(element, in: input, path: here) {
                    out.append(kept)
                    keptBlocks.insert(UInt32(tag.group) << 16 | UInt32(tag.element >> 8))
                }
                continue
            }
            if let result = processStandard(element, in: input, path: here, content: content) {
                out.append(result)
            }
        }
        for creator in creators {
            let block = UInt32(creator.tag.group) << 16 | UInt32(creator.tag.element)
            if keptBlocks.contains(block) {
                out.append(creator)
                noteAllowed(creator, in: input)
            }
        }
        return DataSet(out, characterSet: input.characterSet)
    }

    /// The repeating groups 60xx whose Overlay Data this policy removes.
    private func removedOverlayGroups(in dataSet: DataSet) -> Set<UInt16> {
        var groups: Set<UInt16> = []
        for element in dataSet where element.tag.group & 0xFF01 == 0x6000 && element.tag.element == 0x3000 {
            if policy.overrides[element.tag] != nil { continue }
            guard let row = ConfidentialityProfile.row(for: element.tag.rawValue) else { continue }
            let (action, _) = resolve(row)
            if action == .X || action == .C { groups.insert(element.tag.group) }
        }
        return groups
    }

    /// An element read as UN (implicit VR files with unknown tags, or explicit UN) gets its VR
    /// from the data dictionary when the dictionary gives exactly one, so its values are read and
    /// written as what they are (pydicom does the same).
    static func withDictionaryVR(_ element: DataElement) -> DataElement {
        guard element.vr == .UN, !element.tag.isPrivate,
              let entry = DataDictionary.entry(for: element.tag.rawValue), entry.alternativeVRs.isEmpty, entry.vr != .UN
        else { return element }
        switch element.value {
        case .sequence:
            return DataElement(element.tag, .SQ, element.value)
        case .bytes, .bulk:
            return entry.vr == .SQ ? element : DataElement(element.tag, entry.vr, element.value)
        case .fragments:
            return element
        }
    }

    private func processPrivate(_ element: DataElement, in dataSet: DataSet, path: String) -> DataElement? {
        let tag = element.tag
        if let override = policy.overrides[tag] {
            return applyOverride(override, element, in: dataSet, path: path)
        }
        let creator = dataSet.privateCreator(of: tag)
        let safe = policy.options.contains(.retainSafePrivate) && tag.element >> 8 >= 0x10 && creator.map {
            ConfidentialityProfile.isSafePrivate(creator: $0, group: tag.group, elementByte: UInt8(tag.element & 0xFF))
        } ?? false
        if safe {
            record(path, "K", ProfileOption.retainSafePrivate.rawValue)
            if case .sequence(let sequence) = element.value {
                return DataElement(tag, element.vr, .sequence(processItems(sequence, path: path, content: .normal)))
            }
            noteAllowed(element, in: dataSet)
            return element
        }
        record(path, "X", "private")
        collectPatterns(element, in: dataSet, path: path, wholeValuesFrom: 8)
        return nil
    }

    private func processStandard(_ element: DataElement, in dataSet: DataSet, path: String, content: ContentMode) -> DataElement? {
        let tag = element.tag
        if let override = policy.overrides[tag] {
            return applyOverride(override, element, in: dataSet, path: path)
        }
        if let row = ConfidentialityProfile.row(for: tag.rawValue) {
            let (action, source) = resolve(row)
            return applyAction(action, source: source, element, in: dataSet, path: path)
        }
        guard DataDictionary.entry(for: tag.rawValue) != nil else {
            record(path, "X", "unknown")
            collectPatterns(element, in: dataSet, path: path, wholeValuesFrom: 8)
            return nil
        }
        if case .sequence(let sequence) = element.value {
            return DataElement(tag, element.vr, .sequence(processItems(sequence, path: path, content: content)))
        }
        let vr = effectiveVR(element)
        if vr == .SQ {
            // A sequence still in UN bytes (explicit VR UN of defined length): what its items hold
            // cannot be checked, so it is not kept.
            record(path, "X", "unparsed sequence")
            return nil
        }
        // PS3.15 E.1.1 note 4: dates and times are handled by their VR, not only where the table
        // lists them — kept with Full Dates, moved (DA, DT) or kept (TM) with Modified Dates,
        // otherwise replaced by a dummy.
        if vr == .DA || vr == .DT || vr == .TM, !Self.structural.contains(tag.rawValue) {
            if policy.options.contains(.retainLongitudinalFullDates) {
                noteAllowed(element, in: dataSet)
                return element
            }
            return applyAction(policy.shiftsDates ? .C : .D, source: "rule", element, in: dataSet, path: path)
        }
        switch content {
        case .dummy where Self.isContentText(vr) && !Self.structural.contains(tag.rawValue):
            return applyAction(.D, source: "rule", element, in: dataSet, path: path)
        case .clean where Self.isFreeText(vr) && !Self.structural.contains(tag.rawValue):
            return applyAction(.C, source: "rule", element, in: dataSet, path: path)
        default:
            noteAllowed(element, in: dataSet, sanctioned: false)
            return element
        }
    }

    /// The action for a listed attribute: a K from an option in force wins, then a C, else the
    /// Basic Profile's code with the combined codes resolved.
    func resolve(_ row: ProfileRow) -> (ProfileAction, String) {
        var clean: ProfileOption?
        for option in policy.options.sorted() {
            switch row.action(option.column) {
            case .K?: return (.K, option.rawValue)
            case .C?: if clean == nil { clean = option }
            default: break
            }
        }
        if let clean { return (.C, clean.rawValue) }
        return (Self.resolvedCombined(row.basicAction, tag: row.value), "basic")
    }

    /// A combined code resolved so the attribute stays valid under any IOD Type (see the type's
    /// doc comment); other codes unchanged.
    static func resolvedCombined(_ action: ProfileAction, tag: UInt32) -> ProfileAction {
        switch action {
        case .XZ: removedOnXZ.contains(tag) ? .X : .Z
        case .ZD, .XD, .XZD: .D
        default: action
        }
    }

    func applyAction(_ action: ProfileAction, source: String, _ element: DataElement, in dataSet: DataSet, path: String) -> DataElement? {
        let tag = element.tag
        let vr = effectiveVR(element)
        if vr == .SQ, action != .X, action != .K, !Self.isSequence(element.value) {
            // A sequence still in UN bytes: its items cannot be rewritten, and a dummy value would
            // make an SQ of two bytes (a corrupt file). Emptied.
            record(path, "Z", "unparsed sequence")
            return DataElement(tag, .SQ, .sequence(SequenceValue(items: [])))
        }
        switch action {
        case .X:
            record(path, "X", source)
            collectPatterns(element, in: dataSet, path: path, wholeValuesFrom: 8)
            return nil
        case .Z:
            record(path, "Z", source)
            collectPatterns(element, in: dataSet, path: path, wholeValuesFrom: 8)
            if case .sequence(let s) = element.value {
                return DataElement(tag, element.vr, .sequence(SequenceValue(items: [], undefinedLength: s.undefinedLength)))
            }
            if vr == .SQ { return DataElement(tag, .SQ, .sequence(SequenceValue(items: []))) }
            if policy.mode == .pseudonymous && tag == .patientName {
                return pseudonymElement(tag, vr: .PN, path: path)
            }
            return DataElement(tag, vr, .bytes([]))
        case .D:
            if case .sequence(let s) = element.value {
                record(path, "D", source)
                return DataElement(tag, element.vr, .sequence(processItems(s, path: path, content: .dummy)))
            }
            if tag == .patientID {
                collectPatterns(element, in: dataSet, path: path, wholeValuesFrom: 1)
                return pseudonymElement(tag, vr: vr, path: path)
            }
            if vr == .UI { return remapUIDs(element, vr: vr, in: dataSet, path: path, source: source) }
            record(path, "D", source)
            collectPatterns(element, in: dataSet, path: path, wholeValuesFrom: 8)
            let bytes = DummyValue.bytes(for: vr) ?? [0, 0]
            allowed.insert(Self.trimmed(bytes))
            return DataElement(tag, vr, .bytes(bytes))
        case .U:
            if case .sequence(let s) = element.value {
                record(path, "U", source)
                return DataElement(tag, element.vr, .sequence(processItems(s, path: path, content: .normal)))
            }
            if vr == .UI { return remapUIDs(element, vr: vr, in: dataSet, path: path, source: source) }
            return applyAction(.D, source: source, element, in: dataSet, path: path)
        case .XZU:
            if case .sequence(let s) = element.value {
                record(path, "U", source)
                return DataElement(tag, element.vr, .sequence(processItems(s, path: path, content: .normal)))
            }
            return applyAction(.Z, source: source, element, in: dataSet, path: path)
        case .K:
            if case .sequence(let s) = element.value {
                return DataElement(tag, element.vr, .sequence(processItems(s, path: path, content: .normal)))
            }
            if source != "basic" { record(path, "K", source) }
            // Only an option of the standard sanctions what it keeps; a recipe's keep does not.
            noteAllowed(element, in: dataSet, sanctioned: source != "basic" && source != "recipe" && source != "rule")
            return element
        case .C:
            return clean(element, vr: vr, in: dataSet, path: path, source: source)
        case .ZD, .XZ, .XD, .XZD:
            return applyAction(Self.resolvedCombined(action, tag: tag.rawValue), source: source, element, in: dataSet, path: path)
        }
    }

    /// Action C: dates move by the patient's shift when Modified Dates is in force; times stay;
    /// text is kept with identifying words redacted; sequences are processed in clean mode;
    /// anything else (AE titles, overlay bitmaps) cannot be cleaned and is replaced or removed.
    private func clean(_ element: DataElement, vr: VR, in dataSet: DataSet, path: String, source: String) -> DataElement? {
        let tag = element.tag
        if case .sequence(let s) = element.value {
            record(path, "C", source)
            return DataElement(tag, element.vr, .sequence(processItems(s, path: path, content: .clean)))
        }
        switch vr {
        case .DA, .DT:
            guard policy.shiftsDates else { return applyAction(.D, source: source, element, in: dataSet, path: path) }
            let values = dataSet.strings(of: element)
            var shifted: [String] = []
            for value in values {
                if value.isEmpty { shifted.append(""); continue }
                guard let moved = vr == .DA ? DateShift.shiftDA(value, days: shiftDays) : DateShift.shiftDT(value, days: shiftDays) else {
                    // Not a date this understands: it cannot be shifted, so it cannot stay.
                    return applyAction(.D, source: "rule", element, in: dataSet, path: path)
                }
                shifted.append(moved)
            }
            record(path, "shift", source)
            collectPatterns(element, in: dataSet, path: path, wholeValuesFrom: 8)
            var bytes = Array(shifted.joined(separator: "\\").utf8)
            if bytes.count % 2 == 1 { bytes.append(0x20) }
            for value in shifted { allowed.insert(Array(value.utf8)) }
            return DataElement(tag, vr, .bytes(bytes))
        case .TM:
            // Whole-day shifts leave times of day as they were.
            if policy.shiftsDates {
                if source != "basic" { record(path, "K", source) }
                noteAllowed(element, in: dataSet)
                return element
            }
            return applyAction(.D, source: source, element, in: dataSet, path: path)
        case .LO, .LT, .SH, .ST, .UT, .UC, .PN, .CS:
            let raw = element.value.bytes
            let (redacted, changed) = redaction.redact(raw)
            record(path, changed ? "redact" : "C", source)
            return DataElement(tag, vr, .bytes(redacted))
        case .UI:
            return remapUIDs(element, vr: vr, in: dataSet, path: path, source: source)
        case .OB, .OW, .OD, .OF, .OL, .OV, .UN:
            // Bitmaps (overlay data) cannot be cleaned of burned-in text here: removed.
            return applyAction(.X, source: source, element, in: dataSet, path: path)
        default:
            return applyAction(.D, source: source, element, in: dataSet, path: path)
        }
    }

    private func applyOverride(_ override: OverrideAction, _ element: DataElement, in dataSet: DataSet, path: String) -> DataElement? {
        switch override {
        case .keep: return applyAction(.K, source: "recipe", element, in: dataSet, path: path)
        case .remove: return applyAction(.X, source: "recipe", element, in: dataSet, path: path)
        case .empty: return applyAction(.Z, source: "recipe", element, in: dataSet, path: path)
        case .dummy: return applyAction(.D, source: "recipe", element, in: dataSet, path: path)
        case .clean: return applyAction(.C, source: "recipe", element, in: dataSet, path: path)
        case .uid: return applyAction(.U, source: "recipe", element, in: dataSet, path: path)
        case .replace(let text):
            record(path, "replace", "recipe")
            collectPatterns(element, in: dataSet, path: path, wholeValuesFrom: 8)
            let vr = effectiveVR(element)
            var bytes = dataSet.characterSet.encode(text, vr: vr) ?? Array(text.utf8)
            if bytes.count % 2 == 1 { bytes.append(vr.paddingByte) }
            allowed.insert(Array(text.utf8))
            return DataElement(element.tag, vr, .bytes(bytes))
        }
    }

    func processItems(_ sequence: SequenceValue, path: String, content: ContentMode) -> SequenceValue {
        var out = sequence
        for (index, item) in sequence.items.enumerated() {
            out.items[index].dataSet = process(item.dataSet, path: path + "[\(index)].", content: content)
        }
        return out
    }

    // MARK: Replacements

    private func remapUIDs(_ element: DataElement, vr: VR, in dataSet: DataSet, path: String, source: String) -> DataElement {
        record(path, "U", source)
        let values = dataSet.strings(of: element)
        var mapped: [String] = []
        for value in values {
            if value.isEmpty { mapped.append(""); continue }
            addPattern(Array(value.utf8), source: path)
            let uid = key.uid(for: value)
            allowed.insert(Array(uid.utf8))
            mapped.append(uid)
        }
        var bytes = Array(mapped.joined(separator: "\\").utf8)
        if bytes.count % 2 == 1 { bytes.append(0) }
        return DataElement(element.tag, .UI, .bytes(bytes))
    }

    private func pseudonymElement(_ tag: Tag, vr: VR, path: String) -> DataElement {
        record(path, "pseudonym", policy.mode.rawValue)
        var bytes = Array(pseudonym.utf8)
        if bytes.count % 2 == 1 { bytes.append(0x20) }
        allowed.insert(Array(pseudonym.utf8))
        return DataElement(tag, vr == .UN ? (DataDictionary.entry(for: tag.rawValue)?.vr ?? vr) : vr, .bytes(bytes))
    }

    // MARK: Method attributes

    func addMethodAttributes(to dataSet: inout DataSet) {
        // A recipe that keeps a name or an identifier as it was leaves the identity in: say so.
        let keepsIdentity = policy.overrides.contains { tag, action in
            action == .keep && (IdentityTokens.identifierTags.contains(tag.rawValue) || tag == .patientBirthDate
                                || DataDictionary.entry(for: tag.rawValue)?.vr == .PN)
        }
        dataSet.setString(.patientIdentityRemoved, keepsIdentity ? "NO" : "YES", vr: .CS)
        let options = policy.options.sorted()
        var method = ["\(policy.softwareName) \(policy.mode.rawValue)", "PS3.15 \(ConfidentialityProfile.edition) Annex E Basic Profile"]
        method += options.map { $0.code.meaning }
        if !policy.overrides.isEmpty { method.append("with per-attribute overrides") }
        dataSet.setStrings(.deidentificationMethod, method.map { String($0.prefix(64)) }, vr: .LO)
        var items: [DataSet] = []
        for code in [MethodCode.basicProfile] + options.map(\.code) {
            var item = DataSet()
            item.setString(.codeValue, code.value, vr: .SH)
            item.setString(.codingSchemeDesignator, "DCM", vr: .SH)
            item.setString(.codeMeaning, code.meaning, vr: .LO)
            items.append(item)
        }
        dataSet.setItems(.deidentificationMethodCodeSequence, items)
        let temporal = policy.options.contains(.retainLongitudinalFullDates) ? "UNMODIFIED"
            : policy.shiftsDates ? "MODIFIED" : "REMOVED"
        dataSet.setString(.longitudinalTemporalInformationModified, temporal, vr: .CS)
        for tag in [Tag.patientIdentityRemoved, .deidentificationMethod, .deidentificationMethodCodeSequence, .longitudinalTemporalInformationModified] {
            record(tag.description, "added", "rule")
        }
    }

    // MARK: Bookkeeping

    func record(_ path: String, _ action: String, _ source: String) {
        changes.append(AppliedChange(path: path, action: action, source: source))
    }

    func effectiveVR(_ element: DataElement) -> VR {
        guard element.vr == .UN, let entry = DataDictionary.entry(for: element.tag.rawValue) else { return element.vr }
        return entry.vr
    }

    /// Text of a kept element: allowed in the output (`sanctioned`), or kept by rule only.
    func noteAllowed(_ element: DataElement, in dataSet: DataSet, sanctioned: Bool = true) {
        let vr = effectiveVR(element)
        guard vr.isString else { return }
        element.value.withUnsafeBytes { raw in
            for value in Self.splitValues(Array(raw), vr: vr) where !value.isEmpty {
                if sanctioned { allowed.insert(value) } else { keptByRule.insert(value) }
            }
        }
    }

    func addPattern(_ bytes: [UInt8], source: String) {
        if patterns[bytes] == nil { patterns[bytes] = source }
    }

    /// Adds the values of a removed or replaced element (and of everything inside a sequence) as
    /// leak patterns: whole values of text, dates and UIDs at least `wholeValuesFrom` bytes long.
    func collectPatterns(_ element: DataElement, in dataSet: DataSet, path: String, wholeValuesFrom minimum: Int) {
        if case .sequence(let s) = element.value {
            for (index, item) in s.items.enumerated() {
                for inner in item.dataSet where !inner.tag.isPrivateCreator && !Self.structural.contains(inner.tag.rawValue) {
                    collectPatterns(inner, in: item.dataSet, path: path + "[\(index)]." + inner.tag.description, wholeValuesFrom: minimum)
                }
            }
            return
        }
        let vr = effectiveVR(element)
        guard vr.isString || vr == .UN || vr == .OB else { return }
        if !vr.isString && !element.value.withUnsafeBytes({ Self.isPrintable($0) }) { return }
        element.value.withUnsafeBytes { raw in
            for value in Self.splitValues(Array(raw), vr: vr) where value.count >= minimum || (vr == .DA && value.count == 8) {
                if Self.isDistinctive(value) { addPattern(value, source: path) }
            }
        }
    }

    /// Patterns minus what the output may contain (a value kept by an option or made by cmr, or
    /// text inside one of those; a value kept by rule, or text inside it, unless the pattern is an
    /// identifying token), so that a match in the output is a leak and never a coincidence.
    func finalPatterns() -> [LeakPattern] {
        var result: [LeakPattern] = []
        let allowedList = Array(allowed)
        let ruleList = Array(keptByRule.subtracting(allowed))
        for (bytes, source) in patterns where !allowed.contains(bytes) {
            if allowedList.contains(where: { $0.count > bytes.count && Self.contains($0, bytes) }) { continue }
            if !identityTokens.contains(bytes),
               keptByRule.contains(bytes) || ruleList.contains(where: { $0.count > bytes.count && Self.contains($0, bytes) }) { continue }
            result.append(LeakPattern(bytes: bytes, source: source, word: identityTokens.contains(bytes)))
        }
        return result.sorted { $0.source != $1.source ? $0.source < $1.source : $0.bytes.lexicographicallyPrecedes($1.bytes) }
    }

    // MARK: Helpers

    static func isSequence(_ value: Value) -> Bool {
        if case .sequence = value { return true }
        return false
    }

    static func splitValues(_ raw: [UInt8], vr: VR) -> [[UInt8]] {
        let parts = vr.allowsMultipleStringValues || !vr.isString ? raw.split(separator: 0x5C, omittingEmptySubsequences: true) : [raw[...]]
        return parts.map { trimmed(Array($0)) }
    }

    static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var a = 0, b = bytes.count
        while a < b, bytes[a] == 0x20 || bytes[a] == 0 { a += 1 }
        while b > a, bytes[b - 1] == 0x20 || bytes[b - 1] == 0 { b -= 1 }
        return Array(bytes[a..<b])
    }

    /// Not a run of one character, and not a short number (digits only need 6 bytes: IDs and dates
    /// are long, counts and codes are short).
    /// An identifying word worth searching for: three bytes or more, not one repeated character,
    /// and digits-only words need six.
    static func isDistinctiveWord(_ value: [UInt8]) -> Bool {
        guard let first = value.first, value.count >= 3, !value.allSatisfy({ $0 == first }) else { return false }
        if value.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B }) { return value.count >= 6 }
        return true
    }

    static func isDistinctive(_ value: [UInt8]) -> Bool {
        guard let first = value.first, value.count >= 4 else { return false }
        if value.allSatisfy({ $0 == first }) { return false }
        if value.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B }) { return value.count >= 6 }
        return true
    }

    static func isPrintable(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard raw.count >= 4 else { return false }
        for c in raw where c != 0 && (c < 0x20 || c == 0x7F) && c != 0x0A && c != 0x0D && c != 0x09 { return false }
        return true
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        outer: for i in 0...(haystack.count - needle.count) {
            for j in 0..<needle.count where haystack[i + j] != needle[j] { continue outer }
            return true
        }
        return false
    }

    /// Text VRs that D and C sequences rewrite when the table does not list the attribute.
    static func isContentText(_ vr: VR) -> Bool {
        switch vr {
        case .PN, .LO, .LT, .SH, .ST, .UT, .UC, .UR, .AE, .DA, .DT, .TM: true
        default: false
        }
    }

    static func isFreeText(_ vr: VR) -> Bool {
        switch vr {
        case .PN, .LO, .LT, .SH, .ST, .UT, .UC: true
        default: false
        }
    }

    /// X/Z attributes that no composite IOD makes Type 2 and whose items, when present, must be one
    /// or more: removed, never emptied. (Acquisition Context Sequence is Type 2: emptied.)
    static let removedOnXZ: Set<UInt32> = [0x0008_1110]

    /// Attributes that hold codes and structure, not free text: kept inside D and C sequences.
    static let structural: Set<UInt32> = [
        0x0008_0100, 0x0008_0102, 0x0008_0103, 0x0008_0104, 0x0008_0105, 0x0008_0106, 0x0008_010F,
        0x0008_0117, 0x0008_0118, 0x0008_0119, 0x0008_0120, 0x0008_0122, 0x0008_010B, 0x0008_010D,
        0x0040_A040, 0x0040_A010, 0x0040_A050, 0x0040_DB00, 0x0040_A043, 0x0040_08EA,
        0x0070_0022, 0x0070_0023, 0x0070_0024, 0x0070_0005, 0x0070_0003, 0x0070_0004, 0x0070_0002,
        0x0008_0005, 0x0008_1150, 0x0040_A168, 0x0040_A043, 0x0028_3002, 0x0028_3003,
    ]
}
