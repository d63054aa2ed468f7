// swift-tools-version:6.0
// cmr — Foundation, Dispatch and the C library only: no package dependencies.
import PackageDescription

let package = Package(
    name: "cmr",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cmr", targets: ["cmr"]),
    ],
    targets: [
        .target(name: "DICOMDictionary"),
        .target(name: "CMRCrypto"),
        .target(name: "Compression"),
        .target(name: "DICOMCore", dependencies: ["DICOMDictionary"]),
        .target(name: "DICOMCoding", dependencies: ["DICOMCore", "Compression"]),
        .target(name: "CMRKit", dependencies: ["DICOMCore", "DICOMCoding", "CMRCrypto", "Compression"]),
        .target(name: "CMRCLI", dependencies: ["CMRKit"]),
        .executableTarget(name: "cmr", dependencies: ["CMRCLI"]),

        .testTarget(name: "DICOMDictionaryTests", dependencies: ["DICOMDictionary", "DICOMCore"]),
        .testTarget(name: "CMRCryptoTests", dependencies: ["CMRCrypto"]),
        .testTarget(name: "CompressionTests", dependencies: ["Compression"]),
        .testTarget(name: "DICOMCoreTests", dependencies: ["DICOMCore"]),
        .testTarget(name: "DICOMCodingTests", dependencies: ["DICOMCoding"]),
        .testTarget(name: "CMRCLITests", dependencies: ["CMRCLI"]),
        .testTarget(name: "IntegrationTests", dependencies: ["CMRKit", "DICOMCoding"]),
    ],
    swiftLanguageModes: [.v6]
)
