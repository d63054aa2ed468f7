import Foundation
import XCTest
import DICOMCore
import DICOMCoding
@testable import CMRShare

/// A synthetic study on disk for the server tests: a CT series of three 512×512 images, an MR
/// series of one 4-frame 64×64 image, a file of another study, and a file that is not DICOM.
/// No patient data.
struct ShareAppFixture {
    static let study = "1.2.826.0.1.3680043.10.543.1"
    static let otherStudy = "1.2.826.0.1.3680043.10.543.2"
    static let ct = "1.2.826.0.1.3680043.10.543.1.1"
    static let mr = "1.2.826.0.1.3680043.10.543.1.2"
    static func ctInstance(_ i: Int) -> String { "\(ct).\(i)" }
    static let mrInstance = "\(mr).1"

    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "cmr-share-http-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/ct", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/mr", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/other", withIntermediateDirectories: true)
        // Written in reverse order: the index sorts by number.
        for i in (1...3).reversed() {
            try Self.write(root + "/ct/\(i).dcm", study: Self.study, series: Self.ct, seriesNumber: 2, modality: "CT",
                           instance: Self.ctInstance(i), number: i, size: 512, frames: 1)
        }
        try Self.write(root + "/mr/1.dcm", study: Self.study, series: Self.mr, seriesNumber: 1, modality: "MR",
                       instance: Self.mrInstance, number: 1, size: 64, frames: 4)
        try Self.write(root + "/other/1.dcm", study: Self.otherStudy, series: Self.otherStudy + ".1", seriesNumber: 1, modality: "CT",
                       instance: Self.otherStudy + ".1.1", number: 1, size: 16, frames: 1)
        try Data("not DICOM\n".utf8).write(to: URL(fileURLWithPath: root + "/notes.txt"))
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    static func write(_ path: String, study: String, series: String, seriesNumber: Int, modality: String,
                      instance: String, number: Int, size: Int, frames: Int) throws {
        var ds = DataSet()
        ds.setString(.sopClassUID, modality == "CT" ? "1.2.840.10008.5.1.4.1.1.2" : "1.2.840.10008.5.1.4.1.1.4")
        ds.setString(.sopInstanceUID, instance)
        ds.setString(.studyInstanceUID, study)
        ds.setString(.seriesInstanceUID, series)
        ds.setString(.studyDescription, "Synthetic chest")
        ds.setString(.studyDate, "20240102")
        ds.setString(.seriesDescription, modality == "CT" ? "Axial" : "Cine")
        ds.setString(.modality, modality)
        ds.setInt(.seriesNumber, seriesNumber, vr: .IS)
        ds.setInt(.instanceNumber, number, vr: .IS)
        ds.setInt(.samplesPerPixel, 1)
        ds.setString(.photometricInterpretation, "MONOCHROME2")
        ds.setInt(.rows, size)
        ds.setInt(.columns, size)
        ds.setInt(.bitsAllocated, 16)
        ds.setInt(.bitsStored, 12)
        ds.setInt(.highBit, 11)
        ds.setInt(.pixelRepresentation, 0)
        if modality == "CT" {
            ds.setStrings(.windowCenter, ["1040"])
            ds.setStrings(.windowWidth, ["400"])
            ds.setString(.rescaleIntercept, "-1024")
            ds.setString(.rescaleSlope, "1")
        }
        if frames > 1 { ds.setInt(.numberOfFrames, frames, vr: .IS) }
        var pixels = [UInt8](repeating: 0, count: size * size * 2 * frames)
        for f in 0..<frames {
            for y in 0..<size {
                for x in 0..<size {
                    let v = UInt16((x * 7 + y * 3 + f * 200 + number * 50) % 4096)
                    let o = ((f * size + y) * size + x) * 2
                    pixels[o] = UInt8(v & 0xFF)
                    pixels[o + 1] = UInt8(v >> 8)
                }
            }
        }
        ds.insert(DataElement(.pixelData, .OW, .bytes(pixels)))
        let bytes = try DICOMWriter.encode(DICOMFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Grants by token, for `ShareApp.verify`.
    static func verify(_ token: String) -> Result<ShareGrant, GrantRefusal> {
        let now = Date()
        func grant(_ scope: ShareGrant.Scope, study: String = study, series: [String] = []) -> ShareGrant {
            ShareGrant(id: "grant-\(token)", issuer: "site", recipient: "dr@example.org", studyUID: study, seriesUIDs: series,
                       scope: scope, notBefore: now.addingTimeInterval(-60), expires: now.addingTimeInterval(3600), mode: "deidentified")
        }
        switch token {
        case "view": return .success(grant(.view))
        case "dl": return .success(grant(.download))
        case "mr-only": return .success(grant(.download, series: [mr]))
        case "other": return .success(grant(.view, study: "9.9.9"))
        case "expired": return .failure(.expired(Date(timeIntervalSince1970: 1_700_000_000)))
        case "revoked": return .failure(.revoked(Date(timeIntervalSince1970: 1_700_000_000)))
        case "early": return .failure(.notYetValid(Date(timeIntervalSince1970: 4_000_000_000)))
        case "used": return .failure(.usesExhausted(3))
        case "unknown-key": return .failure(.unknownKey("k2"))
        default: return .failure(.badSignature)
        }
    }
}

/// Access events collected from `ShareApp.onAccess`.
final class AccessLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ShareAccess] = []
    func add(_ a: ShareAccess) { lock.withLock { events.append(a) } }
    var all: [ShareAccess] { lock.withLock { events } }
    var last: ShareAccess? { all.last }
}
