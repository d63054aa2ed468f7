import Foundation
import DICOMCore
import DICOMCoding

/// Makes synthetic, realistic-looking DICOM studies: fake patients, CT and MR series with a
/// simple phantom in the pixels. For examples, tests and benchmarks: nothing here comes from a
/// real person. The same seed gives byte-identical files.
public struct Synthesizer: Sendable {
    public struct Options: Sendable {
        public var patients = 2
        public var studiesPerPatient = 1
        /// Modalities of the series in each study, in order ("CT", "MR").
        public var series: [String] = ["CT", "CT", "MR"]
        public var instancesPerSeries = 4
        public var rows = 64
        public var columns = 64
        /// Frames per instance; more than 1 makes multi-frame instances (Number of Frames).
        public var frames = 1
        public var transferSyntax: TransferSyntax = .explicitVRLittleEndian
        public var seed: UInt64 = 1
        /// Add a vendor private block carrying identifying text (a de-identification test case).
        public var privateTags = true
        public init() {}
    }

    public var options: Options
    public init(options: Options) { self.options = options }

    /// One file to write: relative path and content.
    public struct Instance: Sendable {
        public var relativePath: String
        public var file: DICOMFile
    }

    static let familyNames = ["Doe", "Smith", "Müller", "García", "Rossi", "Nakamura", "Kowalski", "Okafor", "Jensen", "Dubois"]
    static let givenNames = ["Jane", "John", "Jürgen", "María", "Giulia", "Hiro", "Anna", "Chidi", "Lars", "Camille"]
    static let institutions = ["Synthetic General Hospital", "Example University Clinic", "Test Valley Imaging Center"]
    static let physicians = ["House^Gregory^^Dr.", "Grey^Meredith^^Dr.", "Kildare^James^^Dr."]

    /// Every instance, in a stable order.
    public func instances() -> [Instance] {
        var out: [Instance] = []
        forEachInstance { out.append($0) }
        return out
    }

