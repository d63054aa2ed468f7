/// One value of a PN (Person Name) element (PS3.5 §6.2, Table 6.2-1 and §6.2.1).
///
/// A value holds up to three component groups separated by `=`: alphabetic, ideographic and
/// phonetic. Each group holds up to five components separated by `^`: family name, given name,
/// middle name, name prefix and name suffix. Trailing empty components of a group, and trailing
/// empty groups, may be left out together with their delimiters; `formatted` leaves them out.
///
/// Work on decoded text: values of a multi-valued element are split at backslashes first (see
/// `DataSet.strings(of:)`). Parsing is lenient: a fourth `=` or a sixth `^` stays in the last
/// group or component, so no text is lost.
public struct PersonName: Sendable, Hashable, CustomStringConvertible {
    /// Five components of one representation of a name.
    public struct ComponentGroup: Sendable, Hashable, CustomStringConvertible {
        public var familyName: String
        public var givenName: String
        public var middleName: String
        public var namePrefix: String
        public var nameSuffix: String

        public init(familyName: String = "", givenName: String = "", middleName: String = "",
                    namePrefix: String = "", nameSuffix: String = "") {
            self.familyName = familyName
            self.givenName = givenName
            self.middleName = middleName
            self.namePrefix = namePrefix
            self.nameSuffix = nameSuffix
        }

        /// Splits a group at `^`; text after a fifth `^` stays in the name suffix.
        public init<S: StringProtocol>(parsing text: S) {
            let parts = text.split(separator: "^", maxSplits: 4, omittingEmptySubsequences: false)
            func part(_ i: Int) -> String { i < parts.count ? String(parts[i]) : "" }
            self.init(familyName: part(0), givenName: part(1), middleName: part(2),
                      namePrefix: part(3), nameSuffix: part(4))
        }

        /// The five components in order: family, given, middle, prefix, suffix.
        public var components: [String] {
            [familyName, givenName, middleName, namePrefix, nameSuffix]
        }

        public var isEmpty: Bool { components.allSatisfy(\.isEmpty) }

        /// The components joined with `^`, trailing empty components and their delimiters left out.
        public var formatted: String {
            var parts = components
            while let last = parts.last, last.isEmpty { parts.removeLast() }
            return parts.joined(separator: "^")
        }

        public var description: String { formatted }
    }

    public var alphabetic: ComponentGroup
    public var ideographic: ComponentGroup
    public var phonetic: ComponentGroup

    public init(alphabetic: ComponentGroup = ComponentGroup(), ideographic: ComponentGroup = ComponentGroup(),
                phonetic: ComponentGroup = ComponentGroup()) {
        self.alphabetic = alphabetic
        self.ideographic = ideographic
        self.phonetic = phonetic
    }

    /// Parses one decoded PN value such as `Yamada^Tarou=山田^太郎=やまだ^たろう`.
    public init<S: StringProtocol>(parsing text: S) {
        let groups = PersonName.componentGroups(of: text)
        func group(_ i: Int) -> ComponentGroup { i < groups.count ? ComponentGroup(parsing: groups[i]) : ComponentGroup() }
        self.init(alphabetic: group(0), ideographic: group(1), phonetic: group(2))
    }

    /// Alphabetic, ideographic and phonetic groups, in that order.
    public var groups: [ComponentGroup] { [alphabetic, ideographic, phonetic] }

    public var isEmpty: Bool { groups.allSatisfy(\.isEmpty) }

    /// The value as PS3.5 writes it: groups joined with `=`, components with `^`, trailing empty
    /// components, trailing empty groups and their delimiters left out (`Doe^John`, `=山田^太郎`).
    public var formatted: String {
        PersonName.joining(groups: groups.map(\.formatted))
    }

    public var description: String { formatted }

    // MARK: Group text as written

    /// The component group texts of one value exactly as written, without interpreting the
    /// components: at most three, the third keeping any further `=`. `"A^B=C"` → `["A^B", "C"]`.
    public static func componentGroups<S: StringProtocol>(of text: S) -> [S.SubSequence] {
        text.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: false)
    }

    /// Joins component group texts with `=`, leaving out trailing empty groups and their delimiters.
    public static func joining<S: StringProtocol>(groups: [S]) -> String {
        var n = groups.count
        while n > 0 && groups[n - 1].isEmpty { n -= 1 }
        return groups[..<n].joined(separator: "=")
    }
}
