/// Checks the values of a data set as dciodvfy's and dcmcheck's value checks do (not IOD or
/// module rules): each value's format, repertoire, length and padding for its VR (PS3.5 §6.2),
/// binary value lengths, the value multiplicity and VR the PS3.6 dictionary gives each tag, and the
/// private creators of private elements (PS3.5 §7.8.1), descending into sequence items.
///
/// One pass over the elements, with hand-written scanners: no regular expressions, no decoding of
/// values in the default repertoire, and strings built only for the problems found. Values left in
/// their source (`Value.bulk`) are read only when their VR is a string VR.
///
/// Each element yields at most one problem per code and severity: when several values of an element
/// break the same rule, the first is named and the rest counted.
///
/// Not checked: elements of VR UN (nothing is known of their content) and encapsulated pixel data;
/// the VM and VR of private data elements and of tags the dictionary does not list; whether an
/// attribute may be empty (that is its module's type, not its VM).
public struct DataSetValidator: Sendable {
    public init() {}

    /// Problems in `dataSet` and the items of its sequences, in data set order (a sequence's own
    /// problems before those of its items).
    ///
    /// Items without their own Specific Character Set (0008,0005) use their parent's.
    public func validate(_ dataSet: DataSet) -> [ValidationProblem] {
        var walk = ValidationWalk()
        walk.visit(dataSet, characterSet: dataSet.characterSet)
        return walk.problems
    }

    /// Problems in one element, as if it were alone in a data set with `characterSet` (so a private
    /// element other than a private creator is reported as having none).
    public func validate(_ element: DataElement, characterSet: SpecificCharacterSet = .default) -> [ValidationProblem] {
        validate(DataSet([element], characterSet: characterSet))
    }
}
