import Foundation
import DICOMCore

/// Reads the subset of the Native DICOM Model (PS3.19 Annex A, `application/dicom+xml`) that
/// STOW-RS responses use: `DicomAttribute` elements with `tag` and `vr`, `Value` texts and
/// `Item`s of sequences. A small XML scanner of its own (elements, attributes, character data,
/// the five predefined entities and character references; comments, declarations and
/// processing instructions skipped), so the module needs no XML library.
enum NativeDICOMModel {
    final class Node {
        let name: String
        var attributes: [String: String] = [:]
        var children: [Node] = []
        var text = ""
        init(_ name: String) { self.name = name }
    }

    static func decode(_ bytes: [UInt8]) throws -> DataSet {
        let root = try parseXML(bytes)
        guard root.name == "NativeDicomModel" else {
            throw DICOMwebError(.malformedResponse, "XML response: root element is \(root.name), not NativeDicomModel")
        }
        return try dataSet(root)
    }

    static func dataSet(_ node: Node) throws -> DataSet {
        var ds = DataSet()
        for a in node.children where a.name == "DicomAttribute" {
            guard let t = a.attributes["tag"], t.count == 8, let v = UInt32(t, radix: 16) else {
                throw DICOMwebError(.malformedResponse, "XML response: DicomAttribute without a valid tag")
            }
            let tag = Tag(v)
            let vr = a.attributes["vr"].flatMap { VR(rawValue: $0) }
            if vr == .SQ {
                ds.setItems(tag, try a.children.filter { $0.name == "Item" }.map(dataSet))
                continue
            }
            let values = a.children.filter { $0.name == "Value" }
                .sorted { (Int($0.attributes["number"] ?? "") ?? 0) < (Int($1.attributes["number"] ?? "") ?? 0) }
                .map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
            switch vr {
            case .US, .SS, .UL, .SL, .UV, .SV:
                ds.setInts(tag, values.compactMap { Int($0) }, vr: vr)
            default:
                ds.setStrings(tag, values, vr: vr)
            }
        }
        return ds
    }

    static func parseXML(_ s: [UInt8]) throws -> Node {
        func fail(_ why: String, _ at: Int) -> DICOMwebError {
            DICOMwebError(.malformedResponse, "XML response: \(why) at byte \(at)")
        }
        var i = 0
        let n = s.count
        var stack: [Node] = [Node("#document")]
        func find(_ needle: String, from: Int) -> Int? {
            let p = Array(needle.utf8)
            var j = from
            while j + p.count <= n {
                if s[j] == p[0] && Array(s[j..<(j + p.count)]) == p { return j }
                j += 1
            }
            return nil
        }
        while i < n {
            if s[i] != UInt8(ascii: "<") {
                let start = i
                while i < n && s[i] != UInt8(ascii: "<") { i += 1 }
                stack[stack.count - 1].text += try unescape(s[start..<i], at: start)
                continue
            }
            if s[i...].starts(with: Array("<!--".utf8)) {
                guard let e = find("-->", from: i + 4) else { throw fail("unterminated comment", i) }
                i = e + 3; continue
            }
            if i + 1 < n && (s[i + 1] == UInt8(ascii: "?") || s[i + 1] == UInt8(ascii: "!")) {
                guard let e = find(">", from: i) else { throw fail("unterminated declaration", i) }
                i = e + 1; continue
            }
            guard let close = find(">", from: i) else { throw fail("unterminated tag", i) }
            var inner = Array(s[(i + 1)..<close])
            let tagStart = i
            i = close + 1
            if inner.first == UInt8(ascii: "/") {
                let name = String(decoding: inner.dropFirst(), as: UTF8.self).trimmingCharacters(in: .whitespaces)
                guard stack.count > 1, stack.last!.name == name else { throw fail("unexpected </\(name)>", tagStart) }
                let done = stack.removeLast()
                stack[stack.count - 1].children.append(done)
                continue
            }
            var selfClosing = false
            if inner.last == UInt8(ascii: "/") { selfClosing = true; inner.removeLast() }
            var j = 0
            while j < inner.count && !isSpace(inner[j]) { j += 1 }
            let node = Node(String(decoding: inner[0..<j], as: UTF8.self))
            guard !node.name.isEmpty else { throw fail("empty tag name", tagStart) }
            while j < inner.count {
                while j < inner.count && isSpace(inner[j]) { j += 1 }
                if j == inner.count { break }
                let ns = j
                while j < inner.count && inner[j] != UInt8(ascii: "=") && !isSpace(inner[j]) { j += 1 }
                let name = String(decoding: inner[ns..<j], as: UTF8.self)
                while j < inner.count && isSpace(inner[j]) { j += 1 }
                guard j < inner.count, inner[j] == UInt8(ascii: "=") else { throw fail("attribute \(name) without value", tagStart) }
                j += 1
                while j < inner.count && isSpace(inner[j]) { j += 1 }
                guard j < inner.count, inner[j] == UInt8(ascii: "\"") || inner[j] == UInt8(ascii: "'") else {
                    throw fail("attribute \(name) value not quoted", tagStart)
                }
                let q = inner[j]
                j += 1
                let vs = j
                while j < inner.count && inner[j] != q { j += 1 }
                guard j < inner.count else { throw fail("unterminated attribute \(name)", tagStart) }
                node.attributes[name] = try unescape(inner[vs..<j], at: tagStart)
                j += 1
            }
            if selfClosing { stack[stack.count - 1].children.append(node) } else { stack.append(node) }
        }
        guard stack.count == 1, let root = stack[0].children.first else { throw fail("unclosed elements or no root element", n) }
        return root
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    static func unescape(_ b: ArraySlice<UInt8>, at: Int) throws -> String {
        let s = String(decoding: b, as: UTF8.self)
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[rest.startIndex..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else {
                throw DICOMwebError(.malformedResponse, "XML response: unterminated entity near byte \(at)")
            }
            let name = rest[rest.index(after: amp)..<semi]
            switch name {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var code: UInt32?
                if name.hasPrefix("#x") { code = UInt32(name.dropFirst(2), radix: 16) } else if name.hasPrefix("#") { code = UInt32(name.dropFirst()) }
                guard let c = code, let u = Unicode.Scalar(c) else {
                    throw DICOMwebError(.malformedResponse, "XML response: unknown entity &\(name); near byte \(at)")
                }
                out.unicodeScalars.append(u)
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
