// swift-tools-version:6.0
// cmr — Foundation, Dispatch and the C library only: no package dependencies.
import PackageDescription

// The one module compiled for instructions the baseline x86-64 lacks; it runs only after CPUID
// said yes (Sources/CMRCryptoX86/README.md).
#if arch(x86_64)
let x86Extensions: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-msha", "-Xcc", "-mssse3", "-Xcc", "-msse4.1"])]
#else
let x86Extensions: [SwiftSetting] = []
#endif

let package = Package(
    name: "cmr",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cmr", targets: ["cmr"]),
    ],
    targets: [
        .target(name: "DICOMDictionary", exclude: ["README.md"]),
        .target(name: "CMRCryptoX86", exclude: ["README.md"], swiftSettings: x86Extensions),
        .target(name: "CMRCrypto", dependencies: ["CMRCryptoX86"], exclude: ["README.md"]),
        .target(name: "Compression", exclude: ["README.md"]),
        .target(name: "DICOMCore", dependencies: ["DICOMDictionary"], exclude: ["README.md"]),
        .target(name: "DICOMCoding", dependencies: ["DICOMCore", "Compression"], exclude: ["README.md"]),
        .target(name: "DICOMImaging", dependencies: ["DICOMCore", "DICOMCoding", "Compression"], exclude: ["README.md"]),
        .target(name: "DICOMDeidentify", dependencies: ["DICOMCore", "DICOMDictionary", "CMRCrypto"], exclude: ["README.md"]),
        .target(name: "DICOMNetwork", dependencies: ["DICOMCore", "DICOMCoding"], exclude: ["README.md"]),
        .target(name: "DICOMweb", dependencies: ["DICOMCore", "DICOMCoding"], exclude: ["README.md"]),
        .target(name: "CMRAudit", dependencies: ["CMRCrypto"], exclude: ["README.md"]),
        .target(name: "CMRShare", dependencies: ["DICOMCore", "DICOMCoding", "DICOMImaging", "CMRAudit", "CMRCrypto"], exclude: ["README.md"]),
        .target(name: "CMRKit", dependencies: ["DICOMCore", "DICOMCoding", "DICOMImaging", "DICOMDeidentify", "DICOMNetwork", "DICOMweb", "CMRShare", "CMRCrypto", "Compression", "CMRAudit"], exclude: ["README.md"]),
        .target(name: "CMRCLI", dependencies: ["CMRKit"], exclude: ["README.md"]),
        .executableTarget(name: "cmr", dependencies: ["CMRCLI"]),

        .testTarget(name: "DICOMDictionaryTests", dependencies: ["DICOMDictionary", "DICOMCore"]),
        .testTarget(name: "CMRCryptoTests", dependencies: ["CMRCrypto"], exclude: ["Vectors", "Python"]),
        .testTarget(name: "CompressionTests", dependencies: ["Compression"], exclude: ["Vectors"]),
        .testTarget(name: "DICOMCoreTests", dependencies: ["DICOMCore"], exclude: ["CharsetVectors"]),
        .testTarget(name: "DICOMCodingTests", dependencies: ["DICOMCoding"], exclude: ["FuzzRegressions"]),
        .testTarget(name: "DICOMImagingTests", dependencies: ["DICOMImaging", "DICOMCoding"]),
        .testTarget(name: "DICOMDeidentifyTests", dependencies: ["DICOMDeidentify", "DICOMCoding"]),
        .testTarget(name: "DICOMNetworkTests", dependencies: ["DICOMNetwork", "DICOMCoding"]),
        .testTarget(name: "DICOMwebTests", dependencies: ["DICOMweb", "DICOMCoding"]),
        .testTarget(name: "CMRAuditTests", dependencies: ["CMRAudit"]),
        .testTarget(name: "CMRShareTests", dependencies: ["CMRShare", "CMRCrypto", "DICOMCoding"]),
        .testTarget(name: "CMRCLITests", dependencies: ["CMRCLI"]),
        .testTarget(name: "IntegrationTests", dependencies: ["CMRKit", "DICOMCoding", "DICOMImaging", "DICOMNetwork", "DICOMweb"], exclude: ["Scripts", "Schemas"]),
    ],
    swiftLanguageModes: [.v6]
)
