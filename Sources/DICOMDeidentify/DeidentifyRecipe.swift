import Foundation
import DICOMCore
import DICOMDictionary

/// A recipe file: named options and per-attribute overrides, in JSON.
///
///     {
///       "options": ["clean-descriptors", "modified-dates"],
///       "attributes": {
///         "StudyDescription": "keep",
///         "(0008,103E)": "remove",
///         "InstitutionName": {"replace": "Site A"}
///       }
///     }
///
/// Attributes are named by keyword or as (gggg,eeee); actions are keep, remove, empty, dummy,
/// clean, uid, or {"replace": TEXT}. Unknown keys, options, keywords and actions are errors that
/// say which and list what is allowed.
public struct DeidentifyRecipe: Sendable {
    public var options: Set<ProfileOption>
    public var overrides: [Tag: OverrideAction]

    public init(options: Set<ProfileOption> = [], overrides: [Tag: OverrideAction] = [:]) {
        self.options = options
        self.overrides = overrides
    }

    public init(json: [UInt8]) throws(DeidentifyRecipeError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json))
        } catch {
            throw .invalid("not valid JSON (\((error as NSError).localizedDescription))")
        }
        guard let root = object as? [String: Any] else { throw .invalid("the top level must be a JSON object") }
        for key in root.keys.sorted() where key != "options" && key != "attributes" && key != "comment" {
            throw .invalid("unknown key \"\(key)\" (allowed: options, attributes, comment)")
        }
        var options: Set<ProfileOption> = []
        if let list = root["options"] {
            guard let names = list as? [String] else { throw .invalid("\"options\" must be a list of option names") }
            for name in names {
                guard let option = ProfileOption(rawValue: name) else {
                    throw .invalid("unknown option \"\(name)\" (options: \(ProfileOption.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                options.insert(option)
            }
        }
        var overrides: [Tag: OverrideAction] = [:]
        if let attributes = root["attributes"] {
            guard let map = attributes as? [String: Any] else {
                throw .invalid("\"attributes\" must be an object of attribute: action")
            }
            for name in map.keys.sorted() {
                guard let tag = Self.tag(named: name) else {
                    throw .invalid("attribute \"\(name)\" is neither a keyword of the data dictionary nor (gggg,eeee)")
                }
                if tag.isMeta || tag.isGroupLength || tag.isDelimiter || tag == .pixelData {
                    throw .invalid("attribute \"\(name)\" cannot be overridden (file meta, group length, delimiters and Pixel Data are cmr's)")
                }
                overrides[tag] = try Self.action(map[name]!, for: name)
            }
        }
        self.options = options
        self.overrides = overrides
    }

    static func tag(named name: String) -> Tag? {
        if name.hasPrefix("(") { return Tag(parsing: name) }
        return DataDictionary.tag(forKeyword: name).map { Tag($0) }
    }

    static func action(_ value: Any, for name: String) throws(DeidentifyRecipeError) -> OverrideAction {
        if let text = value as? String {
            switch text {
            case "keep": return .keep
            case "remove": return .remove
            case "empty": return .empty
            case "dummy": return .dummy
            case "clean": return .clean
            case "uid": return .uid
            default:
                throw .invalid("action \"\(text)\" for \(name) is not one of keep, remove, empty, dummy, clean, uid, {\"replace\": TEXT}")
            }
        }
        if let object = value as? [String: Any], object.count == 1, let text = object["replace"] as? String {
            return .replace(text)
        }
        throw .invalid("action for \(name) must be a string or {\"replace\": TEXT}")
    }
}

public enum DeidentifyRecipeError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let text): text }
    }
}
