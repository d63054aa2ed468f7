/// The four data modes of DESIGN.md.
public enum DeidentifyMode: String, Sendable, CaseIterable, Codable {
    case identified
    case pseudonymous
    case deidentified
    case anonymous
}
