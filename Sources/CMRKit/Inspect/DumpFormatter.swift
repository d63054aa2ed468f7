import DICOMCore
import DICOMCoding

/// Renders a DICOM file as an indented tree, in the manner of DCMTK's `dcmdump`:
/// `(0010,0010) PN [Doe^John]                          #   8, 1 PatientName`.
public struct DumpFormatter: Sendable {
    /// Values longer than this many characters are cut, with "..." appended (0: never).
    public var maximumValueLength: Int
    /// Width of the tag, VR and value column before the `#` comment.
    public var valueColumnWidth = 48

    public init(maximumValueLength: Int = 64) {
        self.maximumValueLength = maximumValueLength
    }

    public func format(_ file: DICOMFile) -> String {
        var out = ""
        if file.hasMetaHeader {
            out += "# File Meta Information\n"
            format(file.meta, depth: 0, into: &out)
            out += "\n"
        }
        out += "# Data Set (\(file.transferSyntax.name))\n"
        format(file.dataSet, depth: 0, into: &out)
        return out
    }

    public func format(_ ds: DataSet, depth: Int, into out: inout String) {
        let indent = String(repeating: "  ", count: depth)
        for e in ds {
            let head = indent + e.tag.description + " " + e.vr.rawValue + " "
            switch e.value {
            case .sequence(let seq):
                let form = seq.undefinedLength ? "undefined length" : "defined length"
                line(&out, head + "(Sequence with \(form), \(seq.items.count) item\(seq.items.count == 1 ? "" : "s"))",
                     length: nil, vm: seq.items.count, name: name(of: e.tag, in: ds))
                for (i, item) in seq.items.enumerated() {
                    line(&out, indent + "  (FFFE,E000) na (Item #\(i + 1), \(item.undefinedLength ? "undefined" : "defined") length)",
                         length: nil, vm: item.dataSet.count, name: "Item")
                    format(item.dataSet, depth: depth + 2, into: &out)
                }
            case .fragments(let f):
                line(&out, head + "(Encapsulated pixel data, \(f.fragments.count) fragment\(f.fragments.count == 1 ? "" : "s"))",
                     length: nil, vm: 1, name: name(of: e.tag, in: ds))
                line(&out, indent + "  (FFFE,E000) pi (Basic Offset Table, \(f.basicOffsetTable.count) entr\(f.basicOffsetTable.count == 1 ? "y" : "ies"))",
                     length: f.basicOffsetTable.count * 4, vm: 1, name: "Item")
                for (i, frag) in f.fragments.enumerated() {
                    line(&out, indent + "  (FFFE,E000) pi (Fragment #\(i + 1), \(frag.count) bytes)", length: frag.count, vm: 1, name: "Item")
                }
            case .bytes, .bulk:
                let length = e.valueLength ?? 0
                let (text, vm) = valueText(e, in: ds)
                line(&out, head + text, length: length, vm: vm, name: name(of: e.tag, in: ds))
            }
        }
    }

    func line(_ out: inout String, _ left: String, length: Int?, vm: Int, name: String) {
        var l = left
        let width = l.count
        if width < valueColumnWidth { l += String(repeating: " ", count: valueColumnWidth - width) }
        let len = length.map { String($0) } ?? "u/l"
        out += l + " # " + String(repeating: " ", count: max(0, 4 - len.count)) + len + ", " + String(vm) + " " + name + "\n"
    }

    func valueText(_ e: DataElement, in ds: DataSet) -> (String, Int) {
        let length = e.valueLength ?? 0
        if length == 0 { return ("(no value)", 0) }
        switch e.vr {
        case .OB, .OW, .OF, .OD, .OL, .OV, .UN:
            if case .bulk = e.value { return ("(\(length) bytes, not loaded)", 1) }
            let hex = e.value.withUnsafeBytes { raw -> String in
                let shown = raw.prefix(maximumValueLength > 0 ? (maximumValueLength + 2) / 3 : raw.count)
                return shown.map { byte -> String in
                    let h = String(byte, radix: 16)
                    return h.count == 1 ? "0" + h : h
                }.joined(separator: "\\")
            }
            return (cut(hex, more: length > (maximumValueLength + 2) / 3 && maximumValueLength > 0), 1)
        default:
            let values = ds.strings(of: e)
            let joined = values.joined(separator: "\\")
            if e.vr.isString { return ("[" + cut(joined, more: false) + "]", values.count) }
            return (cut(joined, more: false), values.count)
        }
    }

    func cut(_ s: String, more: Bool) -> String {
        guard maximumValueLength > 0, s.count > maximumValueLength else { return more ? s + "..." : s }
        return String(s.prefix(maximumValueLength)) + "..."
    }

    func name(of tag: Tag, in ds: DataSet) -> String {
        if tag.isPrivate {
            if tag.isPrivateCreator { return "PrivateCreator" }
            if let creator = ds.privateCreator(of: tag) { return "Private [\(creator)]" }
            return "Private (no creator)"
        }
        if tag.isGroupLength { return "GroupLength" }
        return DataDictionary.entry(for: tag.rawValue)?.keyword ?? "Unknown"
    }
}