    /// Calls `body` with each instance in turn (memory stays flat for large studies).
    public func forEachInstance(_ body: (Instance) throws -> Void) rethrows {
        var rng = SplitMix64(seed: options.seed)
        for p in 0..<options.patients {
            let family = Self.familyNames[(p + Int(options.seed % 7)) % Self.familyNames.count]
            let given = Self.givenNames[(p * 3 + Int(options.seed % 5)) % Self.givenNames.count]
            let patientID = String(format: "SYN%06d", Int(rng.next() % 1_000_000))
            let birthYear = 1940 + Int(rng.next() % 60)
            let birthDate = String(format: "%04d%02d%02d", birthYear, 1 + Int(rng.next() % 12), 1 + Int(rng.next() % 28))
            let sex = p % 2 == 0 ? "F" : "M"
            for s in 0..<options.studiesPerPatient {
                let studyUID = uid(&rng)
                let studyDate = String(format: "2024%02d%02d", 1 + Int(rng.next() % 12), 1 + Int(rng.next() % 28))
                let studyTime = String(format: "%02d%02d%02d", 7 + Int(rng.next() % 11), Int(rng.next() % 60), Int(rng.next() % 60))
                let accession = String(format: "ACC%08d", Int(rng.next() % 100_000_000))
                let institution = Self.institutions[(p + s) % Self.institutions.count]
                let physician = Self.physicians[(p + s) % Self.physicians.count]
                let frameOfReference = uid(&rng)
                for (seriesIndex, modality) in options.series.enumerated() {
                    let seriesUID = uid(&rng)
                    for i in 0..<options.instancesPerSeries {
                        var ds = DataSet()
                        let isCT = modality == "CT"
                        let sopClass = isCT ? "1.2.840.10008.5.1.4.1.1.2" : "1.2.840.10008.5.1.4.1.1.4"
                        let sopInstance = uid(&rng)
                        ds.setString(.specificCharacterSet, "ISO_IR 192")
                        ds.setStrings(.imageType, ["ORIGINAL", "PRIMARY", "AXIAL"])
                        ds.setString(.instanceCreationDate, studyDate)
                        ds.setString(.sopClassUID, sopClass)
                        ds.setString(.sopInstanceUID, sopInstance)
                        ds.setString(.studyDate, studyDate)
                        ds.setString(.seriesDate, studyDate)
                        ds.setString(.contentDate, studyDate)
                        ds.setString(.studyTime, studyTime)
                        ds.setString(.seriesTime, studyTime)
                        ds.setString(.contentTime, studyTime)
                        ds.setString(.accessionNumber, accession)
                        ds.setString(.modality, modality)
                        ds.setString(.manufacturer, "CMR Synthetic Imaging")
                        ds.setString(.institutionName, institution)
                        ds.setString(.institutionAddress, "\(1 + p) Example Road, Testtown")
                        ds.setString(.referringPhysicianName, physician)
                        ds.setString(.stationName, "SYNTH\(seriesIndex + 1)")
                        ds.setString(.studyDescription, isCT ? "CT CHEST ABDOMEN" : "MR BRAIN")
                        ds.setString(.seriesDescription, "\(modality) series \(seriesIndex + 1)")
                        ds.setString(.operatorsName, "Tech^Terry")
                        ds.setString(.manufacturerModelName, "Phantom 3000")
                        var code = DataSet()
                        code.setString(.codeValue, isCT ? "CTCHABD" : "MRBRAIN")
                        code.setString(.codingSchemeDesignator, "99CMR")
                        code.setString(.codeMeaning, isCT ? "CT chest and abdomen" : "MR brain")
                        ds.setItems(.procedureCodeSequence, [code])
                        ds.setString(.patientName, "\(family)^\(given)")
                        ds.setString(.patientID, patientID)
                        ds.setString(.patientBirthDate, birthDate)
                        ds.setString(.patientSex, sex)
                        ds.setString(.patientAge, String(format: "%03dY", 2024 - birthYear))
                        ds.setString(.patientWeight, String(60 + p * 7))
                        ds.setString(.patientComments, "Synthetic patient \(p + 1); not a real person.")
                        ds.setString(.bodyPartExamined, isCT ? "CHEST" : "HEAD")
                        ds.setString(.sliceThickness, "2.5")
                        if isCT { ds.setString(.kvp, "120") }
                        ds.setString(.deviceSerialNumber, "SN-\(1000 + seriesIndex)")
                        ds.setString(.softwareVersions, "cmr-synth 1")
                        ds.setString(.patientPosition, "HFS")
                        ds.setString(.studyInstanceUID, studyUID)
                        ds.setString(.seriesInstanceUID, seriesUID)
                        ds.setString(.studyID, "\(s + 1)")
                        ds.setInt(.seriesNumber, seriesIndex + 1, vr: .IS)
                        ds.setInt(.instanceNumber, i + 1, vr: .IS)
                        let z = -100.0 + Double(i) * 2.5
                        ds.setStrings(.imagePositionPatient, ["-160", "-160", Synthesizer.ds(z)])
                        ds.setStrings(.imageOrientationPatient, ["1", "0", "0", "0", "1", "0"])
                        ds.setString(.frameOfReferenceUID, frameOfReference)
                        ds.setString(.positionReferenceIndicator, "")
                        ds.setInt(.acquisitionNumber, 1, vr: .IS)
                        ds.setString(.sliceLocation, Synthesizer.ds(z))
                        ds.setInt(.samplesPerPixel, 1)
                        ds.setString(.photometricInterpretation, "MONOCHROME2")
                        ds.setInt(.rows, options.rows)
                        ds.setInt(.columns, options.columns)
                        let spacing = Synthesizer.ds(320.0 / Double(options.columns))
                        ds.setStrings(.pixelSpacing, [spacing, spacing])
                        ds.setInt(.bitsAllocated, 16)
                        ds.setInt(.bitsStored, isCT ? 12 : 16)
                        ds.setInt(.highBit, isCT ? 11 : 15)
                        ds.setInt(.pixelRepresentation, isCT ? 1 : 0)
                        ds.setStrings(.windowCenter, [isCT ? "40" : "600"])
                        ds.setStrings(.windowWidth, [isCT ? "400" : "1200"])
                        if isCT {
                            ds.setString(.rescaleIntercept, "0")
                            ds.setString(.rescaleSlope, "1")
                            ds.setString(.rescaleType, "HU")
                        }
                        if options.privateTags {
                            ds.setString(Tag(0x0009, 0x0010), "CMR SYNTHETIC PRIVATE", vr: .LO)
                            ds.setString(Tag(0x0009, 0x1001), "\(family)^\(given) scanned by Tech^Terry", vr: .LO)
                            ds.setString(Tag(0x0009, 0x1002), patientID, vr: .SH)
                        }
                        var pixelBytes = pixels(modality: modality, slice: i, of: options.instancesPerSeries)
                        if options.frames > 1 {
                            ds.setInt(.numberOfFrames, options.frames, vr: .IS)
                            let frame = pixelBytes
                            pixelBytes.reserveCapacity(frame.count * options.frames)
                            for _ in 1..<options.frames { pixelBytes.append(contentsOf: frame) }
                        }
                        ds.insert(DataElement(.pixelData, .OW, .bytes(pixelBytes)))
                        let path = "\(patientID)/study\(s + 1)/series\(seriesIndex + 1)-\(modality)/\(String(format: "%04d", i + 1)).dcm"
                        try body(Instance(relativePath: path, file: DICOMFile(dataSet: ds, transferSyntax: options.transferSyntax)))
                    }
                }
            }
        }
    }

