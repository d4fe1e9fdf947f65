import CareRecordServer
import Foundation
import Logging
import Testing
@testable import CareRecordCLI

@Suite("Configuration: logging and server.metrics (issue 10)")
struct ObservabilityConfigurationTests {
    let loader = ConfigurationTests()

    @Test("absent: text logs at info, no metrics listener")
    func defaults() throws {
        let configuration = try loader.load(validConfiguration)
        #expect(configuration.logging == LoggingSettings(format: .text, level: .info))
        #expect(configuration.server.metrics == nil)
    }

    @Test("logging: { format: json, level: debug } and server.metrics: { host, port }")
    func set() throws {
        let text = validConfiguration.replacingOccurrences(
            of: "server: { host: 127.0.0.1, port: 8181, baseURL: \"https://care.example.org\" }",
            with: "server: { host: 127.0.0.1, port: 8181, baseURL: \"https://care.example.org\", metrics: { host: 0.0.0.0, port: 9464 } }")
            + "\nlogging: { format: json, level: debug }"
        let configuration = try loader.load(text)
        #expect(configuration.logging == LoggingSettings(format: .json, level: .debug))
        #expect(configuration.server.metrics == MetricsListener(host: "0.0.0.0", port: 9464))
        let loopback = try loader.load(text.replacingOccurrences(of: "metrics: { host: 0.0.0.0, port: 9464 }", with: "metrics: { port: 9464 }"))
        #expect(loopback.server.metrics == MetricsListener(host: "127.0.0.1", port: 9464))
    }

    static let server = "server: { host: 127.0.0.1, port: 8181, baseURL: \"https://care.example.org\" }"

    static func withServer(_ server: String) -> String {
        validConfiguration.replacingOccurrences(of: Self.server, with: server)
    }

    static let problemCases: [(String, String)] = [
        (validConfiguration + "\nlogging: { format: xml }", "logging.format must be one of text, json, not 'xml'"),
        (validConfiguration + "\nlogging: { level: verbose }", "logging.level must be one of trace, debug, info, notice, warning, error, critical, not 'verbose'"),
        (validConfiguration + "\nlogging: { format: json, colour: true }", "unknown key 'logging.colour'"),
        (validConfiguration + "\nlogging: json", "logging must be a mapping"),
        (withServer("server: { port: 8181, metrics: { port: 8181 } }"), "server.metrics.port must differ from server.port"),
        (withServer("server: { port: 8181, metrics: { host: 127.0.0.1 } }"), "missing 'server.metrics.port'"),
        (withServer("server: { port: 8181, metrics: { port: 70000 } }"), "server.metrics.port must be from 1 to 65535"),
        (withServer("server: { port: 8181, metrics: { port: 9464, path: /m } }"), "unknown key 'server.metrics.path'"),
    ]

    @Test("each problem is named in one line", arguments: problemCases)
    func problems(_ text: String, _ expected: String) {
        let message = loader.problem(text)
        #expect(message.contains(expected), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test("the production-shaped example sets both, and span export")
    func example() throws {
        let configuration = try CareRecordConfiguration.load(path: ExampleConfigurationTests.folder.appendingPathComponent("care-record.yaml").path)
        #expect(configuration.logging == LoggingSettings(format: .json, level: .info))
        #expect(configuration.server.metrics == MetricsListener(host: "127.0.0.1", port: 9464))
        #expect(configuration.tracing.otlp == .init(endpoint: "http://127.0.0.1:4318/v1/traces"))
        #expect(configuration.audit.review == AuditReviewSettings(), "the example spells out the defaults")
    }
}
