import DICOMCore
import DICOMDictionary

/// What to do: the data mode, the profile options, per-attribute overrides, and the text that names
/// the de-identifier in the output's De-identification Method.
public struct DeidentifyPolicy: Sendable {
    public var mode: DeidentifyMode
    /// The options in force (for pseudonymous mode this includes Retain Longitudinal Temporal
    /// Information with Modified Dates unless Full Dates were asked for).
    public private(set) var options: Set<ProfileOption>
    public var overrides: [Tag: OverrideAction]
    /// Names the software in (0012,0063), e.g. "cmr 0.4.0".
    public var softwareName: String

    public init(
        mode: DeidentifyMode, options: Set<ProfileOption> = [], overrides: [Tag: OverrideAction] = [:],
        softwareName: String = "cmr"
    ) throws(DeidentifyPolicyError) {
        var options = options
        switch mode {
        case .identified:
            guard options.isEmpty, overrides.isEmpty else { throw .optionsInIdentifiedMode }
        case .pseudonymous:
            if !options.contains(.retainLongitudinalFullDates) { options.insert(.retainLongitudinalModifiedDates) }
        case .deidentified:
            break
        case .anonymous:
            for refused in [ProfileOption.retainSafePrivate, .retainUIDs] where options.contains(refused) {
                throw .optionRefusedInAnonymousMode(refused)
            }
            options.formUnion([.cleanDescriptors, .cleanStructuredContent, .cleanGraphics])
        }
        if options.contains(.retainLongitudinalFullDates) && options.contains(.retainLongitudinalModifiedDates) {
            throw .conflictingDateOptions
        }
        self.mode = mode
        self.options = options
        self.overrides = overrides
        self.softwareName = softwareName
    }

    /// Whether dates are moved per patient (Retain Longitudinal Temporal Information with Modified Dates).
    public var shiftsDates: Bool { options.contains(.retainLongitudinalModifiedDates) }
}

/// A per-attribute action that overrides the profile (from a recipe file).
public enum OverrideAction: Sendable, Equatable {
    case keep
    case remove
    case empty
    case dummy
    case clean
    /// Replace UIDs with keyed ones (U).
    case uid
    case replace(String)

    public var name: String {
        switch self {
        case .keep: "keep"
        case .remove: "remove"
        case .empty: "empty"
        case .dummy: "dummy"
        case .clean: "clean"
        case .uid: "uid"
        case .replace: "replace"
        }
    }
}

public enum DeidentifyPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    case optionsInIdentifiedMode
    case optionRefusedInAnonymousMode(ProfileOption)
    case conflictingDateOptions

    public var description: String {
        switch self {
        case .optionsInIdentifiedMode:
            "identified mode changes nothing, so it takes no profile options or overrides"
        case .optionRefusedInAnonymousMode(let option):
            "anonymous mode refuses the option \(option.rawValue): it would keep a link to the patient"
        case .conflictingDateOptions:
            "full-dates and modified-dates are alternatives: choose one"
        }
    }
}
