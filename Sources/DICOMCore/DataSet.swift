/// An ordered collection of data elements, ascending by tag (PS3.5 §7).
///
/// A value type: copies are cheap until modified. Strings are decoded on demand with
/// `characterSet`, which items of a sequence inherit from their parent unless they carry
/// their own Specific Character Set.
public struct DataSet: Sendable, RandomAccessCollection {
    public private(set) var elements: [DataElement]
    /// The character set strings of this data set are decoded with.
    public var characterSet: SpecificCharacterSet

    public init(_ elements: [DataElement] = [], characterSet: SpecificCharacterSet = .default) {
        self.elements = elements.sorted { $0.tag < $1.tag }
        self.characterSet = characterSet
        if let cs = self.elements.first(where: { $0.tag == .specificCharacterSet }) {
            self.characterSet = SpecificCharacterSet(terms: DataSet.rawStrings(cs))
        }
    }

    // MARK: Collection

    public var startIndex: Int { elements.startIndex }
    public var endIndex: Int { elements.endIndex }
    public subscript(position: Int) -> DataElement { elements[position] }

    // MARK: Lookup

    /// Index of `tag`, or where it would be inserted.
    @inlinable func searchIndex(_ tag: Tag) -> (index: Int, found: Bool) {
        var lo = 0, hi = elements.count
        // Fast path: appending in order, as the reader does.
        if let last = elements.last, last.tag < tag { return (elements.count, false) }
        while lo < hi {
            let mid = (lo + hi) >> 1
            let t = elements[mid].tag
            if t == tag { return (mid, true) }
            if t < tag { lo = mid + 1 } else { hi = mid }
        }
        return (lo, false)
    }

    public subscript(tag: Tag) -> DataElement? {
        get {
            let (i, found) = searchIndex(tag)
            return found ? elements[i] : nil
        }
        set {
            if let newValue { insert(newValue) } else { remove(tag) }
        }
    }

    public func contains(_ tag: Tag) -> Bool { searchIndex(tag).found }

    /// Adds `element`, replacing any element with the same tag.
    public mutating func insert(_ element: DataElement) {
        let (i, found) = searchIndex(element.tag)
        if found { elements[i] = element } else { elements.insert(element, at: i) }
        if element.tag == .specificCharacterSet {
            characterSet = SpecificCharacterSet(terms: DataSet.rawStrings(element))
        }
    }

    /// Appends an element the caller knows sorts after every element present (used by readers).
    /// Falls back to an ordered insert when it does not.
    public mutating func append(_ element: DataElement) {
        if let last = elements.last, !(last.tag < element.tag) {
            insert(element)
            return
        }
        elements.append(element)
        if element.tag == .specificCharacterSet {
            characterSet = SpecificCharacterSet(terms: DataSet.rawStrings(element))
        }
    }

    @discardableResult
    public mutating func remove(_ tag: Tag) -> DataElement? {
        let (i, found) = searchIndex(tag)
        guard found else { return nil }
        if tag == .specificCharacterSet { characterSet = .default }
        return elements.remove(at: i)
    }

    public mutating func removeAll(where shouldRemove: (DataElement) throws -> Bool) rethrows {
        try elements.removeAll(where: shouldRemove)
        if !contains(.specificCharacterSet) { characterSet = .default }
    }

    /// Replaces element values in place, keeping the order (the closure must not change tags).
    public mutating func updateElements(_ body: (inout DataElement) throws -> Void) rethrows {
        for i in elements.indices {
            let tag = elements[i].tag
            try body(&elements[i])
            precondition(elements[i].tag == tag, "updateElements must not change tags")
        }
    }

    /// Elements of one group.
    public func group(_ group: UInt16) -> ArraySlice<DataElement> {
        let lo = searchIndex(Tag(group, 0)).index
        var hi = lo
        while hi < elements.count && elements[hi].tag.group == group { hi += 1 }
        return elements[lo..<hi]
    }

    // MARK: Private blocks

    /// The private creator that reserves the block of a private element `tag`, when present.
    public func privateCreator(of tag: Tag) -> String? {
        guard let creatorTag = tag.privateCreatorTag, let e = self[creatorTag] else { return nil }
        return DataSet.rawStrings(e).first
    }

    /// The tag of the block a private creator reserves in `group`, or nil when absent.
    public func privateBlock(creator: String, group: UInt16) -> UInt16? {
        for e in self.group(group) where e.tag.isPrivateCreator {
            if DataSet.rawStrings(e).first == creator { return e.tag.element }
        }
        return nil
    }

    /// ASCII values of an element, split at backslashes, trimmed of spaces and NULs.
    static func rawStrings(_ element: DataElement) -> [String] {
        element.value.withUnsafeBytes { raw in
            String(decoding: raw, as: UTF8.self)
                .split(separator: "\\", omittingEmptySubsequences: false)
                .map { $0.trimmingSpacesAndNULs() }
        }
    }
}

extension Substring {
    func trimmingSpacesAndNULs() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\0" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\0" { s = s.dropLast() }
        return String(s)
    }
}
