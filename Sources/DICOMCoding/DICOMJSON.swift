import DICOMCore

/// The DICOM JSON Model (PS3.18 Annex F): data sets as JSON objects keyed by `GGGGEEEE`.
///
/// Encoding writes the text itself (exact key order and number text, no Foundation JSON);
/// decoding parses with its own scanner so that number text (DS, IS, SV, UV) survives as written.
/// Neither prints or throws for doubtful values: what was changed or left out is reported as
/// `Issue`s in an array the caller passes in.
///
/// Where cmr differs from pydicom's `Dataset.to_json_dict` on purpose, see `docs/json-output.md`.
public enum DICOMJSON {
    /// Where a data set sits in the data set being encoded or decoded: the sequences and item
    /// indexes (from 0) that lead to it. Empty for the top level.
    public struct Path: Sendable, Hashable, CustomStringConvertible {
        public struct Step: Sendable, Hashable {
            public var sequence: Tag
            public var item: Int

            public init(sequence: Tag, item: Int) {
                self.sequence = sequence
                self.item = item
            }
        }

        public var steps: [Step]

        public init(_ steps: [Step] = []) { self.steps = steps }

        public var isTopLevel: Bool { steps.isEmpty }

        /// `00081115/0/00081199/2`; empty for the top level.
        public var description: String {
            steps.map { $0.sequence.jsonKey + "/" + String($0.item) }.joined(separator: "/")
        }

        /// The path of an element in the data set at this path: `00081115/0/7FE00010`.
        public func description(appending tag: Tag) -> String {
            steps.isEmpty ? tag.jsonKey : description + "/" + tag.jsonKey
        }
    }

    /// Something the encoder or decoder changed, left out, or could not represent exactly.
    public struct Issue: Sendable, Hashable, CustomStringConvertible {
        public var path: Path
        public var tag: Tag
        public var message: String

        public init(path: Path, tag: Tag, _ message: String) {
            self.path = path
            self.tag = tag
            self.message = message
        }

        public var description: String { path.description(appending: tag) + ": " + message }
    }

    /// A `BulkDataURI` found while decoding: the element was given an empty value.
    public struct BulkDataReference: Sendable, Hashable {
        public var path: Path
        public var tag: Tag
        public var vr: VR
        public var uri: String

        public init(path: Path, tag: Tag, vr: VR, uri: String) {
            self.path = path
            self.tag = tag
            self.vr = vr
            self.uri = uri
        }
    }

    /// How `encode` writes a data set.
    public struct EncodeOptions: Sendable {
        /// Values of OB, OD, OF, OL, OV, OW and UN longer than this many bytes are offered to
        /// `bulkDataURI`; shorter ones, and those it answers nil for, are written as InlineBinary.
        /// A negative threshold offers every value, even empty ones (how references reported by
        /// `decode` are written back).
        public var bulkDataThreshold: Int
        /// Returns the BulkDataURI for an element (its tag, and the path of the data set holding
        /// it), or nil to inline it. Encapsulated pixel data counts as the octet stream of its items.
        public var bulkDataURI: (@Sendable (Tag, Path) -> String?)?
        /// Write the file meta information (group 0002) when encoding a `DICOMFile`, and keep
        /// group 0002 elements found in a `DataSet`.
        public var includeMeta: Bool
        /// Two-space indentation, one member per line; otherwise no whitespace at all.
        public var pretty: Bool

        public init(bulkDataThreshold: Int = 1024, bulkDataURI: (@Sendable (Tag, Path) -> String?)? = nil,
                    includeMeta: Bool = false, pretty: Bool = false) {
            self.bulkDataThreshold = bulkDataThreshold
            self.bulkDataURI = bulkDataURI
            self.includeMeta = includeMeta
            self.pretty = pretty
        }
    }
}

/// Why a JSON document could not be decoded.
public enum DICOMJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not JSON text (RFC 8259): what is wrong and at which byte offset.
    case syntax(offset: Int, String)
    /// JSON, but not the DICOM JSON Model: where (`00081115/0/00100010`) and what is wrong.
    case model(location: String, String)

    public var description: String {
        switch self {
        case .syntax(let offset, let why): return "not JSON at byte offset \(offset): \(why)"
        case .model(let location, let why):
            return location.isEmpty ? "not DICOM JSON: \(why)" : "not DICOM JSON at \(location): \(why)"
        }
    }
}
