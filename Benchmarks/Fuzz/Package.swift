// swift-tools-version:6.1
// libFuzzer harnesses for the care-record parsers (issue 8 item 15). Built and run by Benchmarks/fuzz.sh with
// `swift build -c release --sanitize fuzzer`, never by `swift test`: each executable's entry point is libFuzzer's `main`,
// which calls the harness's `LLVMFuzzerTestOneInput`.
import PackageDescription

let harness: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "care-record-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "care-record", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // The fixed clock, the async bridge and the failure report every harness shares.
        .target(name: "FuzzSupport"),
        // TokenVerifier.verify against a fixed JWKS: raw tokens, and fuzzed headers or claims signed with the fixed key.
        .executableTarget(
            name: "fuzz-token",
            dependencies: [
                "FuzzSupport",
                .product(name: "CareRecordServer", package: "care-record"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: harness
        ),
        // POST /Consent bodies: ConsentSubmission's decoder and C6 rules.
        .executableTarget(
            name: "fuzz-consent",
            dependencies: [
                "FuzzSupport",
                .product(name: "CareRecordServer", package: "care-record"),
                .product(name: "CareRecordStore", package: "care-record"),
                .product(name: "FHIR", package: "care-record"),
            ],
            swiftSettings: harness
        ),
        // NDJSON lines decoded as the importer does, then ResourceMapper.map into an in-memory writer.
        .executableTarget(
            name: "fuzz-ndjson",
            dependencies: [
                "FuzzSupport",
                .product(name: "Upstream", package: "care-record"),
                .product(name: "CareRecordStore", package: "care-record"),
                .product(name: "FHIR", package: "care-record"),
            ],
            swiftSettings: harness
        ),
        // Request URIs through SearchParameters, page(), patientNHSNumber and the AuditEvent date and subtype parsers.
        .executableTarget(
            name: "fuzz-search",
            dependencies: [
                "FuzzSupport",
                .product(name: "CareRecordServer", package: "care-record"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: harness
        ),
    ],
    swiftLanguageModes: [.v6]
)
