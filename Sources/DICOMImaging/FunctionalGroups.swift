import DICOMCore

/// Attributes of enhanced multi-frame objects, found through their functional groups (PS3.3 C.7.6.16).
enum FunctionalGroups {
    /// The first item of functional group macro `macro` (e.g. Frame VOI LUT Sequence) for frame
    /// `frame` (0-based): from the Per-frame Functional Groups Sequence item of that frame when it
    /// has the macro, else from the Shared Functional Groups Sequence; nil when neither has it.
    static func item(_ macro: Tag, frame: Int, in dataSet: DataSet) -> DataSet? {
        let perFrame = dataSet.items(.perFrameFunctionalGroupsSequence)
        if frame >= 0, frame < perFrame.count, let item = perFrame[frame].items(macro).first {
            return item
        }
        return dataSet.items(.sharedFunctionalGroupsSequence).first?.items(macro).first
    }
}
