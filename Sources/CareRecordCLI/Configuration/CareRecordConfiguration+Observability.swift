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
