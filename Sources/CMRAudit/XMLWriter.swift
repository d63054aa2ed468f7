/// A small XML 1.0 writer: elements, attributes and text, escaped, appended to a byte buffer.
/// What the DICOM audit message export needs, and no more (no namespaces, comments or
/// processing instructions other than the declaration).
///
/// Escaping: in text `&`, `<`, `>` become entities, and CR and LF character references (CR
/// survives line-end normalization, and a document stays on one line); in attribute values
/// also `"` and TAB (which attribute-value normalization would turn into spaces). Characters XML 1.0 does not allow
/// at all (controls below U+0020 other than TAB, LF, CR; U+FFFE, U+FFFF) are written as U+FFFD.
public struct XMLWriter {
    /// The document so far.
    public private(set) var bytes: [UInt8] = []
    private var open: [String] = []
    /// A start tag has been written up to its attributes, without the closing `>`.
    private var startTagPending = false

    public init() {}

    /// Writes `<?xml version="1.0" encoding="UTF-8"?>`.
    public mutating func declaration() {
        append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    }

    /// Opens an element with the given attributes; nil values are left out.
    public mutating func start(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:]) {
        closePendingStartTag()
        append("<" + name)
        for case let (key, value?) in attributes {
            append(" " + key + "=\"")
            escape(value, attribute: true)
            append("\"")
        }
        open.append(name)
        startTagPending = true
    }

    /// Closes the innermost open element (as `<x/>` when it has no content).
    public mutating func end() {
        let name = open.removeLast()
        if startTagPending {
            append("/>")
            startTagPending = false
        } else {
            append("</" + name + ">")
        }
    }

    /// An element without content.
    public mutating func empty(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:]) {
        start(name, attributes)
        end()
    }

    /// An element holding only `text`.
    public mutating func element(_ name: String, text: String) {
        start(name)
        self.text(text)
        end()
    }

    /// Character data inside the innermost open element.
    public mutating func text(_ value: String) {
        closePendingStartTag()
        escape(value, attribute: false)
    }

    /// Whether every element opened has been closed.
    public var isComplete: Bool { open.isEmpty }

    private mutating func closePendingStartTag() {
        if startTagPending {
            append(">")
            startTagPending = false
        }
    }

    private mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    private mutating func escape(_ value: String, attribute: Bool) {
        let utf8 = Array(value.utf8)
        var i = 0
        while i < utf8.count {
            let byte = utf8[i]
            i += 1
            switch byte {
            case UInt8(ascii: "&"): append("&amp;")
            case UInt8(ascii: "<"): append("&lt;")
            case UInt8(ascii: ">"): append("&gt;")
            case UInt8(ascii: "\"") where attribute: append("&quot;")
            case 0x0D: append("&#13;")
            case 0x0A: append("&#10;")
            case 0x09 where attribute: append("&#9;")
            case 0x09: bytes.append(byte)
            case ..<0x20: append("\u{FFFD}")
            case 0xEF where i + 1 < utf8.count && utf8[i] == 0xBF && (utf8[i + 1] == 0xBE || utf8[i + 1] == 0xBF):
                append("\u{FFFD}")  // U+FFFE, U+FFFF
                i += 2
            default: bytes.append(byte)
            }
        }
    }
}