    static func ds(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.4g", v)
    }

    /// Little-endian 16-bit pixels: a body ellipse with lungs and a spine (CT, in HU), or a head
    /// with ventricles (MR), changing along the slices.
    public func pixels(modality: String, slice: Int, of slices: Int) -> [UInt8] {
        let rows = options.rows, cols = options.columns
        var out = [UInt8](repeating: 0, count: rows * cols * 2)
        let t = slices > 1 ? Double(slice) / Double(slices - 1) : 0.5
        let isCT = modality == "CT"
        out.withUnsafeMutableBytes { raw in
            let p = raw.bindMemory(to: UInt16.self)
            for y in 0..<rows {
                let fy = (Double(y) + 0.5) / Double(rows) * 2 - 1
                for x in 0..<cols {
                    let fx = (Double(x) + 0.5) / Double(cols) * 2 - 1
                    var v: Int
                    if isCT {
                        v = -1000
                        if (fx * fx) / 0.81 + (fy * fy) / 0.49 < 1 { v = 40 + Int(10 * sin(fx * 9)) }
                        let lung = 0.22 + 0.08 * sin(t * .pi)
                        if ((fx - 0.38) * (fx - 0.38) + fy * fy * 1.6) < lung * lung * 2.2 ||
                            ((fx + 0.38) * (fx + 0.38) + fy * fy * 1.6) < lung * lung * 2.2 { v = -820 }
                        if (fx * fx + (fy - 0.45) * (fy - 0.45)) < 0.012 { v = 700 }
                    } else {
                        v = 0
                        let r = (fx * fx) / 0.64 + (fy * fy) / 0.81
                        if r < 1 { v = 900 - Int(200 * r) }
                        if r < 1 && r > 0.85 { v = 1400 }
                        let vent = 0.05 + 0.04 * sin(t * .pi)
                        if ((fx - 0.15) * (fx - 0.15) + fy * fy * 0.4) < vent || ((fx + 0.15) * (fx + 0.15) + fy * fy * 0.4) < vent { v = 250 }
                    }
                    p[y * cols + x] = UInt16(truncatingIfNeeded: v).littleEndian
                }
            }
        }
        return out
    }

    /// A `2.25.` UID from 128 random bits of the seeded generator (PS3.5 §B.2).
    func uid(_ rng: inout SplitMix64) -> String {
        "2.25." + Synthesizer.decimal(hi: rng.next() >> 1, lo: rng.next())
    }

    /// Decimal digits of the 128-bit number hi·2^64 + lo.
    public static func decimal(hi: UInt64, lo: UInt64) -> String {
        var limbs: [UInt32] = [UInt32(hi >> 32), UInt32(hi & 0xFFFF_FFFF), UInt32(lo >> 32), UInt32(lo & 0xFFFF_FFFF)]
        var digits: [UInt8] = []
        while limbs.contains(where: { $0 != 0 }) {
            var rem: UInt64 = 0
            for i in limbs.indices {
                let cur = rem << 32 | UInt64(limbs[i])
                limbs[i] = UInt32(cur / 10)
                rem = cur % 10
            }
            digits.append(UInt8(rem) + 48)
        }
        return digits.isEmpty ? "0" : String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// Writes every instance under `folder` (atomically, never overwriting), returning the paths.
    public func write(to folder: String, overwrite: Bool = false) throws -> [String] {
        var written: [String] = []
        try forEachInstance { inst in
            let path = folder + "/" + inst.relativePath
            let dir = FilePath.directory(of: path)
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try AtomicFileWriter.write(to: path, overwrite: overwrite) { try DICOMWriter.write(inst.file, to: &$0) }
            } catch {
                throw CMRError.writing(path, error)
            }
            written.append(path)
        }
        return written
    }
}

/// A small, fast, seedable random number generator (SplitMix64).
public struct SplitMix64: Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
