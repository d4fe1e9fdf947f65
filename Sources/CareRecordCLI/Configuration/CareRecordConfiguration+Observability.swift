import Foundation
import Logging

/// `logging`: how `serve` (and `sync`) write their log (C9).
public struct LoggingSettings: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        /// swift-log's plain lines.
        case text
        /// One JSON object per line: timestamp, level, label, message, metadata.
        case json
    }

    public var format: Format = .text
    public var level: Logger.Level = .info

    public init(format: Format = .text, level: Logger.Level = .info) {
        self.format = format
        self.level = level
    }
}

/// `tracing`: where finished spans go. Without `otlp` they are not exported (the trace context is still propagated).
public struct TracingSettings: Sendable, Equatable {
    /// OTLP/HTTP export of spans (binary protobuf) through swift-otel. Not OTLP/JSON: swift-otel 1.6 writes ids there in
    /// base64 where OTLP requires hex, which collectors misread; nor gRPC, which would double the build.
    public struct OTLPExport: Sendable, Equatable {
        /// The collector's traces URL, e.g. `http://127.0.0.1:4318/v1/traces` (used as given). An https collector is
        /// verified against the system's trust store; verification is never off.
        public var endpoint: String
    }

    public var otlp: OTLPExport?

    public init(otlp: OTLPExport? = nil) {
        self.otlp = otlp
    }
}

/// `server.metrics`: the listener of Prometheus `/metrics`, apart from the API's (C9).
public struct MetricsListener: Sendable, Equatable {
    public var host: String
    public var port: Int
}

extension CareRecordConfiguration {
    /// `logging: { format: json|text, level: trace|...|critical }`; text and info when absent.
    static func logging(_ node: ConfigNode?) throws -> LoggingSettings {
        guard let node else { return LoggingSettings() }
        try node.allowOnly(["format", "level"])
        var settings = LoggingSettings()
        if let text = try node.optionalString("format") {
            guard let format = LoggingSettings.Format(rawValue: text) else {
                throw ConfigurationError("logging.format must be one of \(LoggingSettings.Format.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            }
            settings.format = format
        }
        if let text = try node.optionalString("level") {
            guard let level = Logger.Level(rawValue: text) else {
                throw ConfigurationError("logging.level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            }
            settings.level = level
        }
        return settings
    }

    /// `tracing: { otlp: { endpoint } }`; no export when absent.
    static func tracing(_ node: ConfigNode?) throws -> TracingSettings {
        guard let node else { return TracingSettings() }
        try node.allowOnly(["otlp"])
        guard let otlp = try node.optionalMap("otlp") else { return TracingSettings() }
        try otlp.allowOnly(["endpoint"])
        let endpoint = try otlp.string("endpoint")
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ConfigurationError("tracing.otlp.endpoint must be an http or https URL, e.g. http://127.0.0.1:4318/v1/traces")
        }
        guard url.user == nil, url.password == nil else {
            throw ConfigurationError("tracing.otlp.endpoint must not carry credentials")
        }
        return TracingSettings(otlp: TracingSettings.OTLPExport(endpoint: endpoint))
    }

    /// `server.metrics: { host, port }`; nil (no metrics listener) when absent. The host defaults to 127.0.0.1, and the port
    /// must not be the API's.
    static func metricsListener(_ node: ConfigNode?, apiPort: Int) throws -> MetricsListener? {
        guard let node else { return nil }
        try node.allowOnly(["host", "port"])
        guard let port = try node.optionalInt("port") else { throw ConfigurationError("missing 'server.metrics.port'") }
        guard (1...65535).contains(port) else { throw ConfigurationError("server.metrics.port must be from 1 to 65535") }
        guard port != apiPort else {
            throw ConfigurationError("server.metrics.port must differ from server.port: metrics are never served on the API's listener")
        }
        return MetricsListener(host: try node.optionalString("host") ?? "127.0.0.1", port: port)
    }
}
