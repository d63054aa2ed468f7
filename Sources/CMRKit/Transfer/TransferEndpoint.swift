import Foundation

/// Where `cmr send` sends to and `cmr pull`, `cmr query` and `cmr echo` talk to: a DICOM
/// application entity (`dicom://CALLED_AE@host:port`) or a DICOMweb service root (`https://…`).
public enum TransferEndpoint: Sendable, Equatable, CustomStringConvertible {
    case dimse(DIMSEAddress)
    case web(URL)

    /// Parses `text`; a wrong form is a usage error naming what is wrong.
    public static func parse(_ text: String, option: String) throws(CMRError) -> TransferEndpoint {
        let lower = text.lowercased()
        if lower.hasPrefix("dicom://") { return .dimse(try DIMSEAddress.parse(text, option: option)) }
        if lower.hasPrefix("https://") || lower.hasPrefix("http://") {
            guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
                throw CMRError(.usage, "\(option) '\(text)' is not a URL", hint: "e.g. https://pacs.example.org/dicom-web")
            }
            return .web(url)
        }
        throw CMRError(.usage, "\(option) '\(text)' is neither dicom://AE@host:port nor an https:// URL",
                       hint: "e.g. \(option) dicom://PACS@10.0.0.5:104 or \(option) https://pacs.example.org/dicom-web")
    }

    /// The form recorded in journals, reports and the audit log (no credentials: cmr never takes them in a URL).
    public var description: String {
        switch self {
        case .dimse(let a): a.description
        case .web(let url): url.absoluteString
        }
    }
}

/// A DICOM application entity on the network: `dicom://CALLED_AE@host:port`.
public struct DIMSEAddress: Sendable, Equatable, CustomStringConvertible {
    /// The peer's AE title (the called AE title of our requests).
    public var aeTitle: String
    public var host: String
    public var port: UInt16

    public init(aeTitle: String, host: String, port: UInt16) {
        self.aeTitle = aeTitle
        self.host = host
        self.port = port
    }

    /// `dicom://AE@host:port`; the port defaults to 104; an IPv6 literal goes in brackets.
    public static func parse(_ text: String, option: String) throws(CMRError) -> DIMSEAddress {
        let example = "e.g. \(option) dicom://PACS@10.0.0.5:104"
        guard text.lowercased().hasPrefix("dicom://") else {
            throw CMRError(.usage, "\(option) '\(text)' does not start with dicom://", hint: example)
        }
        let rest = text.dropFirst("dicom://".count)
        guard let at = rest.lastIndex(of: "@") else {
            throw CMRError(.usage, "\(option) '\(text)' names no AE title", hint: "the peer's AE title goes before '@': \(example)")
        }
        let ae = String(rest[..<at])
        try validateAETitle(ae, what: "\(option) '\(text)'")
        var hostPort = String(rest[rest.index(after: at)...])
        if hostPort.hasSuffix("/") { hostPort.removeLast() }
        var host = hostPort, portText: String?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                throw CMRError(.usage, "\(option) '\(text)': unclosed '[' in the IPv6 address", hint: example)
            }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) } else if !after.isEmpty {
                throw CMRError(.usage, "\(option) '\(text)': unexpected '\(after)' after the address", hint: example)
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            portText = String(hostPort[hostPort.index(after: colon)...])
        }
        guard !host.isEmpty, !host.contains("/"), !host.contains(" ") else {
            throw CMRError(.usage, "\(option) '\(text)' names no host", hint: example)
        }
        var port: UInt16 = 104
        if let portText {
            guard let p = UInt16(portText), p > 0 else {
                throw CMRError(.usage, "\(option) '\(text)': '\(portText)' is not a port (1-65535)", hint: example)
            }
            port = p
        }
        return DIMSEAddress(aeTitle: ae, host: host, port: port)
    }

    /// An AE title: 1 to 16 characters of the default repertoire, no backslash or control
    /// characters, not only spaces (PS3.5 6.2, AE).
    public static func validateAETitle(_ title: String, what: String) throws(CMRError) {
        let scalars = title.unicodeScalars
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CMRError(.usage, "\(what): the AE title is empty")
        }
        guard scalars.count <= 16 else {
            throw CMRError(.usage, "\(what): the AE title '\(title)' is longer than 16 characters")
        }
        guard scalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F && $0 != "\\" }) else {
            throw CMRError(.usage, "\(what): the AE title '\(title)' may hold only printable ASCII without '\\'")
        }
    }

    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "dicom://\(aeTitle)@\(h):\(port)"
    }
}
