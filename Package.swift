// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "care-record",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "care-record", targets: ["care-record"]),
        // Libraries for the fuzzing harnesses in Benchmarks/Fuzz, a separate package that depends on this one by path.
        .library(name: "FHIR", targets: ["FHIR"]),
        .library(name: "CareRecordStore", targets: ["CareRecordStore"]),
        .library(name: "Upstream", targets: ["Upstream"]),
        .library(name: "CareRecordServer", targets: ["CareRecordServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context.git", from: "1.0.0"),
        // OTLP span export (optional, off unless `tracing.otlp` is configured); OTLP/HTTP only, without gRPC.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // FHIR R4 resource and data type models: Foundation only, no I/O.
        .target(name: "FHIR"),
        // The combined record: a storage protocol and its SQLite and PostgreSQL backends.
        .target(
            name: "CareRecordStore",
            dependencies: [
                "FHIR",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the serving path's own read connections (issue 12).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // System calls Swift cannot make itself (the sync's I/O priority, random bytes in bulk for request ids).
        .target(name: "CSystemShims"),
        // libcurl, with a C shim for its variadic setopt/getinfo.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Upstream Bulk Data exports over HTTPS (libcurl) mapped into the combined record; sync.
        .target(
            name: "Upstream",
            dependencies: [
                "FHIR",
                "CareRecordStore",
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The FHIR REST API: routes, middleware, authentication and access policy.
        .target(
            name: "CareRecordServer",
            dependencies: [
                "FHIR",
                "CareRecordStore",
                "CSystemShims",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ]
        ),
        // Serves a generated region as FHIR Bulk Data over HTTPS with its own CA, and injects faults (tests, demo).
        .target(
            name: "UpstreamSimulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Commands, configuration and the region generator behind the `care-record` executable.
        .target(
            name: "CareRecordCLI",
            dependencies: [
                "FHIR",
                "CareRecordStore",
                "Upstream",
                "CareRecordServer",
                "UpstreamSimulator",
                "CSystemShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ]
        ),
        .executableTarget(
            name: "care-record",
            dependencies: [
                "CareRecordCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The read benchmark's yardstick: a bare Hummingbird server with one fixed Patient (Benchmarks/read-benchmark.sh).
        .executableTarget(
            name: "bare-hummingbird",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Benchmarks/BareServer"
        ),
        .testTarget(name: "FHIRTests", dependencies: ["FHIR"]),
        .testTarget(
            name: "CareRecordStoreTests",
            // CareRecordServer for its AuditLog, whose group commit the audit-store cases also run through.
            dependencies: [
                "CareRecordStore", "CareRecordServer", "FHIR", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "UpstreamTests",
            dependencies: [
                "Upstream", "CareRecordStore", "FHIR", "CareRecordCLI", "UpstreamSimulator", "CareRecordServer", "CSystemShims",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "CareRecordServerTests",
            dependencies: [
                "CareRecordServer", "CareRecordCLI", "Upstream", "CareRecordStore", "FHIR", "UpstreamSimulator",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
