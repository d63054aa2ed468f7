import DICOMCore

/// What `Deidentifier.apply` produced for one data set.
public struct DeidentifyResult: Sendable {
    /// The de-identified data set (without file meta information: the writer regenerates it).
    public var dataSet: DataSet
    /// Every attribute changed, removed or cleaned, by path; attributes kept unchanged are not listed.
    public var changes: [AppliedChange]
    /// Whose data this was, for pseudonyms and date shifts.
    public var patient: PatientIdentity
    /// The patient pseudonym written (pseudonymous, deidentified and anonymous modes).
    public var pseudonym: String?
    /// Days the dates moved (when the Modified Dates option is in force).
    public var dateShiftDays: Int?
    /// Byte strings from the input that identify someone and must not appear in the output.
    public var leakPatterns: [LeakPattern]
}

/// One change, e.g. `(0010,0010) Z` or `(0040,A730)[0].(0040,A123) D`.
public struct AppliedChange: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Tags from the top level down, items by index: `(0008,1140)[0].(0008,1155)`.
    public var path: String
    /// The action taken: a Table E.1-1 code (X, Z, D, U, K, C) after resolving combined codes,
    /// or `shift` (dates moved), `pseudonym`, `redact` (identifying words cleaned out of text),
    /// `private` (private attribute removed), `unknown` (attribute not in the dictionary removed),
    /// `added` (the de-identification attributes).
    public var action: String
    /// Where the action came from: `basic`, an option's name, `recipe`, `mode`, `rule`.
    public var source: String

    public init(path: String, action: String, source: String) {
        self.path = path
        self.action = action
        self.source = source
    }

    public var description: String { "\(path) \(action) (\(source))" }
}

/// A value from the input that must not survive, and where it came from (never the value itself in
/// messages: reports name the attribute only).
public struct LeakPattern: Sendable, Hashable {
    public var bytes: [UInt8]
    public var source: String
    /// Matched as a whole word ignoring ASCII case, as text cleaning matches it: the identifying
    /// tokens (a name part, an ID), which free text writes in any case ("SMITH" for Smith) and
    /// which as bare bytes occur inside unrelated words ("Bo" in "Bosch"). Other patterns (whole
    /// removed values, UIDs, dates) are matched byte for byte.
    public var word: Bool

    public init(bytes: [UInt8], source: String, word: Bool = false) {
        self.bytes = bytes
        self.source = source
        self.word = word
    }
}
