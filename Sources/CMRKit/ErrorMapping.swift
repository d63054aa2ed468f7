import DICOMCore
import DICOMCoding

extension CMRError {
    /// The user-facing form of an error from reading `path`.
    public static func reading(_ path: String, _ error: Error) -> CMRError {
        switch error {
        case let e as CMRError:
            return e
        case let e as FileError:
            switch e.kind {
            case .notFound: return CMRError(.inputMissing, "\(path): no such file")
            case .permissionDenied: return CMRError(.inputMissing, "\(path): \(e.reason)", hint: "check the file's permissions")
            case .isDirectory: return CMRError(.usage, "\(path): is a directory")
            case .exists, .io: return CMRError(.ioError, "\(path): \(e.reason)")
            }
        case let e as DICOMReadError:
            switch e {
            case .notDICOM:
                return CMRError(.invalidData, "\(path): \(e)",
                                hint: "a DICOM file starts with 128 bytes and 'DICM', or with a data element")
            case .empty:
                return CMRError(.invalidData, "\(path): empty file")
            case .deflate:
                return CMRError(.invalidData, "\(path): \(e)")
            }
        default:
            return CMRError(.invalidData, "\(path): \(error)")
        }
    }

    /// The user-facing form of an error from writing `path`.
    public static func writing(_ path: String, _ error: Error) -> CMRError {
        switch error {
        case let e as CMRError:
            return e
        case let e as FileError:
            switch e.kind {
            case .exists: return CMRError(.cannotCreateOutput, "\(path): already exists", hint: "pass --overwrite to replace it")
            case .notFound: return CMRError(.cannotCreateOutput, "\(e.path): \(e.reason)", hint: "create the output folder first")
            case .permissionDenied: return CMRError(.cannotCreateOutput, "\(e.path): \(e.reason)")
            case .isDirectory: return CMRError(.cannotCreateOutput, "\(path): is a directory")
            case .io: return CMRError(.ioError, "\(e.path): \(e.reason)")
            }
        case let e as DICOMWriteError:
            return CMRError(.invalidData, "\(path): \(e)")
        default:
            return CMRError(.ioError, "\(path): \(error)")
        }
    }
}

extension DataSet {
    /// This data set with `set` as its character set, and items without their own Specific
    /// Character Set given it too (for `--charset-fallback`).
    public func assumingCharacterSet(_ set: SpecificCharacterSet) -> DataSet {
        var copy = self
        if !contains(.specificCharacterSet) { copy.characterSet = set }
        let effective = copy.characterSet
        copy.updateElements { e in
            guard case .sequence(var seq) = e.value else { return }
            for i in seq.items.indices {
                seq.items[i].dataSet = seq.items[i].dataSet.assumingCharacterSet(effective)
            }
            e.value = .sequence(seq)
        }
        return copy
    }
}
