import Foundation
import CMRCrypto
import DICOMCore
import DICOMCoding
import DICOMNetwork

/// The scan before anything is sent: expands inputs, opens each file's meta header, reads the
/// study and patient attributes, hashes the file (or trusts the journal's digest of an unchanged
/// file), and sorts out what cannot be sent.
struct SendScanner {
    struct Scan {
        var items: [SendItem] = []
        /// Files that cannot be sent (no Part 10 meta header, unreadable): failed records.
        var failures: [(index: Int, record: TransferRecord)] = []
        /// Non-DICOM files skipped and missing inputs, as notes.
        var notes: [CMRError] = []
        var count = 0
    }

    var nulSeparated = false
    var journal: TransferJournal?

    func scan(_ inputs: [String], readStdin: () -> [UInt8]) -> Scan {
        let (entries, missing) = InputPaths(recursive: true, nulSeparated: nulSeparated).expand(inputs, readStdin: readStdin)
        var out = Scan()
        out.notes = missing
        let journal = self.journal
        let results = parallelMap(entries.count, jobs: 0, { i in Self.open(entries[i].path, index: i, journal: journal) }, progress: { _ in })
        for (i, result) in results.enumerated() {
            switch result {
            case .item(let item): out.items.append(item)
            case .failed(let record): out.failures.append((i, record))
            case .skipped(let note):
                // A non-DICOM file named on the command line is worth a failure; one found in a folder, a note.
                if entries[i].named {
                    var r = TransferRecord(path: entries[i].path, status: .failed)
                    r.comment = "not a DICOM file"
                    r.exitStatus = 65
                    out.failures.append((i, r))
                } else {
                    out.notes.append(note)
                }
            }
        }
        out.count = entries.count
        return out
    }

    enum Outcome {
        case item(SendItem)
        case failed(TransferRecord)
        case skipped(CMRError)
    }

    static func open(_ path: String, index: Int, journal: TransferJournal?) -> Outcome {
        let source: DICOMFileSource
        do {
            source = try DICOMFileSource(path: path)
        } catch {
            // Tell a data set without its meta header (a failure) from a file that is not DICOM (skipped).
            if let storage = try? MappedFile.open(path), (try? DICOMReader.read(storage, options: ReadOptions(stopBeforeTag: Tag(0x0008_0020))))?.dataSet.isEmpty == false {
                var r = TransferRecord(path: path, status: .failed)
                r.comment = "no Part 10 meta header (no DICM at offset 128): cmr send needs the file's SOP class, instance and transfer syntax from it"
                r.exitStatus = 65
                return .failed(r)
            }
            if (try? MappedFile.open(path)) == nil {
                var r = TransferRecord(path: path, status: .failed)
                r.comment = "cannot be opened"
                r.exitStatus = 66
                return .failed(r)
            }
            return .skipped(CMRError(.invalidData, "\(path): not DICOM; skipped"))
        }
        // Study, patient and Patient Identity Removed: the elements before (0020,000E).
        let head = try? DICOMReader.read(source.storage, options: ReadOptions(bulkDataThreshold: 64, stopBeforeTag: .seriesInstanceUID))
        let identity = FileIdentity(path: path)
        // A large file whose instance the journal has never seen cannot be skipped: it is hashed while it is sent.
        let digest = identity.flatMap { journal?.knownDigest(path: path, identity: $0) }
            ?? (source.storage.count > hashLater && journal?.knows(sop: source.sopInstanceUID) != true ? nil : FileDigest.sha256(source.storage))
        return .item(SendItem(index: index, source: source, sha256: digest, identity: identity,
                              studyInstanceUID: head?.dataSet.string(.studyInstanceUID),
                              patientID: head?.dataSet.string(.patientID),
                              identityRemoved: head?.dataSet.string(.patientIdentityRemoved)?.uppercased() == "YES"))
    }

    /// Files larger than this are hashed during their transfer, on another thread, when the journal cannot skip them.
    static let hashLater = 1 << 20

}
